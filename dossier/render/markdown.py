"""Markdown for narrative fields: a documented subset of CommonMark in which text stays text.

The subset (docs/narrative-markdown.md): paragraphs, bullet lists (`-` or `*`), numbered lists
(`1.`), emphasis and strong emphasis, inline code, links (http and https only), tables,
superscript `^...^` and subscript `~...~` (no spaces inside: `Prkdc^scid^`, `H~2~O`), and hard
line breaks. Everything else is shown as written: a line starting with `>` (a criterion such as
"> 3 × ULN"), `#`, `+`, a number followed by `)`, or a line of `---` / `===` under a paragraph
(which CommonMark would make a quotation, a heading, a list, a rule or a heading) stays text, as
do indented lines, fences, link reference definitions, entities and raw HTML. Images are
disabled: nothing in a narrative may make the renderer fetch a file.
"""

from __future__ import annotations

import re
from functools import cache

from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from dossier.model.base import NotApplicable

# Block constructs a writer does not mean when a line happens to start with their marker.
_LITERAL_BLOCKS = ["blockquote", "heading", "lheading", "hr", "code", "fence", "reference", "html_block"]
_LITERAL_INLINE = ["entity", "html_inline", "image"]

# List markers outside the subset (`+` bullets, `1)` numbers), escaped so they stay text.
_PLUS_ITEM = re.compile(r"^([ \t]*)\+(?=[ \t]|$)", re.MULTILINE)
_PAREN_ITEM = re.compile(r"^([ \t]*\d{1,9})\)(?=[ \t]|$)", re.MULTILINE)


def _validate_link(url: str) -> bool:
    return url.strip().lower().startswith(("http://", "https://"))


def _script(marker: str, tag: str):
    """An inline rule for `marker`text`marker` -> <tag>text</tag> (Pandoc's superscript/subscript:
    no whitespace inside, not empty)."""
    def rule(state, silent: bool) -> bool:
        start = state.pos
        if state.src[start] != marker or start + 1 >= state.posMax:
            return False
        end = state.src.find(marker, start + 1, state.posMax)
        if end == -1:
            return False
        content = state.src[start + 1 : end]
        if not content or any(c.isspace() for c in content) or "\\" in content:
            return False
        if not silent:
            state.push(f"{tag}_open", tag, 1).markup = marker
            text = state.push("text", "", 0)
            text.content = content
            state.push(f"{tag}_close", tag, -1).markup = marker
        state.pos = end + 1
        return True

    return rule


@cache
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table")
    md.disable(_LITERAL_BLOCKS + _LITERAL_INLINE)
    md.inline.ruler.before("emphasis", "superscript", _script("^", "sup"))
    md.inline.ruler.before("emphasis", "subscript", _script("~", "sub"))
    md.validateLink = _validate_link
    return md


def _literal_markers(text: str) -> str:
    """Escape the list markers the subset does not use, so `+ 5 %` and `1) first` stay as written."""
    return _PAREN_ITEM.sub(r"\1\\)", _PLUS_ITEM.sub(r"\1\\+", text))


_SUP = re.compile(r"\^([^\s^\\]+)\^")
_SUB = re.compile(r"~([^\s~\\]+)~")


def render_scripts(text: object) -> Markup:
    """A short text field (a strain, a species) with `^...^` superscript and `~...~` subscript, as
    in narratives; everything else escaped."""
    if text is None:
        return Markup("")
    escaped = str(escape(str(text)))
    return Markup(_SUB.sub(r"<sub>\1</sub>", _SUP.sub(r"<sup>\1</sup>", escaped)))


def render_markdown(text: str | NotApplicable | None) -> Markup:
    """Narrative -> safe HTML; a not-applicable answer becomes its stated reason."""
    if not text:
        return Markup("")
    if isinstance(text, NotApplicable):
        return Markup('<p class="not-applicable">Not applicable: ') + escape(text.reason) + Markup("</p>")
    return Markup(_parser().render(_literal_markers(text)))
