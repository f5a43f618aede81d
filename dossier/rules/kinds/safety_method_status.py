"""safety-method-status: safety tests (sterility, mycoplasma, endotoxin, adventitious agents,
replication-competent virus) use compendial, validated or qualified methods, never methods
still in development, and state which.

Params: none. Looks at every drug substance and the drug product.

Passes: sterility by a compendial method.
Fails: mycoplasma by a method "in development", or with no method status.
"""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import BaseModel, ConfigDict

from dossier.model import Dossier
from dossier.model.quality import MethodStatus, TestCategory
from dossier.rules.violation import Violation


class Params(BaseModel):
    """Parameters of this kind, validated when a pack instance is loaded."""

    model_config = ConfigDict(extra="forbid")
    pass


KIND = "safety-method-status"

SAFETY = {TestCategory.sterility, TestCategory.mycoplasma, TestCategory.endotoxin, TestCategory.adventitious_agents, TestCategory.replication_competent_virus}


def _specs(d: Dossier):
    for i, ds in enumerate(d.quality.drug_substances):
        yield ("quality", "drug_substances", i, "specification"), ds.specification
    if d.quality.drug_product:
        yield ("quality", "drug_product", "specification"), d.quality.drug_product.specification


def check(d: Dossier, params: dict) -> Iterator[Violation]:
    for base, spec in _specs(d):
        for k, t in enumerate(spec):
            if t.category in SAFETY and t.method_status in (None, MethodStatus.in_development):
                state = "has no method status" if t.method_status is None else "uses a method still in development"
                yield Violation(base + (k, "method_status"), f"safety test {t.test!r} {state}", "safety assays must be suitable (compendial, qualified or validated) from phase 1")
