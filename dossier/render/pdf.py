"""HTML -> submission-ready PDF. The only module that imports WeasyPrint.

WeasyPrint lays out the pages; pikepdf then does what WeasyPrint does not
(TECH-NOTES §0.1): open with the bookmarks panel, name fully embedded fonts
without a subset tag, linearise for fast web view, and write a deterministic
document ID so the same input gives the same bytes.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pikepdf

from dossier.render.libprobe import loader_cache_only

with loader_cache_only():
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

from dossier.errors import RenderError
from dossier.resources import templates_dir

class SandboxFetcher(URLFetcher):
    """Fetch only files inside the allowed folders (templates, the dossier's own folder).

    Everything else -- network, other local files, data: URIs other than PNG or SVG images --
    is refused, so nothing in a dossier can make the renderer read /etc/passwd or call a
    metadata service. The images are the sponsor's figures, embedded by the templates only
    after dossier/figure_files.py has checked them (narrative text cannot make an <img>).
    """

    def __init__(self, roots: list[Path]) -> None:
        super().__init__(timeout=1, allowed_protocols=("file", "data"), fail_on_errors=True)  # data: only for the images fetch() lets through
        self.roots = [r.resolve() for r in roots]

    def fetch(self, url, headers=None):  # noqa: D102 - WeasyPrint API
        if url.startswith(("data:image/png;base64,", "data:image/svg+xml;base64,")):
            return super().fetch(url, headers)
        if not url.startswith("file://"):
            raise FatalURLFetchingError(f"blocked resource (not a local bundled file): {url[:80]}")
        from urllib.parse import unquote, urlparse

        path = Path(unquote(urlparse(url).path)).resolve()
        if not any(path == r or r in path.parents for r in self.roots):
            raise FatalURLFetchingError(f"blocked resource outside the allowed folders: {url[:80]}")
        return super().fetch(url, headers)


def render_raw(html: str, extra_roots: list[Path] | None = None) -> bytes:
    """Lay out `html` with WeasyPrint (sandboxed fetcher, bundled fonts embedded whole)."""
    base = templates_dir() / "_base"
    fetcher = SandboxFetcher([templates_dir(), *(extra_roots or [])])
    options = {"full_fonts": True, "pdf_version": "1.7"}

    def layout(source: str):
        try:
            return HTML(string=source, base_url=str(base) + "/", url_fetcher=fetcher).render(font_config=FontConfiguration(), **options)
        except FatalURLFetchingError as exc:
            raise RenderError(f"rendering refused a resource: {exc}") from None

    document = layout(html)
    lost = overflowing(document)
    if lost and all(table is not None for _, _, table in lost):
        # only tables are too wide: let their cells break inside words, and lay out again
        document = layout(tighten(html, {table for _, _, table in lost}))
        lost = overflowing(document)
    if lost:
        where = "; ".join(f"page {page}: {text!r}" for page, text, _ in lost[:5])
        raise RenderError(f"content runs past the right margin and would be cut off ({len(lost)} place(s): {where})")
    return document.write_pdf(**options)


def tighten(html: str, tables: set[str]) -> str:
    """`html` with the tables numbered in `tables` (their data-t) marked data-tight: their cells may
    break inside a word (print.css), which a table too wide for the page needs."""
    for number in sorted(tables):
        html = html.replace(f'data-t="{number}"', f'data-t="{number}" data-tight=""', 1)
    return html


OVERFLOW_TOLERANCE = 1.0
"""CSS pixels a box may pass the content edge by (rounding in the layout)."""


def overflowing(document) -> list[tuple[int, str, str | None]]:
    """(page number, text, the data-t of its table or None) of each text that ends beyond the
    right edge of its page's content area — text a reader of the PDF would not see. Running
    headers and footers (margin boxes) are outside the content area by design and are not looked at."""
    from weasyprint.formatting_structure import boxes

    found: list[tuple[int, str, str | None]] = []
    for number, page in enumerate(document.pages, start=1):
        page_box = page._page_box
        limit = page_box.content_box_x() + page_box.width + OVERFLOW_TOLERANCE
        stack = [(child, None) for child in page_box.children if not isinstance(child, boxes.MarginBox)]
        while stack:
            box, table = stack.pop()
            if getattr(box, "element_tag", None) == "table" and box.element is not None and box.element.get("data-t"):
                table = box.element.get("data-t")
            if isinstance(box, boxes.TextBox):
                if box.position_x + box.width > limit:
                    found.append((number, box.text[:60], table))
            elif isinstance(box, boxes.ParentBox):
                stack.extend((child, table) for child in box.children)
    return found


def html_to_pdf(html: str, *, extra_roots: list[Path] | None = None, on_stage: Callable[[], None] | None = None) -> bytes:
    """Lay out `html` in one pass and return finished PDF bytes (page mode, fonts, linearised).
    `on_stage()` is called after the layout and after the finishing."""
    raw = render_raw(html, extra_roots)
    if on_stage is not None:
        on_stage()
    pdf = finish_pdf(raw)
    if on_stage is not None:
        on_stage()
    return pdf


def finish_pdf(raw: bytes) -> bytes:
    """A laid-out PDF finished as assemble.finish says (page mode, fonts, linearised, deterministic ID)."""
    from dossier.render.assemble import finish

    with pikepdf.open(io.BytesIO(raw)) as pdf:
        return finish(pdf)
