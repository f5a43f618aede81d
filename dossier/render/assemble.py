"""Assemble separately laid-out PDF parts into one finished document (pikepdf only).

Each part keeps its own pages, links and bookmarks; this module joins the pages, places the
attached documents' pages after their cover sheets (render/attach.py), rebuilds one name tree of
link destinations and one outline with global page numbers, draws the folio (running header and
"Page X of Y" footer) over every page, stores each embedded font once and saves the result
linearised with a deterministic ID, in one pass.
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
from dataclasses import dataclass, field
from typing import Any

import pikepdf

from dossier.packs.outline import attachment_anchor
from dossier.render.attach import MARGINS, MAX_DEPTH, bookmarks, is_landscape, place, slot_of


@dataclass
class PartInfo:
    """What a laid-out part contains, read before assembly."""

    pages: int
    dests: dict[str, tuple[int, list]] = field(default_factory=dict)
    """Anchor -> (page index within the part, destination parameters after the page)."""
    outline: list[tuple[int, str, int, list]] = field(default_factory=list)
    """(depth, title, page index within the part, destination parameters)."""
    landscape: list[bool] = field(default_factory=list)


def _dest_array(pdf: pikepdf.Pdf, dest, names: dict) -> pikepdf.Array | None:
    if isinstance(dest, (pikepdf.String, str)):
        dest = names.get(str(dest))
    if isinstance(dest, pikepdf.Dictionary):
        dest = dest.get("/D")
    return dest if isinstance(dest, pikepdf.Array) else None


def read_part(raw: bytes) -> PartInfo:
    with pikepdf.open(io.BytesIO(raw)) as pdf:
        index = {p.obj.objgen: i for i, p in enumerate(pdf.pages)}
        names = {}
        if "/Names" in pdf.Root and "/Dests" in pdf.Root.Names:
            names = dict(pikepdf.NameTree(pdf.Root.Names.Dests).items())
        info = PartInfo(len(pdf.pages))
        for name, dest in names.items():
            arr = _dest_array(pdf, dest, names)
            if arr is not None and arr[0].objgen in index:
                info.dests[name] = (index[arr[0].objgen], [_plain(x) for x in arr[1:]])
        with pdf.open_outline() as outline:
            stack = [(1, item) for item in reversed(outline.root)]
            while stack:
                depth, item = stack.pop()
                arr = _dest_array(pdf, item.destination if item.destination is not None else (item.action.D if item.action else None), names)
                if arr is not None and arr[0].objgen in index:
                    info.outline.append((depth, item.title, index[arr[0].objgen], [_plain(x) for x in arr[1:]]))
                stack.extend((depth + 1, child) for child in reversed(item.children))
        for page in pdf.pages:
            box = [float(x) for x in page.MediaBox]
            info.landscape.append(box[2] - box[0] > box[3] - box[1])
        return info


def _plain(x):
    """A destination parameter as plain data: a name, a number, or None for null."""
    if isinstance(x, pikepdf.Name):
        return str(x)
    try:
        return float(x)
    except (TypeError, ValueError):
        return None


@dataclass
class Pagination:
    """Where each page of the assembled document comes from: the laid-out parts in order, each
    attached document's pages inserted after the page of its marker (render/attach.py)."""

    parts: list[list[int]]
    """Per part, the 0-based index in the whole document of each of its pages."""
    inserted: list[tuple[str, Any, int]]
    """(section anchor, dossier.attachments.Attachment, index of its first page) in page order."""
    total: int

    @classmethod
    def plan(cls, infos: list[PartInfo], owns: list[set[str]], attachments: dict[str, Any]) -> Pagination:
        by_anchor = {attachment_anchor(a.file): a for a in attachments.values()}
        parts: list[list[int]] = []
        inserted: list[tuple[str, Any, int]] = []
        index = 0
        for info, own in zip(infos, owns):
            after: dict[int, list[str]] = {}
            for name, (page, _) in info.dests.items():
                anchor = slot_of(name)
                if anchor in own and anchor in by_anchor:
                    after.setdefault(page, []).append(anchor)
            local = []
            for page in range(info.pages):
                local.append(index)
                index += 1
                for anchor in sorted(after.get(page, ())):
                    inserted.append((anchor, by_anchor[anchor], index))
                    index += by_anchor[anchor].pages
            parts.append(local)
        return cls(parts, inserted, index)

    def page_numbers(self, infos: list[PartInfo], owns: list[set[str]]) -> dict[str, int]:
        """Anchor -> 1-based page number in the assembled document."""
        return {name: local[page] + 1 for info, own, local in zip(infos, owns, self.parts) for name, (page, _) in info.dests.items() if name in own}

    def attached(self) -> set[int]:
        """0-based indices of the attached documents' pages."""
        return {first + j for _, att, first in self.inserted for j in range(att.pages)}


def assemble(parts: list[tuple[bytes, PartInfo]], own: list[set[str]], folios: list[bytes], levels: dict[str, int], pagination: Pagination, chapters: list[str]) -> bytes:
    """Join `parts` (in order) with the attached documents' pages placed as `pagination` says, and
    return the finished PDF (see `finish`). `own[k]` are the anchors part k really renders (others
    are stubs). `folios` hold one page for each laid-out page, in order; an attached page gets its
    footer (page number, `chapters[index]`) stamped instead (render/stamp.py).

    `levels` gives each bookmark title its level in the whole document: a part that starts with
    a level-2 heading has it at the top of its own outline.
    """
    from dossier.render.stamp import FooterFont

    out = pikepdf.new()
    opened: list[pikepdf.Pdf] = []
    try:
        sources = [pikepdf.open(io.BytesIO(raw)) for raw, _ in parts]
        opened += sources
        out.docinfo = out.copy_foreign(sources[0].docinfo)
        box = [float(x) for x in sources[0].pages[0].MediaBox]
        portrait = (min(box[2] - box[0], box[3] - box[1]), max(box[2] - box[0], box[3] - box[1]))
        inserts = {first: (anchor, att) for anchor, att, first in pagination.inserted}
        footer = FooterFont(out) if inserts else None
        nested: dict[str, list[tuple[int, str, int]]] = {}
        with warnings.catch_warnings():  # destinations are rebuilt below, for all parts at once
            warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
            for src, local in zip(sources, pagination.parts):
                for page, index in zip(src.pages, local):
                    out.pages.append(page)
                    if index + 1 in inserts:
                        anchor, att = inserts[index + 1]
                        attached = pikepdf.open(att.path)
                        opened.append(attached)
                        nested[anchor] = [(depth, title, index + 1 + p) for depth, title, p in bookmarks(attached)]
                        for j, source in enumerate(attached.pages):
                            number = index + 2 + j
                            size = portrait[::-1] if is_landscape(source) else portrait
                            stamp = footer.footer(size[0], MARGINS, number, pagination.total, chapters[number - 1])
                            new = place(out, source, size, f"/DossierAtt{number}", after=stamp)
                            new.Resources.Font = pikepdf.Dictionary(DossierFooter=footer.font)
                            out.pages.append(pikepdf.Page(out.make_indirect(new)))
        dests: dict[str, tuple[int, list]] = {}
        outline: list[tuple[int, str, int, list]] = []
        for (_, info), mine, local in zip(parts, own, pagination.parts):
            dests.update({name: (local[page], params) for name, (page, params) in info.dests.items() if name in mine})
            outline += [(levels.get(title, depth), title, local[page], params) for depth, title, page, params in info.outline]
        for anchor, att, first in pagination.inserted:
            if anchor in dests:
                outline = _nest(outline, dests[anchor][0], nested.get(anchor, []))
        _write_dests(out, dests)
        _write_outline(out, outline)
        laid_out = [i for local in pagination.parts for i in local]
        folio_pdfs = [pikepdf.open(io.BytesIO(raw)) for raw in folios]
        opened += folio_pdfs
        folio_pages = [p for f in folio_pdfs for p in f.pages]
        if len(folio_pages) != len(laid_out):
            raise ValueError(f"folio has {len(folio_pages)} pages for {len(laid_out)} laid-out pages")
        for index, over in zip(laid_out, folio_pages):
            _overlay(out, out.pages[index], over, index + 1)
        return finish(out)
    finally:
        for pdf in opened:
            pdf.close()


def _nest(outline: list[tuple[int, str, int, list]], heading_page: int, entries: list[tuple[int, str, int]]) -> list[tuple[int, str, int, list]]:
    """`outline` with an attachment's bookmarks `entries` (depth from 1) under its heading: the
    deepest, last bookmark pointing at `heading_page`; none deeper than MAX_DEPTH."""
    at = max((i for i, item in enumerate(outline) if item[2] == heading_page), default=None)
    if at is None or not entries:
        return outline
    depth = outline[at][0]
    end = at + 1
    while end < len(outline) and outline[end][0] > depth:
        end += 1
    added = [(depth + d, title, page, ["/Fit"]) for d, title, page in entries if depth + d <= MAX_DEPTH]
    return outline[:end] + added + outline[end:]


def _overlay(out: pikepdf.Pdf, page: pikepdf.Page, over: pikepdf.Page, number: int) -> None:
    """Draw `over` on `page` as a form XObject named after the page number: deterministic
    (pikepdf's add_overlay picks random names) and distinct, since pages may share one
    resource dictionary."""
    form = out.copy_foreign(over.as_form_xobject())
    name = f"/DossierFolio{number}"
    if "/Resources" not in page.obj:
        page.obj.Resources = pikepdf.Dictionary()
    resources = page.obj.Resources
    if "/XObject" not in resources:
        resources.XObject = pikepdf.Dictionary()
    resources.XObject[pikepdf.Name(name)] = form
    page.contents_add(pikepdf.Stream(out, b"q\n"), prepend=True)
    page.contents_add(pikepdf.Stream(out, b"\nQ\nq " + name.encode() + b" Do Q\n"), prepend=False)


def _destination(out: pikepdf.Pdf, page: int, params: list) -> pikepdf.Array:
    kind = params[0] if params and isinstance(params[0], str) else "/XYZ"
    nums = [None if v is None else v for v in params[1:]]
    return pikepdf.Array([out.pages[page].obj, pikepdf.Name(kind), *nums])


def _write_dests(out: pikepdf.Pdf, dests: dict[str, tuple[int, list]]) -> None:
    tree = pikepdf.NameTree.new(out)
    for name in sorted(dests):
        page, params = dests[name]
        tree[name] = _destination(out, page, params)
    out.Root.Names = pikepdf.Dictionary(Dests=tree.obj)


def _write_outline(out: pikepdf.Pdf, items: list[tuple[int, str, int, list]]) -> None:
    with out.open_outline() as ol:
        stack: list[tuple[int, list]] = [(0, ol.root)]
        for depth, title, page, params in items:
            entry = pikepdf.OutlineItem(title)
            entry.destination = _destination(out, page, params)
            while stack[-1][0] >= depth:
                stack.pop()
            stack[-1][1].append(entry)
            stack.append((depth, entry.children))


def share_fonts(out: pikepdf.Pdf) -> None:
    """Every part embeds the same whole fonts: keep one copy of each font file."""
    seen: dict[tuple[str, str], pikepdf.Object] = {}
    for obj in out.objects:
        if not isinstance(obj, pikepdf.Dictionary) or obj.get("/Type") != "/FontDescriptor":
            continue
        for key in ("/FontFile2", "/FontFile", "/FontFile3"):
            if key in obj:
                stream = obj[key]
                digest = hashlib.sha256(stream.read_bytes()).hexdigest()  # decoded: a stamped font is stored uncompressed
                first = seen.setdefault((key, digest), stream)
                if first.objgen != stream.objgen:
                    obj[key] = first


_SUBSET_TAG = re.compile(r"^/?([A-Z]{6}\+)?")


def finish(pdf: pikepdf.Pdf) -> bytes:
    """Open on the bookmarks panel, fonts stored once and named without a subset tag (WeasyPrint
    embeds them whole), saved linearised for fast web view with a deterministic document ID."""
    if "/Outlines" in pdf.Root and "/First" in pdf.Root.Outlines:
        pdf.Root.PageMode = pikepdf.Name.UseOutlines
    share_fonts(pdf)
    _strip_subset_tags(pdf)
    out = io.BytesIO()
    pdf.save(out, linearize=True, deterministic_id=True, compress_streams=True, min_version="1.7")
    return out.getvalue()


def _strip_subset_tags(pdf: pikepdf.Pdf) -> None:
    """WeasyPrint names fully embedded fonts 'ABCDEF+Name'; the tag wrongly says 'subset'."""
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Dictionary):
            continue
        kind = obj.get("/Type")
        if kind == "/Font" and "/BaseFont" in obj:
            obj.BaseFont = pikepdf.Name("/" + _SUBSET_TAG.sub("", str(obj.BaseFont)))
        elif kind == "/FontDescriptor" and "/FontName" in obj:
            obj.FontName = pikepdf.Name("/" + _SUBSET_TAG.sub("", str(obj.FontName)))
