"""phase-consistency: each protocol's phase is one of the phases declared for the submission.

Params: none.

Passes: submission.phases ["1"], protocol phase "1".
Fails: submission.phases ["1"], protocol phase "2".
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


KIND = "phase-consistency"


def check(d: Dossier, params: dict) -> Iterator[Violation]:
    declared = set(d.submission.phases)
    for i, p in enumerate(d.clinical.protocols):
        if declared and p.phase is not None and p.phase not in declared:
            listed = ", ".join(sorted(ph.value for ph in declared))
            yield Violation(("clinical", "protocols", i, "phase"), f"protocol {p.id} is phase {p.phase.value} but the submission declares phase(s) {listed}")
