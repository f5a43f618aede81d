"""Render a dossier through a pack's section tree to one HTML document."""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from typing import Any

from dossier import factpath
from dossier.errors import PackError
from dossier.model import Dossier, regional
from dossier.packs.manifest import Pack
from dossier.packs.outline import ATTACHMENT_TEMPLATE, attachment_anchor, item_name, Node
from dossier.render.env import make_env
from dossier.render.figures import flat, plan
from dossier.rules import Missing


@dataclass
class RenderOptions:
    draft: bool = False
    trace: bool = False
    """Print under each heading the source it answers ("Requirement: ..."): drafts and --trace."""
    section_title: str | None = None
    """Set when rendering a single section (--section): shown on the title page."""
    missing: dict[str, list[Missing]] = field(default_factory=dict)
    tool_version: str = ""
    justifications: list = field(default_factory=list)
    """Waived findings and not-applicable answers, listed for reviewers after the contents."""
    mode: str = "full"
    """full: the whole document; front: title page, contents, front matter; body: section units
    (parallel builds); headers and footers are drawn only in full mode (else by the folio)."""
    page_of: dict[str, int] = field(default_factory=dict)
    """Front mode: final page number of each anchor (instead of target-counter)."""
    hidden_anchors: list[str] = field(default_factory=list)
    sizing_only: bool = False
    """Front mode: laid out only to count its pages (contents without dot leaders, which are slow)."""
    attachments: dict = field(default_factory=dict)
    figure_files: dict[str, str] = field(default_factory=dict)
    """The sponsor's checked figure files as data URIs, by the file name the YAML gives."""
    external_links: dict[str, str] = field(default_factory=dict)
    section_anchors: dict[str, str] = field(default_factory=dict)
    """Section id -> anchor of sections that are other files (eCTD layout), so they can be linked."""
    """Anchor -> relative file link, for sections that are separate files (eCTD layout)."""
    """Attached PDFs by the file name the YAML gives (dossier.attachments.Attachment)."""
    fragments: list[str] = field(default_factory=list)
    """Body mode: pre-rendered section HTML (from `render_fragment`) to lay out."""
    output: str = "pdf"
    """pdf, html or docx: what the document is rendered for (only a PDF reproduces attached pages)."""
    all_nodes: list | None = None
    """Front mode: the whole outline (for the contents and anchors) when `nodes` is empty."""


def document_date(d: Dossier) -> dt.date | None:
    """The date printed in the document: the YAML's, else SOURCE_DATE_EPOCH's, else none.

    Never the wall clock, so the same input gives the same bytes.
    """
    if d.submission.date:
        return d.submission.date
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc).date()
    return None


def _show(node: Node, d: Dossier) -> list[tuple[str, Any]]:
    """(path, value) for each narrative fact a `show:` section presents."""
    out = []
    for path in node.section.show:
        relative, p = factpath.split_relative(path)
        for _, value in factpath.resolve(node.item if relative else d, p):
            out.append((path, value))
    return out


def render_html(pack: Pack, d: Dossier, nodes: list[Node], options: RenderOptions) -> str:
    env = make_env(pack.date_format, pack.language)
    context = _context(pack, d, nodes, options)
    html = env.get_template("_base/document.html.j2").render(context)
    return html if options.output == "docx" else breakable_long_tokens(html)


LONG_TOKEN = 30
"""Characters without a space from which a token (a sequence, a URL, a long code) may break
anywhere: shorter words never break inside, longer ones never run off the page."""
_TEXT_NODE = re.compile(r">([^<]+)<")
_LONG = re.compile(r"[^\s<>]{%d,}" % LONG_TOKEN)


def breakable_long_tokens(html: str) -> str:
    """Wrap each long unbroken token of the body's text in <span class="tok">, which may break
    between any two characters (print.css): a 400-nucleotide sequence or a long URL wraps inside
    its cell or line instead of running past the margin, and its text is unchanged (no
    characters are inserted, so it copies out of the PDF as written). Number the tables
    (data-t), so a table still too wide for the page can be laid out again with its cells
    allowed to break inside words (render/pdf.py)."""
    head_end = html.find("</head>")
    if head_end < 0:
        head_end = 0

    def text(m: re.Match) -> str:
        return ">" + _LONG.sub(lambda t: f'<span class="tok">{t.group(0)}</span>', m.group(1)) + "<"

    body = _TEXT_NODE.sub(text, html[head_end:])
    count = iter(range(1, 1 << 30))
    body = _TABLE.sub(lambda m: f'<table data-t="{next(count)}"', body)
    return html[:head_end] + body


_TABLE = re.compile(r"<table(?=[\s>])")


STUDIES_TEMPLATE = "_base/nonclinical/studies.html.j2"


def _type_sections(outline: list[Node]) -> dict[str, str]:
    """Nonclinical study type -> the id of the section that reports studies of that type (and
    states why a type was not conducted): where a summary table points instead of repeating."""
    out: dict[str, str] = {}
    for root in outline:
        for node in root.walk():
            if node.section.template == STUDIES_TEMPLATE and node.applicable:
                for kind in node.section.params.get("types", []):
                    out.setdefault(kind, node.id)
    return out


@dataclass(frozen=True)
class Owner:
    """Where a shared fact is shown: the anchor to link to and the text of the reference."""

    anchor: str
    label: str
    """The section number alone (for a table cell)."""
    text: str
    """Number, title and, for a repeated section, what it is about."""


def _owners(pack: Pack, outline: list[Node], anchors: dict[str, str], reachable: set[str]):
    """owner_of(fact, here) -> the Owner a heading refers to instead of showing a shared fact
    (pack `shared_facts`), or None when `here` shows it: `here` is the owner, or the owner is not
    reachable from this output (not applicable, or a section build without it)."""
    declared = {f.fact: f for f in pack.shared_facts}
    first: dict[str, Node] = {}
    for root in outline:
        for n in root.walk():
            if n.applicable:
                first.setdefault(n.id, n)

    def owner_of(fact: str, here: Node | None = None) -> Owner | None:
        f = declared.get(fact)
        if f is None:
            raise PackError(f"a template shows the shared fact {fact!r}, which the {pack.name} pack does not declare under shared_facts")
        node = first.get(f.owner)
        if node is not None:
            about = f" for {item_name(node.item)}" if node.item_path else ""
            found = Owner(node.anchor, node.label or node.title, node.heading + about)
        elif f.owner in anchors:  # another file of an eCTD layout
            found = Owner(anchors[f.owner], f.owner, f.owner)
        else:
            return None
        here_anchor = here.anchor if here is not None else None  # None: front matter, never an owner
        return found if found.anchor != here_anchor and found.anchor in reachable else None

    return owner_of


def _attached_documents(outline: list[Node]) -> list[tuple[Node, Any]]:
    """(section, document) for every document the submission attaches, in document order: the
    cover letter lists them, so what it says is enclosed is what is."""
    out = []

    def walk(node: Node) -> None:
        for child in node.children:
            if child.section.template == ATTACHMENT_TEMPLATE:
                out.append((node, child.item))
            else:
                walk(child)

    for root in outline:
        if root.applicable:
            walk(root)
    return out


def _context(pack: Pack, d: Dossier, nodes: list[Node], options: RenderOptions) -> dict:
    d = regional.view(d, pack.region)  # the pack's region's text (a cached view)
    anchors: dict[str, str] = {"toc": "toc"}
    for root in options.all_nodes or nodes:
        for n in root.walk():
            anchors.setdefault(n.id, n.anchor)  # repeated ids link to their first occurrence
    for sid, anchor in options.section_anchors.items():
        anchors.setdefault(sid, anchor)
    figures = plan(options.all_nodes or nodes)
    rendered = {n.anchor for root in options.all_nodes or nodes for n in root.walk()}
    type_sections = _type_sections(options.all_nodes or nodes)
    context = {
        "d": d,
        "pack": pack,
        "vocab": pack.vocabulary,
        "figures": figures,
        "figure_files": options.figure_files,
        "type_sections": type_sections,
        "attached_documents": _attached_documents(options.all_nodes or nodes) if options.attachments else [],
        "owner_of": _owners(pack, options.all_nodes or nodes, anchors, rendered | set(options.external_links)),
        "figure_list": flat(figures),
        "nodes": nodes,
        "toc_nodes": options.all_nodes or nodes,
        "mode": options.mode,
        "page_of": options.page_of,
        "hidden_anchors": options.hidden_anchors,
        "fragments": options.fragments,
        "sizing_only": options.sizing_only,
        "draft": options.draft,
        "trace": options.trace or options.draft,
        "missing": options.missing,
        "section_title": options.section_title,
        "doc_date": document_date(d),
        "tool_version": options.tool_version,
        "anchors": anchors,
        "show": lambda node: _show(node, d),
        "present": factpath.present,
        "front_matter": pack.front_matter if options.section_title is None else [],
        "justifications": options.justifications if options.section_title is None else [],
        "attachments": options.attachments,
        "attachment_anchor": attachment_anchor,
        "rendered_anchors": rendered,
        "external_links": options.external_links,
        "output": options.output,
    }
    return context


def render_fragment(pack: Pack, d: Dossier, node: Node, options: RenderOptions) -> str:
    """The HTML of one section subtree, for parallel builds (wrapped later by `render_html`)."""
    env = make_env(pack.date_format, pack.language)
    context = _context(pack, d, [node], options)
    macros = env.get_template("_base/macros.html.j2").make_module(context)
    return str(macros.render_node(node))


def render_folio(pack: Pack, d: Dossier, pages: list[dict], total: int, options: RenderOptions) -> str:
    """HTML whose pages carry the header and footer of `pages` (dicts: number, landscape, chapter)."""
    env = make_env(pack.date_format, pack.language)
    context = {
        "d": d,
        "pack": pack,
        "draft": options.draft,
        "section_title": options.section_title,
        "mode": "folio",
        "folio_pages": pages,
        "total": total,
        "has_first": bool(pages) and pages[0]["number"] == 1,
    }
    return env.get_template("_base/folio.html.j2").render(context)
