"""ltfu-duration: every protocol plans long-term follow-up of at least the given duration.

Params: ``min_years`` (number).

Passes: long_term_follow_up.duration 15 years with min_years 15.
Fails: no long_term_follow_up, or 5 years with min_years 15.
"""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import BaseModel, ConfigDict

from dossier.model import Dossier
from dossier.rules.violation import Violation


class Params(BaseModel):
    """Parameters of this kind, validated when a pack instance is loaded."""

    model_config = ConfigDict(extra="forbid")
    min_years: float


KIND = "ltfu-duration"


def check(d: Dossier, params: dict) -> Iterator[Violation]:
    years = float(params["min_years"])
    for i, p in enumerate(d.clinical.protocols):
        ltfu = p.long_term_follow_up
        if ltfu is None:
            yield Violation(("clinical", "protocols", i), f"protocol {p.id} plans no long-term follow-up (at least {years:g} years expected)")
        elif ltfu.duration is not None and ltfu.duration.hours() is not None and ltfu.duration.hours() < years * 8766 - 1e-6:
            yield Violation(("clinical", "protocols", i, "long_term_follow_up", "duration"), f"protocol {p.id}: long-term follow-up of {ltfu.duration} is shorter than {years:g} years")
