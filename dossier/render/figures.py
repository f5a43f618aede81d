"""Figures drawn from the dossier's data: the manufacturing flow of each process, the trial schema
of each protocol with periods, a stability plot per attribute with numeric results.

`plan()` decides which figures a document has, from the outline and the data, before anything
is rendered: templates draw the figures of their node, the contents list them, the parallel
build gives each its page number and the assembled outline its bookmark level. Numbers run
through the document (Figure 1, 2, ...), so they do not depend on how the layout is split.

Flows and schemas are HTML laid out by WeasyPrint with the document's fonts (text stays text);
plots are SVG written here, deterministic to the byte (no timestamps, no random ids).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

FLOW = "flow"
SCHEMA = "schema"
PLOT = "plot"
SUPPLIED = "supplied"


MAX_BOOKMARK_LEVEL = 4
"""FDA's PDF specification: bookmarks at most four levels deep. A figure of a level-4 section is
bookmarked at level 4, right after its section, rather than below it."""


@dataclass(frozen=True)
class Figure:
    anchor: str
    number: int
    caption: str
    kind: str
    level: int
    """Bookmark level: one below the section that holds it (at most MAX_BOOKMARK_LEVEL)."""
    subject: Any = None
    """What it draws: the process, the protocol, (study, series) of a plot, or the sponsor's figure."""

    @property
    def label(self) -> str:
        return f"Figure {self.number}"

    @property
    def bookmark(self) -> str:
        return f"{self.label}. {self.caption}"



def _said(obj, field: str) -> str:
    """A field for a caption or an axis: its value, else "not yet known: <reason>" or "not stated"."""
    value = getattr(obj, field)
    if value is None:
        return obj.absent_text(field)
    return str(getattr(value, "value", value))

def _supplied(figures) -> list[tuple[str, str, Any]]:
    return [(SUPPLIED, f.caption, f) for f in figures or []]


def _process(node) -> list[tuple[str, str, Any]]:
    process = getattr(node.item, "process", None)
    if process is None:
        return []
    drawn = [(FLOW, f"Manufacturing process flow: {node.item.name or node.item.answered('name') or 'name ' + node.item.absent_text('name')} (process {_said(process, 'version')})", process)] if process.steps else []
    return drawn + _supplied(process.figures)


def _design(node) -> list[tuple[str, str, Any]]:
    protocol = node.item
    drawn = [(SCHEMA, f"Trial schema: protocol {protocol.id}", protocol)] if getattr(protocol, "periods", None) else []
    return drawn + _supplied(getattr(protocol, "figures", None))


def _structure(node) -> list[tuple[str, str, Any]]:
    return _supplied(getattr(node.item, "figures", None))


def _stability(node) -> list[tuple[str, str, Any]]:
    stability = getattr(node.item, "stability", None)
    out = []
    for study in stability.studies if stability else []:
        for series in study.data:
            out.append((PLOT, f"Stability: {_said(series, 'attribute')}, {_said(study, 'kind')} study at {_said(study, 'condition')}", (study, series)))
    return out


_TEMPLATES = {
    "_base/ctd/process.html.j2": _process,
    "_base/clinical/design.html.j2": _design,
    "_base/ctd/stability_data.html.j2": _stability,
    "_base/ctd/structure.html.j2": _structure,
}


def plan(outline: list) -> dict[str, list[Figure]]:
    """node anchor -> the figures of that section, numbered in document order."""
    out: dict[str, list[Figure]] = {}
    number = 0
    for root in outline:
        for node in root.walk():
            what = _TEMPLATES.get(node.section.template or "")
            if what is None or not node.applicable or node.item is None:
                continue
            for k, (kind, caption, subject) in enumerate(what(node), start=1):
                number += 1
                level = min(node.level + 1, MAX_BOOKMARK_LEVEL)
                out.setdefault(node.anchor, []).append(Figure(f"fig-{node.anchor}-{k}", number, caption, kind, level, subject))
    return out


def flat(figures: dict[str, list[Figure]]) -> list[Figure]:
    return sorted((f for figs in figures.values() for f in figs), key=lambda f: f.number)


# --- the flow: which materials enter at which step ------------------------------------------

def _first_step(reference: str, ids: list[str]) -> str | None:
    """The step a material's `step` names: an id ('3'), or the first of a range ('1–3', 'B2–5')."""
    ref = reference.strip()
    if ref in ids:
        return ref
    for dash in ("–", "-", "—"):
        if dash in ref:
            first = ref.split(dash, 1)[0].strip()
            if first in ids:
                return first
    return None


def inputs_by_step(substance, process) -> dict[str, list[tuple[str, str]]]:
    """step id -> (material name, the material's own step reference) for each material whose
    `step` names a step of this process (materials the YAML does not place are not drawn)."""
    ids = [s.step for s in process.steps]
    out: dict[str, list[tuple[str, str]]] = {}
    for material in getattr(substance, "materials", None) or []:
        if material.step:
            first = _first_step(material.step, ids)
            if first is not None:
                out.setdefault(first, []).append((material.name, material.step))
    return out


# --- the plot ---------------------------------------------------------------------------------

W, H = 560.0, 250.0
LEFT, RIGHT, TOP, BOTTOM = 78.0, 150.0, 14.0, 40.0
LABEL_CHARS = 28
"""An axis label longer than this is set on two lines."""
_MARKERS = ["circle", "square", "triangle", "diamond"]
_GREYS = ["#000000", "#555555", "#888888", "#333333"]


def _nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    if hi <= lo:
        hi = lo + 1.0
    raw = (hi - lo) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.floor(lo / step + 1e-9)
    last = math.ceil(hi / step - 1e-9)
    return [round(k * step, 10) for k in range(first, last + 1)]


def _fmt(x: float) -> str:
    """A tick or limit value as the documents print numbers: 1.0 × 10⁹ rather than 1e+09."""
    from dossier.model.base import sci

    return sci(x) if x and (abs(x) >= 1e4 or abs(x) < 1e-3) else f"{x:g}"


def _two_lines(text: str) -> list[str]:
    if len(text) <= LABEL_CHARS or " " not in text:
        return [text]
    middle = len(text) // 2
    cut = min((i for i, c in enumerate(text) if c == " "), key=lambda i: abs(i - middle))
    return [text[:cut], text[cut + 1 :]]


def _marker(kind: str, x: float, y: float, colour: str) -> str:
    if kind == "circle":
        return f'<circle cx="{x:.2f}" cy="{y:.2f}" r="3" fill="{colour}"/>'
    if kind == "square":
        return f'<rect x="{x - 3:.2f}" y="{y - 3:.2f}" width="6" height="6" fill="{colour}"/>'
    if kind == "triangle":
        return f'<path d="M{x:.2f} {y - 3.5:.2f} L{x + 3.5:.2f} {y + 3:.2f} L{x - 3.5:.2f} {y + 3:.2f} Z" fill="{colour}"/>'
    return f'<path d="M{x:.2f} {y - 4:.2f} L{x + 4:.2f} {y:.2f} L{x:.2f} {y + 4:.2f} L{x - 4:.2f} {y:.2f} Z" fill="{colour}"/>'


def plot_svg(series) -> Markup:
    """The results of `series` against time, one marker shape per lot, joined per lot, with the
    acceptance limits as dashed lines and labelled; axes with their units."""
    points = series.points
    xs = [p.time for p in points]
    limits = [v for v in (series.lower_limit, series.upper_limit) if v is not None]
    ys = [p.value for p in points] + limits
    x_ticks = _nice_ticks(0.0, max(xs) if max(xs) > 0 else 1.0)
    y_lo, y_hi = min(ys), max(ys)
    pad = (y_hi - y_lo) * 0.1 or abs(y_hi) * 0.1 or 1.0
    y_ticks = _nice_ticks(y_lo - pad, y_hi + pad)
    x0, x1 = x_ticks[0], x_ticks[-1]
    y0, y1 = y_ticks[0], y_ticks[-1]
    pw, ph = W - LEFT - RIGHT, H - TOP - BOTTOM

    def px(x: float) -> float:
        return LEFT + (x - x0) / (x1 - x0) * pw

    def py(y: float) -> float:
        return TOP + ph - (y - y0) / (y1 - y0) * ph

    e = lambda s: str(escape(s))  # noqa: E731
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="plot" viewBox="0 0 {W:g} {H:g}" width="{W:g}" height="{H:g}" font-family="Dossier Sans, Dossier Symbols" font-size="12">',
        f'<rect x="{LEFT:g}" y="{TOP:g}" width="{pw:g}" height="{ph:g}" fill="none" stroke="#000" stroke-width="0.8"/>',
    ]
    for t in x_ticks:
        parts.append(f'<line x1="{px(t):.2f}" y1="{TOP + ph:.2f}" x2="{px(t):.2f}" y2="{TOP + ph + 4:.2f}" stroke="#000" stroke-width="0.8"/>')
        parts.append(f'<text x="{px(t):.2f}" y="{TOP + ph + 14:.2f}" text-anchor="middle">{_fmt(t)}</text>')
    # large values: the power of ten goes into the axis label and the ticks read 1, 2, 3 ...
    top = max(abs(t) for t in y_ticks)
    power = math.floor(math.log10(top)) if top >= 1e4 else 0
    for t in y_ticks:
        parts.append(f'<line x1="{LEFT - 4:.2f}" y1="{py(t):.2f}" x2="{LEFT:.2f}" y2="{py(t):.2f}" stroke="#000" stroke-width="0.8"/>')
        parts.append(f'<line x1="{LEFT:.2f}" y1="{py(t):.2f}" x2="{LEFT + pw:.2f}" y2="{py(t):.2f}" stroke="#ddd" stroke-width="0.5"/>')
        parts.append(f'<text x="{LEFT - 7:.2f}" y="{py(t) + 3:.2f}" text-anchor="end">{_fmt(round(t / 10**power, 10)) if power else _fmt(t)}</text>')
    parts.append(f'<text x="{LEFT + pw / 2:.2f}" y="{H - 6:.2f}" text-anchor="middle">Time ({e(_said(series, "time_unit"))})</text>')
    scale = f"× 10{str(power).translate(str.maketrans('-0123456789', '⁻⁰¹²³⁴⁵⁶⁷⁸⁹'))} " if power else ""
    lines = _two_lines(f"{_said(series, 'attribute')} ({scale}{_said(series, 'unit')})")
    for k, line in enumerate(lines):
        x = 14 + 14 * k if len(lines) > 1 else 20
        parts.append(f'<text x="{x}" y="{TOP + ph / 2:.2f}" text-anchor="middle" transform="rotate(-90 {x} {TOP + ph / 2:.2f})">{e(line)}</text>')
    for name, value in (("lower limit", series.lower_limit), ("upper limit", series.upper_limit)):
        if value is not None:
            y = py(value)
            parts.append(f'<line x1="{LEFT:.2f}" y1="{y:.2f}" x2="{LEFT + pw:.2f}" y2="{y:.2f}" stroke="#000" stroke-width="1" stroke-dasharray="5 3"/>')
            parts.append(f'<text x="{LEFT + 4:.2f}" y="{y - 3:.2f}">{name} {_fmt(value)}</text>')
    lots: list[str] = []
    for p in points:
        key = p.lot or ""
        if key not in lots:
            lots.append(key)
    for i, lot in enumerate(lots):
        mine = sorted((p for p in points if (p.lot or "") == lot), key=lambda p: p.time)
        colour, shape = _GREYS[i % len(_GREYS)], _MARKERS[i % len(_MARKERS)]
        if len(mine) > 1:
            path = " ".join(f"{'M' if k == 0 else 'L'}{px(p.time):.2f} {py(p.value):.2f}" for k, p in enumerate(mine))
            parts.append(f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="1"/>')
        parts.extend(_marker(shape, px(p.time), py(p.value), colour) for p in mine)
        ly = TOP + 26 + 14 * i
        parts.append(_marker(shape, LEFT + pw + 10, ly, colour))
        label = f'<text x="{LEFT + pw + 18:.2f}" y="{ly + 3:.2f}">{e(lot)}</text>' if lot else f'<text class="not-stated" x="{LEFT + pw + 18:.2f}" y="{ly + 3:.2f}">lot not stated</text>'
        parts.append(label)
    parts.append("</svg>")
    return Markup("".join(parts))
