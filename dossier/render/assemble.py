"""Assemble separately laid-out PDF parts into one document (pikepdf only).

Each part keeps its own pages, links and bookmarks; this module joins the pages, rebuilds one
name tree of link destinations and one outline with global page numbers, draws the folio
(running header and "Page X of Y" footer) over every page, and stores each embedded font once.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass, field

import pikepdf

from dossier.render.attach import slot_of


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


def assemble(parts: list[tuple[bytes, PartInfo]], own: list[set[str]], folios: list[bytes], levels: dict[str, int]) -> bytes:
    """Join `parts` (in order); `own[k]` are the anchors part k really renders (others are stubs).

    `levels` gives each bookmark title its level in the whole document: a part that starts with
    a level-2 heading has it at the top of its own outline.
    """
    out = pikepdf.new()
    infos = [info for _, info in parts]
    parts = [raw for raw, _ in parts]
    opened = []
    base = 0
    dests: dict[str, tuple[int, list]] = {}
    outline: list[tuple[int, str, int, list]] = []
    for k, (raw, info) in enumerate(zip(parts, infos)):
        src = pikepdf.open(io.BytesIO(raw))
        opened.append(src)
        if k == 0:
            out.docinfo = out.copy_foreign(src.docinfo)
        with warnings.catch_warnings():  # destinations are rebuilt below, for all parts at once
            warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
            out.pages.extend(src.pages)
        for name, (page, params) in info.dests.items():
            if name in own[k] or slot_of(name) in own[k]:  # attachment slot pages travel with their section
                dests[name] = (base + page, params)
        outline += [(levels.get(title, depth), title, base + page, params) for depth, title, page, params in info.outline]
        base += info.pages
    _write_dests(out, dests)
    _write_outline(out, outline)
    folio_pdfs = [pikepdf.open(io.BytesIO(raw)) for raw in folios]
    folio_pages = [p for f in folio_pdfs for p in f.pages]
    if len(folio_pages) != len(out.pages):
        raise ValueError(f"folio has {len(folio_pages)} pages for {len(out.pages)} document pages")
    for number, (page, over) in enumerate(zip(out.pages, folio_pages), 1):
        _overlay(out, page, over, number)
    share_fonts(out)
    buf = io.BytesIO()
    out.save(buf, deterministic_id=True, min_version="1.7")
    for src in [*opened, *folio_pdfs]:
        src.close()
    return buf.getvalue()


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
                digest = hashlib.sha256(stream.read_raw_bytes()).hexdigest()
                first = seen.setdefault((key, digest), stream)
                if first.objgen != stream.objgen:
                    obj[key] = first
