"""Expand a pack's section tree against one dossier into the concrete outline.

Repeated sections (one 3.2.S per drug substance, one protocol section per
protocol) become one node per item; conditional sections are kept but marked
not applicable, so the document can say why a heading has no content.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from dossier import facts, factpath
from dossier.errors import UsageError
from dossier.io.yamlsource import PathT, format_path
from dossier.model import Dossier, regional
from dossier.packs.manifest import Pack, Section, Verification, source


@dataclass
class Node:
    section: Section
    id: str
    title: str
    level: int
    anchor: str
    item: Any = None
    """The list item a repeated section (or its descendants) is about."""
    item_path: PathT = ()
    applicable: bool = True
    children: list[Node] = field(default_factory=list)

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()

    @property
    def label(self) -> str:
        """The number printed before the title: the section's label, else its id; empty for an
        unnumbered heading (a part of a protocol that the regulation names but does not number)."""
        return self.id if self.section.label is None else self.section.label

    @property
    def heading(self) -> str:
        """Number and title as the heading and the bookmark show them."""
        return f"{self.label} {self.title}" if self.label else self.title

    cite: str = ""
    """The source this heading answers, for this product (sources by product kind resolved)."""
    inherited_na: bool = False
    """Not applicable because the section that contains it is not (its own conditions may hold)."""


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def item_name(item: Any) -> str:
    for attr in ("name", "title", "id"):
        value = getattr(item, attr, None)
        if value:
            return str(value)
        if hasattr(item, "answered") and item.answered(attr):
            return item.answered(attr)  # "name not yet known: <reason>", not a blank title
    return ""


def build_outline(pack: Pack, dossier: Dossier) -> list[Node]:
    """The pack's sections for this dossier, as the pack's region sees it (text per region resolved)."""
    used: set[str] = set()
    d = regional.view(dossier, pack.region)
    return [n for s in pack.sections for n in _expand(s, d, 1, None, (), True, used)]


def _expand(section: Section, d: Dossier, level: int, item: Any, item_path: PathT, parent_ok: bool, used: set[str]) -> list[Node]:
    applicable = parent_ok and facts.holds(section.when, d, item)
    if section.repeat and applicable:
        relative, path = factpath.split_relative(section.repeat)
        pairs = factpath.resolve(item if relative else d, path, item_path if relative else ())
        if len(pairs) == 1 and isinstance(pairs[0][1], list):
            base, items = pairs[0]
            pairs = [(base + (i,), it) for i, it in enumerate(items)]
        nodes = []
        for where, it in pairs:
            chosen = next((t.title for t in section.repeat_titles if facts.holds(t.when, d, it)), None)
            title = (chosen or section.repeat_title or section.title).replace("{name}", item_name(it))
            nodes.append(_node(section, d, level, title, it, where, True, used))
        return nodes
    node = _node(section, d, level, section.title, item, item_path, applicable, used)
    node.inherited_na = not parent_ok
    return [node]


def _node(section: Section, d: Dossier, level: int, title: str, item: Any, item_path: PathT, applicable: bool, used: set[str]) -> Node:
    anchor = base = "s-" + _slug(section.id)
    n = 2
    while anchor in used:
        anchor = f"{base}-{n}"
        n += 1
    used.add(anchor)
    node = Node(section, section.id, title, level, anchor, item, item_path, applicable, cite=source(section.cite, Verification.verified, d)[0])
    for child in section.sections:
        node.children.extend(n for n in _expand(child, d, level + 1, item, item_path, applicable, used) if n.applicable or not n.section.omit_when_not_applicable)
    if applicable:
        node.children.extend(_attachments(section, d, level + 1, item, item_path, used))
    return node


ATTACHMENT_TEMPLATE = "_base/attachment.html.j2"


def attachment_anchor(file: str) -> str:
    """The anchor of an attached document's section: templates link to it by file name."""
    return "att-" + _slug(file)


def _attachments(section: Section, d: Dossier, level: int, item: Any, item_path: PathT, used: set[str]) -> list[Node]:
    """One child node per attached PDF named at the section's `attach` fact paths."""
    nodes = []
    for fact in section.attach:
        relative, path = factpath.split_relative(fact)
        for where, doc in factpath.resolve(item if relative else d, path, item_path if relative else ()):
            if doc is None:
                continue
            if getattr(doc, "file", None):
                anchor = attachment_anchor(doc.file)
            elif doc.told("file") == "unknown":  # its page says so, with the reason
                anchor = attachment_anchor(format_path(where))
            else:
                continue
            if anchor in used:
                continue  # the same document attached twice is included once
            used.add(anchor)
            number = doc.number or f"document number {doc.absent_text('number')}"
            sub = Section(id=f"{section.id}-att", label="Attachment", title=doc.title or number, template=ATTACHMENT_TEMPLATE)
            title = f"{doc.title} ({number})" if doc.title else number
            nodes.append(Node(sub, sub.id, title, level, anchor, doc, where, True))
    return nodes


def select(pack: Pack, outline: list[Node], section_id: str) -> list[Node]:
    """The nodes `--section ID` asks for: a section id or one of the pack's aliases."""
    wanted = pack.aliases.get(section_id, [section_id])
    found = [n for root in outline for n in root.walk() if n.id in wanted]
    if not found:
        ids = sorted({n.id for root in outline for n in root.walk()} | set(pack.aliases))
        import difflib

        close = difflib.get_close_matches(section_id, ids, n=3)
        hint = f"did you mean {', '.join(close)}?" if close else "run 'dossier sections --target ...' to list the ids"
        raise UsageError(f"section {section_id!r} is not in the {pack.short_title} pack", hint=hint)
    # keep document order, drop nodes already inside another selected node
    chosen: list[Node] = []
    for node in found:
        if not any(node is not other and node in list(other.walk()) for other in found):
            chosen.append(node)
    return chosen
