"""Attached PDFs in the compiled document: their marker, their pages, their bookmarks.

The HTML gives each attached document a cover sheet ending with a marker (an empty element with
the id ``<anchor>-pages``, a named destination in the laid-out PDF) and a page break. The
attached pages are not laid out: assembly (render/assemble.py) inserts them after the marker's
page, each on a page of the document's size (landscape for a landscape original) with the PDF
page drawn as a form XObject scaled into the body area, so the footer (render/stamp.py) and the
margins stay the document's. The attachment's own bookmarks are nested under its section's
bookmark, as deep as the 4-level limit allows. Links inside attached pages are not carried over;
the attachment file itself travels unchanged in the eCTD layout and the manifest.
"""

from __future__ import annotations

import re

import pikepdf

# Body area of a page: the margins of templates/_base/print.css.j2 (top, right, bottom, left), in points.
MARGINS = (72.0, 61.2, 68.4, 72.0)
MAX_DEPTH = 4
_MARKER = re.compile(r"^(att-.+)-pages$")


def marker_name(anchor: str) -> str:
    """Named destination of the marker that ends the cover sheet of the attachment section `anchor`."""
    return f"{anchor}-pages"


def slot_of(name: str) -> str | None:
    """The attachment section anchor a marker destination belongs to (None for other names)."""
    m = _MARKER.match(name)
    return m[1] if m else None


def is_landscape(page: pikepdf.Page) -> bool:
    """Whether the page is seen wider than tall (its crop box, after /Rotate)."""
    box = page.cropbox
    wide = abs(float(box[2]) - float(box[0])) > abs(float(box[3]) - float(box[1]))
    return wide != (int(page.obj.get("/Rotate", 0)) % 180 == 90)


def place(out: pikepdf.Pdf, source: pikepdf.Page, size: tuple[float, float], name: str, after: bytes = b"") -> pikepdf.Dictionary:
    """A new page of `size` (width, height) showing `source` (a page of another PDF) scaled into
    the body area, under the fixed XObject `name` (pikepdf's add_overlay picks random names,
    which would make builds differ), then the content `after`. The page is not yet in `out.pages`."""
    formx = out.copy_foreign(source.as_form_xobject())
    w, h = size
    top, right, bottom, left = MARGINS
    body = pikepdf.Rectangle(left, bottom, w - right, h - top)
    page = pikepdf.Dictionary(
        Type=pikepdf.Name.Page,
        MediaBox=[0, 0, w, h],
        Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary({name: formx})),
    )
    placement = pikepdf.Page(page).calc_form_xobject_placement(formx, pikepdf.Name(name), body, allow_shrink=True, allow_expand=True)
    page.Contents = out.make_stream(b"q " + placement + b" Q\n" + after)
    return page


def bookmarks(src: pikepdf.Pdf) -> list[tuple[int, str, int]]:
    """(depth from 1, title, 0-based page) of the attachment's bookmarks in reading order; a single
    top bookmark for the whole document is replaced by its children."""
    index = {page.objgen: i for i, page in enumerate(src.pages)}
    dests = _named_dests(src)

    def page_of(item) -> int | None:
        dest = item.destination
        if dest is None and item.action is not None and item.action.get("/S") == "/GoTo":
            dest = item.action.get("/D")
        if isinstance(dest, (pikepdf.String, pikepdf.Name, str)):
            obj = dests.get(str(dest).lstrip("/"))
            return index.get(obj.objgen) if obj is not None else None
        if isinstance(dest, pikepdf.Array) and len(dest):
            return index.get(dest[0].objgen) if isinstance(dest[0], pikepdf.Dictionary) else int(dest[0])
        return None

    def walk(items) -> list:
        out = []
        for item in items:
            p = page_of(item)
            if p is not None:
                out.append((str(item.title), p, walk(item.children)))
        return out

    with src.open_outline() as ol:
        tree = walk(ol.root)
    if len(tree) == 1 and tree[0][1] == 0 and tree[0][2]:
        tree = tree[0][2]  # a single bookmark for the whole document: its sections instead
    flat: list[tuple[int, str, int]] = []

    def flatten(entries, depth):
        for title, page, children in entries:
            flat.append((depth, title, page))
            flatten(children, depth + 1)

    flatten(tree, 1)
    return flat


def _named_dests(pdf: pikepdf.Pdf) -> dict[str, pikepdf.Object]:
    names = pdf.Root.get("/Names")
    if names is None or "/Dests" not in names:
        return {}
    out = {}
    for name, dest in pikepdf.NameTree(names.Dests).items():
        arr = dest.get("/D") if isinstance(dest, pikepdf.Dictionary) else dest
        if isinstance(arr, pikepdf.Array) and len(arr):
            out[str(name)] = arr[0]
    return out
