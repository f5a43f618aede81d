"""Parallel PDF build: lay out parts of the document in worker processes, then assemble.

The document is cut at level-2 sections (each already starts a page, so pagination is the same
as a single pass) into contiguous parts of similar size. Workers lay out the front part
(title page, contents, front matter) and the body parts at the same time; the contents are then
laid out again with the final page numbers, the folio (header, "Page X of Y", chapter) is drawn
for all pages at once, and `assemble` joins everything with one outline and one set of links.
`build_single` is the single pass, for small documents and `jobs=1`. Both report their units of
work to a `Steps` (dossier/progress.py) and print nothing.
"""

from __future__ import annotations

import dataclasses
import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from dossier.model import Dossier
from dossier.packs.manifest import Pack
from dossier.packs.outline import ATTACHMENT_TEMPLATE, Node
from dossier.progress import Steps
from dossier.render.assemble import Pagination, PartInfo, assemble, read_part
from dossier.render.cache import PieceCache
from dossier.render.figures import flat
from dossier.render.figures import plan as figure_plan
from dossier.render.cache import key as piece_key
from dossier.render.html import RenderOptions, render_folio, render_fragment, render_html

MIN_UNITS = 4
"""Below this many level-2 sections a single pass is as fast."""
PARTS_PER_JOB = 3
"""More, smaller parts balance the workers and let a rebuild reuse more of the cache, at a
small fixed cost per part."""


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


def _anchors(nodes: list[Node], figures: dict | None = None) -> list[str]:
    """The anchors the nodes render: each heading's, and those of the figures under it."""
    figures = figures or {}
    return [a for root in nodes for n in root.walk() for a in (n.anchor, *(f.anchor for f in figures.get(n.anchor, ())))]


def worth_it(outline: list[Node], jobs: int) -> bool:
    return jobs > 1 and len(_units(outline)) >= MIN_UNITS


def _groups(sizes: list[int], parts: int) -> list[tuple[int, int]]:
    """Contiguous groups of sections of nearly equal size (`sizes`: each section's HTML length,
    which tracks its layout time), `min(len(sizes), parts)` of them: each boundary is the section
    edge nearest to its share of the total. The cut depends on the sections' HTML alone, never on
    the cache, so a cached build and a fresh one lay out the same parts; an edit moves a boundary
    only when it shifts a share past a section edge."""
    count = len(sizes)
    parts = max(1, min(count, parts))
    cumulative = [0]
    for size in sizes:
        cumulative.append(cumulative[-1] + size)
    total = cumulative[-1] or 1
    bounds = [0]
    for k in range(1, parts):
        lo, hi = bounds[-1] + 1, count - (parts - k)  # leave at least one section for each later group
        target = total * k / parts
        bounds.append(min(range(lo, hi + 1), key=lambda j: (abs(cumulative[j] - target), j)))
    bounds.append(count)
    return list(zip(bounds, bounds[1:]))


def build_single(pack: Pack, d: Dossier, outline: list[Node], options: RenderOptions, extra_roots: list[Path], steps: Steps | None = None) -> bytes:
    """The whole document in one WeasyPrint pass."""
    steps = steps or Steps()
    from dossier.render.pdf import html_to_pdf

    steps.plan(["HTML", "layout", "finishing"])
    html = render_html(pack, d, outline, options)
    steps.advance()
    return html_to_pdf(html, extra_roots=extra_roots, on_stage=steps.advance)


def build_parallel(
    pack: Pack,
    d: Dossier,
    outline: list[Node],
    options: RenderOptions,
    extra_roots: list[Path],
    jobs: int,
    cache: PieceCache | None = None,
    steps: Steps | None = None,
) -> bytes:
    cache = cache or PieceCache(enabled=False)
    steps = steps or Steps()
    units = _units(outline)
    # the front part (sized with placeholder page numbers) and the body parts are laid out together
    steps.plan(["HTML", *["laying out sections"] * (1 + min(len(units), PARTS_PER_JOB * jobs)), "contents and page numbers", "assembling"])
    # the workers start first and import the layout engine while this process writes the HTML
    with _Workers(jobs) as pool:
        figures = figure_plan(outline)
        everything = set(_anchors(outline, figures)) | {"toc", "justifications"} | {f"fm-{i + 1}" for i in range(len(pack.front_matter))}
        body_options = dataclasses.replace(options, mode="body", all_nodes=outline)
        fragments = [render_fragment(pack, d, u, body_options) for u in units]
        groups = _groups([len(f) for f in fragments], PARTS_PER_JOB * jobs)
        bodies, owns = [], []
        for a, b in groups:
            own = set(_anchors(units[a:b], figures))
            bodies.append(render_html(pack, d, [], dataclasses.replace(body_options, hidden_anchors=sorted(everything - own), fragments=fragments[a:b])))
            owns.append(own)
        front_own = everything - set().union(*owns)
        placeholder = {a: 999 for a in everything}

        def front(page_of: dict[str, int], sizing_only: bool = False) -> str:
            opts = dataclasses.replace(options, mode="front", all_nodes=outline, page_of=page_of, hidden_anchors=sorted(everything - front_own), sizing_only=sizing_only)
            return render_html(pack, d, [], opts)

        roots = [*extra_roots]
        first = [front(placeholder, sizing_only=True), *bodies]
        steps.advance()
        sizing, *body = _cached_render(pool, cache, first, roots, on_done=steps.advance)
        front_info = sizing[1]
        all_owns = [front_own, *owns]
        for _ in range(3):  # the contents rarely change length when the numbers go in; check anyway
            infos = [front_info, *(info for _, info in body)]
            pagination = Pagination.plan(infos, all_owns, options.attachments)
            chapters = _chapters(pack, outline, pagination.page_numbers(infos, all_owns), pagination.total)
            folios = _folio(pack, d, options, infos, pagination, chapters, jobs)
            front_piece, *folio_pieces = _cached_render(pool, cache, [front(pagination.page_numbers(infos, all_owns)), *folios], roots)
            if front_piece[1].pages == front_info.pages:
                break
            front_info = front_piece[1]
    steps.advance()
    levels = {n.heading: n.level for root in outline for n in root.walk()}
    levels.update({f.bookmark: f.level for f in flat(figures)})
    pdf = assemble([front_piece, *body], all_owns, [raw for raw, _ in folio_pieces], levels, pagination, chapters)
    steps.advance()
    return pdf


def _cached_render(pool, cache: PieceCache, htmls: list[str], roots: list[Path], on_done=None) -> list[tuple[bytes, PartInfo]]:
    """Lay out each HTML document, taking what the cache already has; `on_done()` after each
    document (cache hits first, then the others as they finish)."""
    keys = [piece_key(h) for h in htmls]
    found = [cache.get(k) for k in keys]
    # the longest first, so that no long piece is left to run alone at the end
    todo = {pool.submit(render_raw, htmls[i], roots): i for i in sorted(range(len(htmls)), key=lambda i: -len(htmls[i])) if found[i] is None}
    if on_done is not None:
        for _ in range(len(htmls) - len(todo)):
            on_done()
    for future in as_completed(todo):
        i = todo[future]
        raw = future.result()
        found[i] = (raw, read_part(raw))
        cache.put(keys[i], *found[i])
        if on_done is not None:
            on_done()
    return found


class _Workers(ProcessPoolExecutor):
    """Worker processes that never outlive the build: on any exception in the parent (an error,
    Ctrl-C, SIGTERM) they are killed before the pool is shut down, instead of being waited for;
    each worker ignores SIGINT (the terminal sends it to the whole process group: the parent
    decides) and is killed by the kernel if the parent dies (Linux PR_SET_PDEATHSIG)."""

    def __init__(self, jobs: int) -> None:
        super().__init__(max_workers=jobs, initializer=_worker_setup, initargs=(os.getpid(),))
        self.submit(os.getpid)  # start the workers now (all of them, as forked workers are)

    def __exit__(self, kind, value, tb):
        if kind is not None:
            # taken before shutdown(), which forgets them (sets _processes to None)
            processes = list((self._processes or {}).values())
            for process in processes:
                process.kill()
            for process in processes:
                process.join()  # dead before the caller removes the scratch folder they write to
            self.shutdown(wait=False, cancel_futures=True)
        return super().__exit__(kind, value, tb)


def _worker_setup(parent: int) -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGHUP, signal.SIG_DFL)
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        pass
    if os.getppid() != parent:  # the parent died before the death signal was armed
        os._exit(1)
    import dossier.render.pdf  # noqa: F401 - WeasyPrint, imported here and not in the parent


def render_raw(html: str, roots: list[Path]) -> bytes:
    """Lay out one piece (in a worker)."""
    from dossier.render.pdf import render_raw as lay_out

    return lay_out(html, roots)


def _chapters(pack: Pack, outline: list[Node], page_of: dict[str, int], total: int) -> list[str]:
    """Per page of the assembled document, the chapter its footer names: the last level-1
    heading (or front-matter part) started at or before it."""
    names = {"toc": "Table of contents", "justifications": "Waivers and not-applicable answers"}
    names.update({f"fm-{i + 1}": fm.title for i, fm in enumerate(pack.front_matter)})
    names.update({root.anchor: root.heading for root in outline})
    starts = {page: names[name] for name, page in page_of.items() if name in names}
    out, current = [], ""
    for number in range(1, total + 1):
        current = starts.get(number, current)
        out.append(current)
    return out


def _folio(pack: Pack, d: Dossier, options: RenderOptions, infos: list[PartInfo], pagination: Pagination, chapters: list[str], pieces: int) -> list[str]:
    """Folio HTML of the laid-out pages (an attached page's footer is stamped at assembly) in
    `pieces` parts; per page: number in the whole document, orientation and chapter."""
    pages = [
        {"number": index + 1, "landscape": wide, "chapter": chapters[index]}
        for info, local in zip(infos, pagination.parts)
        for index, wide in zip(local, info.landscape)
    ]
    size = -(-len(pages) // pieces)
    return [render_folio(pack, d, pages[i : i + size], pagination.total, options) for i in range(0, len(pages), size)]


def attaches(outline: list[Node], attachments: dict) -> bool:
    """Whether the document shows an attached document's pages (placed at assembly, so it is
    built in parts even when a single pass would do)."""
    return any(n.section.template == ATTACHMENT_TEMPLATE and getattr(n.item, "file", None) in attachments for root in outline for n in root.walk())


def default_jobs() -> int:
    return max(1, min(os.cpu_count() or 1, 8))
