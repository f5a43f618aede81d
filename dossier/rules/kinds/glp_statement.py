"""glp-statement: every nonclinical study that is not GLP-compliant states why
(`glp_statement`); pivotal safety studies in particular.

Params: ``pivotal_only`` (bool, default false).

Passes: a non-GLP efficacy study with glp_statement "exploratory pharmacology study, outside Part 58".
Fails: a non-compliant study with no glp_statement.
"""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import BaseModel, ConfigDict

from dossier.model import Dossier
from dossier.model.nonclinical import GLP
from dossier.rules.violation import Violation


class Params(BaseModel):
    """Parameters of this kind, validated when a pack instance is loaded."""

    model_config = ConfigDict(extra="forbid")
    pivotal_only: bool = False


KIND = "glp-statement"


def check(d: Dossier, params: dict) -> Iterator[Violation]:
    pivotal_only = bool(params.get("pivotal_only", False))
    for i, s in enumerate(d.nonclinical.studies):
        if pivotal_only and not s.pivotal:
            continue
        if s.glp is not GLP.compliant and not s.glp_statement:
            yield Violation(
                ("nonclinical", "studies", i, "glp"),
                f"study {s.id} is {s.glp.value} but gives no reason (glp_statement)",
                "add glp_statement: the reason for non-compliance and how study quality was assured",
            )
