"""region-markers: the text a region's documents show holds no statement of the other region
(a US regulation or agency in an EU document, an EU procedure in a US one).

Params: ``region`` (the documents' region, "us" or "eu"); ``markers``: a list of
``{find: regex, what: description, unless: regex}`` — a sentence matching `find` is a finding
unless the same sentence also matches `unless` (a statement naming both regions, e.g. "21 CFR
Part 58 and the OECD Principles of GLP", "Ph. Eur. 2.6.27 / USP <71>"); ``exempt``: fact paths
(``[]`` for any item; a path exempts everything under it) whose text may legitimately speak of
the other region, or that the region's documents do not show (a study's GLP
statement, a site's inspection history, earlier clinical experience).

The rule reads the region's view of the dossier (text given ``{us:, eu:}`` shows only the
region's variant), skips the other region's own facts (``us:`` for the EU documents, ``eu:`` for
the IND) and labels marked for the other region, and reports each field once, naming what it
found and a short quote. Markers name statements that only one region makes (a commitment to
FDA, a US caution statement, QP certification); a citation of the other region's guidance as a
scientific source is shared science and is not a marker.

Passes: an EU-only field says "Ph. Eur. 2.6.27 / USP <71>" (both compendia named).
Fails: an EU document's label says "Caution: New Drug—Limited by Federal (or United States) law".
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict

from dossier.model import Dossier
from dossier.rules.violation import Violation


class Marker(BaseModel):
    model_config = ConfigDict(extra="forbid")
    find: str
    """Regular expression (case-sensitive) for a statement of the other region."""
    what: str
    """What it is, for the message, e.g. 'a US regulation (21 CFR)'."""
    unless: str | None = None
    """Regular expression: the sentence also names this region's counterpart, so it is a dual statement."""


class Params(BaseModel):
    """Parameters of this kind, validated when a pack instance is loaded."""

    model_config = ConfigDict(extra="forbid")
    region: Literal["us", "eu"]
    markers: list[Marker]
    exempt: list[str] = []


KIND = "region-markers"

_ABBREVIATIONS = "".join(rf"(?<!\b{a}\.)" for a in ("Ph", "No", "vs", "al", "Vol", "Inc", "Co", "ref", "Eur", "approx", r"e\.g", r"i\.e", "Fig"))
_SENTENCE = re.compile(rf"(?<=[.!?]){_ABBREVIATIONS}\s+(?=[A-Z(*])|\n\s*\n|\n\s*[-*|]\s|\|")
"""Sentence ends (not at ';' or ':', which join the two halves of a dual statement), paragraph
breaks, list items and table cells."""


def check(d: Dossier, params: dict) -> Iterator[Violation]:
    p = Params.model_validate(params)
    other = "us" if p.region == "eu" else "eu"
    markers = [(_re(m.find), _re(m.unless) if m.unless else None, m.what) for m in p.markers]
    anywhere = _re("|".join(f"(?:{m.find})" for m in p.markers))  # one pass over a text before the sentences
    skip = {_pattern(e) for e in p.exempt} | {other, "waivers"}
    for path, text in _texts(d, (), "", skip):
        if path[0] == "labels" and _label_region(d, path[1]) == other:
            continue
        if not anywhere.search(" ".join(text.split())):
            continue
        found = _found(text, markers)
        if found:
            what, quote = found
            yield Violation(
                path,
                f"{what} in text the {p.region.upper()} documents show: “{quote}”",
                f"give this text per region ({{us: ..., eu: ...}}), name both regions' counterparts in the sentence, or move it under {other}:",
            )


def _found(text: str, markers) -> tuple[str, str] | None:
    for sentence in _SENTENCE.split(text):
        sentence = " ".join(sentence.split())  # a line break inside a phrase does not hide it
        for find, unless, what in markers:
            m = find.search(sentence)
            if m and not (unless and unless.search(sentence)):
                return what, _quote(sentence, m)
    return None


def _quote(sentence: str, m: re.Match) -> str:
    start, end = max(0, m.start() - 30), min(len(sentence), m.end() + 30)
    text = " ".join(sentence[start:end].split())
    return ("…" if start else "") + text + ("…" if end < len(sentence) else "")


def _texts(obj, path: tuple, generic: str, skip: set[str]) -> Iterator[tuple[tuple, str]]:
    """(path, text) of every string under `obj`, not descending into a skipped (exempt) path;
    `generic` is the path with list indexes as [] (nonclinical.studies[].glp_statement)."""
    if generic in skip:
        return
    if isinstance(obj, str):
        yield path, obj
    elif isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            yield from _texts(getattr(obj, name), path + (name,), f"{generic}.{name}" if generic else name, skip)
    elif isinstance(obj, (list, tuple)):
        for i, item in enumerate(obj):
            yield from _texts(item, path + (i,), generic + "[]", skip)


def _label_region(d: Dossier, index) -> str | None:
    region = d.labels[index].region
    return region.value if region is not None else None


def _pattern(path: str) -> str:
    return path.replace(".[]", "[]")


@lru_cache(maxsize=64)
def _re(pattern: str) -> re.Pattern:
    return re.compile(pattern)
