"""Render a dossier through a pack's section tree to one HTML document."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from typing import Any

from dossier import factpath
from dossier.model import Dossier
from dossier.packs.manifest import Pack
from dossier.packs.outline import Node
from dossier.render.env import make_env
from dossier.rules import Missing


@dataclass
class RenderOptions:
    draft: bool = False
    section_title: str | None = None
    """Set when rendering a single section (--section): shown on the title page."""
    missing: dict[str, list[Missing]] = field(default_factory=dict)
    tool_version: str = ""
    justifications: list = field(default_factory=list)
    """Waived findings and not-applicable answers, listed for reviewers after the contents."""


def document_date(d: Dossier) -> dt.date | None:
    """The date printed in the document: the YAML's, else SOURCE_DATE_EPOCH's, else none.

    Never the wall clock, so the same input gives the same bytes.
    """
    if d.submission.date:
        return d.submission.date
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc).date()
    return None


def _show(node: Node, d: Dossier) -> list[tuple[str, Any]]:
    """(path, value) for each narrative fact a `show:` section presents."""
    out = []
    for path in node.section.show:
        relative, p = factpath.split_relative(path)
        for _, value in factpath.resolve(node.item if relative else d, p):
            out.append((path, value))
    return out


def render_html(pack: Pack, d: Dossier, nodes: list[Node], options: RenderOptions) -> str:
    env = make_env(pack.date_format)
    anchors: dict[str, str] = {"toc": "toc"}
    for root in nodes:
        for n in root.walk():
            anchors.setdefault(n.id, n.anchor)  # repeated ids link to their first occurrence
    context = {
        "d": d,
        "pack": pack,
        "vocab": pack.vocabulary,
        "nodes": nodes,
        "draft": options.draft,
        "missing": options.missing,
        "section_title": options.section_title,
        "doc_date": document_date(d),
        "tool_version": options.tool_version,
        "anchors": anchors,
        "show": lambda node: _show(node, d),
        "present": factpath.present,
        "front_matter": pack.front_matter if options.section_title is None else [],
        "justifications": options.justifications if options.section_title is None else [],
    }
    return env.get_template("_base/document.html.j2").render(context)
