"""Parallel PDF build: lay out parts of the document in worker processes, then assemble.

The document is cut at level-2 sections (each already starts a page, so pagination is the same
as a single pass) into contiguous parts of similar size. Workers lay out the front part
(title page, contents, front matter) and the body parts at the same time; the contents are then
laid out again with the final page numbers, the folio (header, "Page X of Y", chapter) is drawn
for all pages at once, and `assemble` joins everything with one outline and one set of links.
"""

from __future__ import annotations

import dataclasses
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from dossier.model import Dossier
from dossier.packs.manifest import Pack
from dossier.packs.outline import Node
from dossier.render.assemble import PartInfo, assemble, read_part, split
from dossier.render.cache import PieceCache
from dossier.render.cache import key as piece_key
from dossier.render.html import RenderOptions, render_folio, render_fragment, render_html
from dossier.render.pdf import finish_pdf, render_raw

MIN_UNITS = 4
"""Below this many level-2 sections a single pass is as fast."""


def _units(outline: list[Node]) -> list[Node]:
    """Level-2 sections as renderable roots; a module heading travels with its first section."""
    units: list[Node] = []
    for root in outline:
        if not root.children:
            units.append(root)
            continue
        first, *rest = root.children
        units.append(dataclasses.replace(root, children=[first]))
        units.extend(rest)
    return units


def _partition(weights: list[int], parts: int) -> list[tuple[int, int]]:
    """Contiguous ranges of roughly equal total weight."""
    target = sum(weights) / parts
    ranges, start, acc = [], 0, 0
    for i, w in enumerate(weights):
        acc += w
        if acc >= target and len(ranges) < parts - 1 and i + 1 < len(weights):
            ranges.append((start, i + 1))
            start, acc = i + 1, 0
    ranges.append((start, len(weights)))
    return ranges


def _anchors(nodes: list[Node]) -> list[str]:
    return [n.anchor for root in nodes for n in root.walk()]


def worth_it(outline: list[Node], jobs: int) -> bool:
    return jobs > 1 and len(_units(outline)) >= MIN_UNITS


def build_parallel(
    pack: Pack, d: Dossier, outline: list[Node], options: RenderOptions, extra_roots: list[Path], jobs: int, cache: PieceCache | None = None
) -> bytes:
    cache = cache or PieceCache(enabled=False)
    units = _units(outline)
    everything = set(_anchors(outline)) | {"toc", "justifications"} | {f"fm-{i + 1}" for i in range(len(pack.front_matter))}
    body_options = dataclasses.replace(options, mode="body", all_nodes=outline)
    fragments = [render_fragment(pack, d, u, body_options) for u in units]
    # a section's pages depend only on its own HTML (each level-2 section starts a page)
    keys = [piece_key(render_html(pack, d, [], dataclasses.replace(body_options, fragments=[f]))) for f in fragments]
    pieces: list[tuple[bytes, PartInfo] | None] = [cache.get(k) for k in keys]
    owns = [set(_anchors([u])) for u in units]
    front_own = everything - set().union(*owns)
    placeholder = {a: 999 for a in everything}

    def front(page_of: dict[str, int], sizing_only: bool = False) -> str:
        opts = dataclasses.replace(options, mode="front", all_nodes=outline, page_of=page_of, hidden_anchors=sorted(everything - front_own), sizing_only=sizing_only)
        return render_html(pack, d, [], opts)

    missing = [i for i, p in enumerate(pieces) if p is None]
    groups = [[missing[j] for j in range(a, b)] for a, b in _partition([len(fragments[i]) for i in missing], max(1, min(len(missing), jobs)))] if missing else []
    parts_html = []
    for group in groups:
        own = set().union(*(owns[i] for i in group))
        parts_html.append(render_html(pack, d, [], dataclasses.replace(body_options, hidden_anchors=sorted(everything - own), fragments=[fragments[i] for i in group])))
    roots = [*extra_roots]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        sizing = _cached_render(pool, cache, [front(placeholder, sizing_only=True), *parts_html], roots)
        front_info = sizing[0][1]
        for group, (raw, info) in zip(groups, sizing[1:]):
            starts = [info.dests[units[i].anchor][0] for i in group]
            for i, piece in zip(group, split(raw, info, starts)):
                pieces[i] = piece
                cache.put(keys[i], *piece)
        body = [p for p in pieces if p is not None]
        for _ in range(3):  # the contents rarely change length when the numbers go in; check anyway
            infos = [front_info, *(info for _, info in body)]
            page_of = _page_numbers(infos, [front_own, *owns])
            folios = _folio(pack, d, outline, options, infos, [front_own, *owns], jobs)
            front_piece, *folio_pieces = _cached_render(pool, cache, [front(page_of), *folios], roots)
            if front_piece[1].pages == front_info.pages:
                break
            front_info = front_piece[1]
    levels = {f"{n.label} {n.title}": n.level for root in outline for n in root.walk()}
    return finish_pdf(assemble([front_piece, *body], [front_own, *owns], [raw for raw, _ in folio_pieces], levels))


def _cached_render(pool, cache: PieceCache, htmls: list[str], roots: list[Path]) -> list[tuple[bytes, PartInfo]]:
    """Lay out each HTML document, taking what the cache already has."""
    keys = [piece_key(h) for h in htmls]
    found = [cache.get(k) for k in keys]
    todo = [i for i, f in enumerate(found) if f is None]
    for i, raw in zip(todo, pool.map(render_raw, [htmls[i] for i in todo], [roots] * len(todo))):
        found[i] = (raw, read_part(raw))
        cache.put(keys[i], *found[i])
    return found


def _page_numbers(infos, owns) -> dict[str, int]:
    """Anchor -> 1-based page number in the assembled document."""
    out, base = {}, 0
    for info, own in zip(infos, owns):
        for name, (page, _) in info.dests.items():
            if name in own:
                out[name] = base + page + 1
        base += info.pages
    return out


def _folio(pack: Pack, d: Dossier, outline: list[Node], options: RenderOptions, infos, owns, pieces: int) -> list[str]:
    """Folio HTML in `pieces` parts; per page: number, orientation and chapter (the last level-1
    heading started at or before it)."""
    chapters = {"toc": "Table of contents", "justifications": "Waivers and not-applicable answers"}
    chapters.update({f"fm-{i + 1}": fm.title for i, fm in enumerate(pack.front_matter)})
    chapters.update({root.anchor: f"{root.label} {root.title}" for root in outline})
    starts: dict[int, str] = {}
    for name, page in _page_numbers(infos, owns).items():
        if name in chapters:
            starts[page] = chapters[name]
    pages, current = [], ""
    landscape = [flag for info in infos for flag in info.landscape]
    for number, wide in enumerate(landscape, 1):
        current = starts.get(number, current)
        pages.append({"number": number, "landscape": wide, "chapter": current})
    size = -(-len(pages) // pieces)
    return [render_folio(pack, d, pages[i : i + size], len(pages), options) for i in range(0, len(pages), size)]


def default_jobs() -> int:
    return max(1, min(os.cpu_count() or 1, 8))
