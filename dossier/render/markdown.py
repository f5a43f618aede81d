"""Markdown for narrative fields: CommonMark + tables, raw HTML shown as text.

Links are limited to http(s) (submission gateways refuse other schemes), images are
disabled (nothing in a narrative may make the renderer fetch a file), and headings
written in a narrative become unnumbered sub-headings (h6) so they never enter the
bookmark tree, whose depth and numbering come from the pack.
"""

from __future__ import annotations

from functools import cache

from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from dossier.model.base import NotApplicable


def _validate_link(url: str) -> bool:
    return url.strip().lower().startswith(("http://", "https://"))


def _demote_headings(state) -> None:
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = "h6"
            if token.type == "heading_open":
                token.attrSet("class", "md-heading")


@cache
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table")
    md.disable("image")
    md.validateLink = _validate_link
    md.core.ruler.push("demote_headings", _demote_headings)
    return md


def render_markdown(text: str | NotApplicable | None) -> Markup:
    """Narrative -> safe HTML; a not-applicable answer becomes its stated reason."""
    if not text:
        return Markup("")
    if isinstance(text, NotApplicable):
        return Markup('<p class="not-applicable">Not applicable: ') + escape(text.reason) + Markup("</p>")
    return Markup(_parser().render(text))
