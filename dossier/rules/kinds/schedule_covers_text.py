"""schedule-covers-text: every visit the protocol's monitoring text names (Day N, Week N,
Month N in the observations, safety monitoring, GvHD monitoring and immune effector toxicity
text) is a visit of the schedule of assessments, or is named in the schedule's notes — so the
table and the text describe the same visits.

A range ("Days 0–7", "Day −6 to −3") is not read as a visit. Units are compared as written: a
schedule visit named "Month 1 (Day 28)" covers both "Month 1" and "Day 28".

Params: none.

Passes: text "Liver tests at Week 12", visits [Screening, Week 12].
Fails: text "Liver tests at Week 12", visits [Screening, Week 8].
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from pydantic import BaseModel, ConfigDict

from dossier import factpath
from dossier.model import Dossier
from dossier.rules.violation import Violation


class Params(BaseModel):
    """Parameters of this kind, validated when a pack instance is loaded."""

    model_config = ConfigDict(extra="forbid")


KIND = "schedule-covers-text"

FIELDS = ("observations", "safety_monitoring", "gvhd_monitoring", "immune_effector_toxicity")
"""The protocol fields whose text describes when subjects are assessed."""

_VISIT = re.compile(r"(?<![\w-])(Day|Week|Month)\s+([−-]?\d+)(?![\d–-])(?!\s*(?:to|–|-)\s*[−-]?\d)", re.IGNORECASE)


def visits_named(text: str) -> list[tuple[str, int, str]]:
    """(unit, number, as written) of each single visit a text names."""
    return [(unit.lower(), int(number.replace("−", "-")), f"{unit} {number}") for unit, number in _VISIT.findall(text)]


def check(d: Dossier, params: dict) -> Iterator[Violation]:
    for i, p in enumerate(d.clinical.protocols):
        soa = p.schedule_of_assessments
        if soa is None:
            continue
        covered = {(u, n) for text in [*soa.visits, *soa.notes] for u, n, _ in visits_named(text)}
        reported: set[tuple[str, int]] = set()
        for field in FIELDS:
            for path, text in factpath.texts(getattr(p, field, None), ("clinical", "protocols", i, field)):
                for unit, number, written in visits_named(text):
                    if (unit, number) in covered or (unit, number) in reported:
                        continue
                    reported.add((unit, number))
                    yield Violation(
                        path,
                        f"protocol {p.id}: the text names {written}, which is not a visit of the schedule of assessments",
                        f"add {written!r} to schedule_of_assessments.visits (with the assessments done then), name it in a visit (e.g. 'Month 1 ({written})'), or say in schedule_of_assessments.notes how it is covered",
                    )
