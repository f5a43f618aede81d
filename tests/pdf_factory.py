"""Build small PDFs with pikepdf for the preflight tests.

`new_pdf()` gives a clean document (embedded TrueType font, text on every
page, a title); tests then break exactly one thing and `save()` it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name, Stream, String

FONT_FILE = Path(__file__).resolve().parents[1] / "templates/_base/fonts/LiberationSerif-Regular.ttf"
LETTER = (612, 792)
A4 = (595.28, 841.89)


@lru_cache(maxsize=1)
def _font_bytes() -> bytes:
    return FONT_FILE.read_bytes()


def embedded_font(pdf: pikepdf.Pdf, *, base_font: str = "LiberationSerif",
                  encoding: str | None = "/WinAnsiEncoding") -> Dictionary:
    """A simple TrueType font with the Liberation Serif program embedded."""
    descriptor = Dictionary(
        Type=Name.FontDescriptor, FontName=Name("/" + base_font), Flags=32,
        FontBBox=[-543, -303, 1278, 982], ItalicAngle=0, Ascent=891, Descent=-216,
        CapHeight=662, StemV=80, FontFile2=Stream(pdf, _font_bytes()),
    )
    font = Dictionary(Type=Name.Font, Subtype=Name.TrueType, BaseFont=Name("/" + base_font),
                      FirstChar=32, LastChar=126, Widths=[500] * 95,
                      FontDescriptor=pdf.make_indirect(descriptor))
    if encoding:
        font.Encoding = Name(encoding)
    return pdf.make_indirect(font)


def helvetica(pdf: pikepdf.Pdf) -> Dictionary:
    """Standard-14 Helvetica, not embedded."""
    return pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type1,
                                        BaseFont=Name.Helvetica, Encoding=Name.WinAnsiEncoding))


def text_content(label: str) -> bytes:
    return f"BT /F1 12 Tf 72 720 Td ({label}) Tj ET".encode()


def new_pdf(pages: int = 1, *, font: str = "embedded", size: tuple[float, float] = LETTER,
            title: str | None = "Test document") -> pikepdf.Pdf:
    """`pages` letter pages showing text in one shared font ("embedded" or "helvetica")."""
    pdf = pikepdf.new()
    shared = embedded_font(pdf) if font == "embedded" else helvetica(pdf)
    for number in range(1, pages + 1):
        page = pdf.add_blank_page(page_size=size)
        page.obj.Resources = Dictionary(Font=Dictionary(F1=shared))
        page.obj.Contents = pdf.make_stream(text_content(f"Page {number}"))
    if title is not None:
        pdf.docinfo["/Title"] = title
    return pdf


def save(pdf: pikepdf.Pdf, path: Path, **options: Any) -> Path:
    """Save as PDF 1.7 (unless told otherwise) and return `path`.

    Not with `encryption`: qpdf then silently drops the AES-256 encryption.
    """
    if "encryption" not in options:
        options.setdefault("force_version", "1.7")
    pdf.save(path, **options)
    return path


def page_dest(pdf: pikepdf.Pdf, index: int) -> Array:
    """Explicit destination: top of page `index` (0-based)."""
    return Array([pdf.pages[index].obj, Name.Fit])


def set_named_dests(pdf: pikepdf.Pdf, dests: dict[str, int]) -> None:
    """Named destinations in the /Names /Dests name tree (PDF 1.2+)."""
    leaf: list[Any] = []
    for name in sorted(dests):
        leaf += [String(name), page_dest(pdf, dests[name])]
    pdf.Root.Names = Dictionary(Dests=Dictionary(Names=Array(leaf)))


def add_annot(pdf: pikepdf.Pdf, index: int, subtype: str = "/Link", **entries: Any) -> Dictionary:
    """Add an annotation to page `index`; `entries` are extra keys (A=..., Dest=...)."""
    annot = pdf.make_indirect(Dictionary(Type=Name.Annot, Subtype=Name(subtype),
                                         Rect=[72, 72, 144, 90], **entries))
    page = pdf.pages[index].obj
    if "/Annots" not in page:
        page.Annots = Array()
    page.Annots.append(annot)
    return annot


def uri_action(uri: str) -> Dictionary:
    return Dictionary(S=Name.URI, URI=String(uri))


@dataclass
class Mark:
    """A bookmark to build: title, the raw entries (Dest=... or A=...), children."""

    title: str
    entries: dict[str, Any] = field(default_factory=dict)
    kids: list[Mark] = field(default_factory=list)


def set_outline(pdf: pikepdf.Pdf, marks: list[Mark], *, page_mode: str | None = None) -> None:
    """Replace the outline with `marks`; optionally set /PageMode."""
    root = pdf.make_indirect(Dictionary(Type=Name.Outlines))
    _link(pdf, root, marks)
    pdf.Root.Outlines = root
    if page_mode:
        pdf.Root.PageMode = Name(page_mode)


def _link(pdf: pikepdf.Pdf, parent: Dictionary, marks: list[Mark]) -> None:
    nodes = [pdf.make_indirect(Dictionary(Title=String(m.title), Parent=parent, **m.entries))
             for m in marks]
    for mark, node, following in zip(marks, nodes, nodes[1:] + [None]):
        if following is not None:
            node.Next, following.Prev = following, node
        _link(pdf, node, mark.kids)
    if nodes:
        parent.First, parent.Last, parent.Count = nodes[0], nodes[-1], len(nodes)


def chapters(pdf: pikepdf.Pdf) -> list[Mark]:
    """One valid bookmark per page."""
    return [Mark(f"Chapter {i + 1}", {"Dest": page_dest(pdf, i)}) for i in range(len(pdf.pages))]


def good_pdf(path: Path, pages: int = 6) -> Path:
    """A document that passes every check (linearized, bookmarks panel)."""
    pdf = new_pdf(pages)
    set_outline(pdf, chapters(pdf), page_mode="/UseOutlines")
    return save(pdf, path, linearize=True)
