"""schedule-visits: every visit named by an assessment or a visit window in a schedule of
assessments is one of the schedule's visits (catches typos that would leave a column empty).

Params: none.

Passes: visits [Screening, Day 0], assessment visits [Screening].
Fails: assessment visits [Day 1] when Day 1 is not a visit.
"""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import BaseModel, ConfigDict

from dossier.model import Dossier
from dossier.rules.violation import Violation


class Params(BaseModel):
    """Parameters of this kind, validated when a pack instance is loaded."""

    model_config = ConfigDict(extra="forbid")
    pass


KIND = "schedule-visits"


def check(d: Dossier, params: dict) -> Iterator[Violation]:
    for i, p in enumerate(d.clinical.protocols):
        soa = p.schedule_of_assessments
        if soa is None:
            continue
        visits = set(soa.visits)
        for j, a in enumerate(soa.assessments):
            for k, v in enumerate(a.visits):
                if v not in visits:
                    yield Violation(("clinical", "protocols", i, "schedule_of_assessments", "assessments", j, "visits", k), f"assessment {a.name!r}: visit {v!r} is not in the schedule's visits")
        for j, w in enumerate(soa.windows):
            if w.visit not in visits:
                yield Violation(("clinical", "protocols", i, "schedule_of_assessments", "windows", j, "visit"), f"visit window for {w.visit!r}: not one of the schedule's visits")
