"""Draw attached PDFs into their slot pages and nest their bookmarks (after layout).

The HTML gives each attached document a cover sheet and one empty slot page per page of the
PDF (ids ``<anchor>-p<k>``, named destinations in the laid-out PDF). Here each slot receives its
page as a form XObject, scaled into the body area so the compiled document's header, footer and
page numbers stay correct, and the attachment's own top-level bookmarks are nested under its
section's bookmark (as deep as the 4-level limit allows). Links inside attached pages are not
carried over; the attachment file itself travels unchanged in the eCTD layout and the manifest.
"""

from __future__ import annotations

import re

import pikepdf

from dossier.packs.outline import attachment_anchor

# Body area of a page: the margins of templates/_base/print.css.j2 (top, right, bottom, left), in points.
MARGINS = (72.0, 61.2, 68.4, 72.0)
MAX_DEPTH = 4
_SLOT = re.compile(r"^(att-.+)-p\d+$")


def slot_name(anchor: str, k: int) -> str:
    """Named destination of the k-th (1-based) slot page of the attachment section `anchor`."""
    return f"{anchor}-p{k}"


def slot_of(name: str) -> str | None:
    """The attachment section anchor a slot destination belongs to (None for other names)."""
    m = _SLOT.match(name)
    return m[1] if m else None


def apply(pdf: pikepdf.Pdf, attachments: dict) -> None:
    if not attachments:
        return
    dests = _named_dests(pdf)
    index = {page.objgen: i for i, page in enumerate(pdf.pages)}
    drawn: list = []
    for att in attachments.values():
        anchor = attachment_anchor(att.file)
        slots = [dests.get(slot_name(anchor, k)) for k in range(1, att.pages + 1)]
        if any(s is None for s in slots):
            continue  # not in this document (e.g. a --section build without it)
        with pikepdf.open(att.path) as src:
            for slot, page in zip(slots, src.pages):
                _draw(pdf, pikepdf.Page(slot), page, pikepdf.Name(f"/DossierAtt{len(drawn)}"))
                drawn.append(slot)
            nested = _outline(src)
        if len(nested) == 1 and nested[0][1] == 0 and nested[0][2]:
            nested = nested[0][2]  # a single bookmark for the whole document: its sections instead
        heading = dests.get(anchor)
        if heading is not None and nested:
            _nest(pdf, index[heading.objgen], [index[s.objgen] for s in slots], nested)
    _drop_slot_names(pdf)
    if drawn:
        from dossier.render.assemble import share_fonts

        share_fonts(pdf)  # an attachment often embeds the same whole font as the document


def _drop_slot_names(pdf: pikepdf.Pdf) -> None:
    """Slot destinations were only the way to find the pages; they are not for readers."""
    names = pdf.Root.get("/Names")
    if names is None or "/Dests" not in names:
        return
    tree = pikepdf.NameTree(names.Dests)
    for name in [str(n) for n in tree.keys() if slot_of(str(n))]:
        del tree[name]


def _draw(pdf: pikepdf.Pdf, target: pikepdf.Page, page: pikepdf.Object, name: pikepdf.Name) -> None:
    """Draw a foreign page into target's body as a form XObject under a fixed name (pikepdf's
    add_overlay picks random names, which would make builds differ)."""
    formx = pdf.copy_foreign(pikepdf.Page(page).as_form_xobject())
    resources = pikepdf.Dictionary({k: v for k, v in target.obj.Resources.items()})  # WeasyPrint shares one dict
    xobjects = pikepdf.Dictionary({k: v for k, v in resources.get("/XObject", pikepdf.Dictionary()).items()})
    xobjects[name] = formx
    resources.XObject = xobjects
    target.obj.Resources = resources
    placement = target.calc_form_xobject_placement(formx, name, _body(target), allow_shrink=True, allow_expand=True)
    target.contents_add(pdf.make_stream(b"q " + placement + b" Q"), prepend=False)


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


def _body(page: pikepdf.Page) -> pikepdf.Rectangle:
    box = page.mediabox
    top, right, bottom, left = MARGINS
    return pikepdf.Rectangle(float(box[0]) + left, float(box[1]) + bottom, float(box[2]) - right, float(box[3]) - top)


def _outline(src: pikepdf.Pdf) -> list[tuple[str, int, list]]:
    """(title, 0-based page, children) of the attachment's bookmarks."""
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
        return walk(ol.root)


def _nest(pdf: pikepdf.Pdf, heading_page: int, slot_pages: list[int], nested: list) -> None:
    index = {page.objgen: i for i, page in enumerate(pdf.pages)}
    with pdf.open_outline() as ol:
        found = _find(ol.root, heading_page, 1, index)
        if found is None:
            return
        item, depth = found

        def add(parent, entries, level):
            if level > MAX_DEPTH:
                return
            for title, page, children in entries:
                child = pikepdf.OutlineItem(title, slot_pages[page])
                parent.children.append(child)
                add(child, children, level + 1)

        add(item, nested, depth + 1)


def _find(items, page: int, depth: int, index: dict):
    """The deepest bookmark pointing at `page` that comes last in order (the attachment's heading)."""
    hit = None
    for item in items:
        deeper = _find(item.children, page, depth + 1, index)
        if deeper is not None:
            hit = deeper
        elif _page_index(item, index) == page:
            hit = (item, depth)
    return hit


def _page_index(item, index: dict) -> int | None:
    dest = item.destination
    if isinstance(dest, pikepdf.Array) and len(dest) and isinstance(dest[0], pikepdf.Dictionary):
        return index.get(dest[0].objgen)
    return None
