"""pivotal-tabulation: every pivotal nonclinical study carries a tabulation of its data.

Params: none.

Passes: a pivotal study with a tabulation table.
Fails: a pivotal study without one.
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


KIND = "pivotal-tabulation"


def check(d: Dossier, params: dict) -> Iterator[Violation]:
    for i, s in enumerate(d.nonclinical.studies):
        if s.pivotal and s.tabulation is None:
            yield Violation(("nonclinical", "studies", i), f"pivotal study {s.id} has no tabulation of its data", "add tabulation: {columns: [...], rows: [[...]]}")
