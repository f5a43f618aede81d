"""What a Word paragraph says, as a value that can be compared: the Word writer's output read
back. `dossier build --format docx` records a digest of what each control shows; `dossier
ingest` reads the writer's document the same way, so a control nobody edited is recognised
whatever changed in the YAML since."""

from __future__ import annotations

import hashlib

from lxml import etree

NAMESPACE = "urn:dossier:provenance:1"
"""Namespace of the provenance part the Word writer adds and `dossier ingest` reads."""
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def wtag(tag: str) -> str:
    return f"{{{W}}}{tag}"


# Blocks: what a paragraph says, as a comparable value: (kind, depth, runs), runs being
# (text, format flags, link) with neighbours of the same format merged.
Run = tuple[str, frozenset, str | None]
Block = tuple[str, int, tuple[Run, ...]]


def _flags(rpr) -> frozenset:
    if rpr is None:
        return frozenset()
    out = set()
    for tag, flag in (("b", "b"), ("i", "i")):
        el = rpr.find(wtag(tag))
        if el is not None and el.get(wtag("val"), "true") not in ("0", "false", "off"):
            out.add(flag)
    va = rpr.find(wtag("vertAlign"))
    if va is not None and va.get(wtag("val")) in ("superscript", "subscript"):
        out.add("sup" if va.get(wtag("val")) == "superscript" else "sub")
    fonts = rpr.find(wtag("rFonts"))
    if fonts is not None and "mono" in (fonts.get(wtag("ascii")) or "").lower():
        out.add("code")
    return frozenset(out)


def runs_of(el, links: dict[str, str], link: str | None = None, out: list | None = None) -> list[Run]:
    out = [] if out is None else out
    for child in el:
        tag = etree.QName(child).localname if isinstance(child.tag, str) else ""
        if tag == "r":
            flags = _flags(child.find(wtag("rPr")))
            for part in child:
                t = etree.QName(part).localname
                if t == "t":
                    out.append((part.text or "", flags, link))
                elif t == "tab":
                    out.append(("\t", flags, link))
                elif t in ("br", "cr"):
                    out.append(("\n", flags, link))
        elif tag == "hyperlink":
            target = "#" + child.get(wtag("anchor")) if child.get(wtag("anchor")) else links.get(child.get(f"{{{R}}}id"), "")
            runs_of(child, links, target, out)
        elif tag in ("sdt", "sdtContent", "ins", "smartTag", "customXml", "fldSimple"):
            runs_of(child if tag != "sdt" else child.find(wtag("sdtContent")), links, link, out)
        # del, moveFrom, proofErr, bookmarks, comments: not text of the paragraph
    return out


def merge(runs: list[Run]) -> tuple[Run, ...]:
    merged: list[list] = []
    for text, flags, link in runs:
        if merged and merged[-1][1] == flags and merged[-1][2] == link:
            merged[-1][0] += text
        else:
            merged.append([text, flags, link])
    # white space at the ends of a paragraph is not text
    if merged:
        merged[0][0] = merged[0][0].lstrip(" ")
        merged[-1][0] = merged[-1][0].rstrip(" ")
    return tuple((t, f, l) for t, f, l in merged if t)


def read_blocks(container, styles: dict[str, str], links: dict[str, str]) -> list[Block]:
    blocks: list[Block] = []
    for el in container:
        tag = etree.QName(el).localname if isinstance(el.tag, str) else ""
        if tag == "p":
            style = el.find(f"{wtag('pPr')}/{wtag('pStyle')}")
            name = styles.get(style.get(wtag("val")), "") if style is not None else ""
            kind = "ul" if name.startswith("list bullet") else "ol" if name.startswith("list number") else "p"
            depth = int(name[-1]) if kind != "p" and name[-1:].isdigit() else 1
            runs = merge(runs_of(el, links))
            if runs or kind != "p":
                blocks.append((kind, depth, runs))
        elif tag == "tbl":
            for tr in el.iter(wtag("tr")):
                cells = tuple(merge(_runs_of_cell(tc, links)) for tc in tr.iter(wtag("tc")))
                blocks.append(("row", len(cells), tuple((c,) for c in cells)))  # type: ignore[arg-type]
        elif tag in ("sdt",):
            blocks += read_blocks(el.find(wtag("sdtContent")), styles, links)
    return blocks


def _runs_of_cell(tc, links) -> list[Run]:
    out: list[Run] = []
    for i, p in enumerate(tc.iter(wtag("p"))):
        if i:
            out.append(("\n", frozenset(), None))
        out += runs_of(p, links)
    return out




def digest(blocks) -> str:
    return hashlib.sha256(repr(blocks).encode("utf-8")).hexdigest()


def shown_text(el, links: dict[str, str]) -> str:
    """The text of an inline control, white space as displayed."""
    return " ".join("".join(t for t, _, _ in merge(runs_of(el, links))).split())
