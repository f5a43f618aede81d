"""The folio of an attached page, written straight into the PDF (no layout).

An attached document's pages are not laid out by WeasyPrint: each is placed on a page of its own
(render/assemble.py) and gets the compiled document's footer here — "Page X of Y" centred under
the body and the chapter at the right, 9 pt Liberation Sans as in templates/_base/print.css.j2 —
drawn with a simple TrueType font (WinAnsi encoding) whose program is the bundled font file, the
same bytes the laid-out pages embed, so the document stores it once (assemble.share_fonts).
"""

from __future__ import annotations

import io
from functools import cache

import pikepdf

from dossier.resources import templates_dir

SIZE = 9.0
"""Footer text size in points (print.css: 9 pt)."""
BASELINE = 31.08
"""Footer baseline above the page's bottom edge: the line box (Liberation Sans ascent 0.905 +
descent 0.212 of 9 pt) centred in the 0.95 in bottom margin, as WeasyPrint places it."""
CHAPTER_GRAY = 0.2
"""print.css: color #333."""
FONT_FILE = "fonts/LiberationSans-Regular.ttf"
FIRST, LAST = 32, 255


@cache
def _metrics() -> tuple[bytes, tuple[int, ...], dict]:
    """Font program, widths of codes FIRST..LAST in WinAnsi (1/1000 em), descriptor values."""
    from fontTools.ttLib import TTFont

    data = (templates_dir() / "_base" / FONT_FILE).read_bytes()
    font = TTFont(io.BytesIO(data), lazy=True)
    cmap, hmtx, scale = font.getBestCmap(), font["hmtx"], 1000 / font["head"].unitsPerEm
    widths = []
    for code in range(FIRST, LAST + 1):
        char = bytes([code]).decode("cp1252", errors="ignore")
        glyph = cmap.get(ord(char)) if char else None
        widths.append(round(hmtx[glyph][0] * scale) if glyph else 0)
    head, hhea, os2 = font["head"], font["hhea"], font["OS/2"]
    descriptor = {
        "FontBBox": [round(v * scale) for v in (head.xMin, head.yMin, head.xMax, head.yMax)],
        "Ascent": round(hhea.ascent * scale),
        "Descent": round(hhea.descent * scale),
        "CapHeight": round(getattr(os2, "sCapHeight", hhea.ascent) * scale),
    }
    return data, tuple(widths), descriptor


def encode(text: str) -> bytes:
    """WinAnsi bytes of `text`; a character outside it shows as '?'."""
    return text.encode("cp1252", errors="replace")


def width(text: str, size: float = SIZE) -> float:
    _, widths, _ = _metrics()
    return sum(widths[b - FIRST] if b >= FIRST else 0 for b in encode(text)) * size / 1000


def _literal(data: bytes) -> bytes:
    return b"(" + data.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


class FooterFont:
    """The footer font of one output document, made once and shared by every stamped page."""

    NAME = pikepdf.Name("/DossierFooter")

    def __init__(self, pdf: pikepdf.Pdf) -> None:
        data, widths, values = _metrics()
        descriptor = pikepdf.Dictionary(
            Type=pikepdf.Name.FontDescriptor,
            FontName=pikepdf.Name("/Dossier-Sans"),
            Flags=32,
            ItalicAngle=0,
            StemV=80,
            FontFile2=pikepdf.Stream(pdf, data),
            **values,
        )
        self.font = pdf.make_indirect(
            pikepdf.Dictionary(
                Type=pikepdf.Name.Font,
                Subtype=pikepdf.Name.TrueType,
                BaseFont=pikepdf.Name("/Dossier-Sans"),  # the bundled font under its CSS family name, as WeasyPrint names it
                FirstChar=FIRST,
                LastChar=LAST,
                Widths=list(widths),
                Encoding=pikepdf.Name.WinAnsiEncoding,
                FontDescriptor=pdf.make_indirect(descriptor),
            )
        )

    def footer(self, page_width: float, margins: tuple[float, float, float, float], number: int, total: int, chapter: str) -> bytes:
        """Content stream drawing the footer of a page `page_width` wide with `margins` (top,
        right, bottom, left, as print.css): the folio centred over the body, the chapter flush right."""
        _, right, _, left = margins
        folio = f"Page {number} of {total}"
        centre = left + (page_width - left - right) / 2
        ops = [b"q BT", b"/DossierFooter %g Tf 0 g" % SIZE, b"%.3f %.3f Td " % (centre - width(folio) / 2, BASELINE) + _literal(encode(folio)) + b" Tj ET"]
        if chapter:
            x = page_width - right - width(chapter)
            ops += [b"BT /DossierFooter %g Tf %g g" % (SIZE, CHAPTER_GRAY), b"%.3f %.3f Td " % (x, BASELINE) + _literal(encode(chapter)) + b" Tj ET"]
        ops.append(b"Q")
        return b"\n".join(ops)
