"""post-release-sterility-plan: when a drug product sterility result becomes available only
after release (a fresh product with a short shelf life), an interim sterility test whose
result is known before release is specified (e.g. Gram stain, in-process culture), and every
protocol says what happens if the final result is positive.

Params: none.

Passes: sterility test with result_before_release false and protocols with positive_culture_plan.
Fails: the same test and a protocol without positive_culture_plan.
"""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import BaseModel, ConfigDict

from dossier.model import Dossier
from dossier.model.quality import TestCategory
from dossier.rules.violation import Violation


class Params(BaseModel):
    """Parameters of this kind, validated when a pack instance is loaded."""

    model_config = ConfigDict(extra="forbid")
    pass


KIND = "post-release-sterility-plan"


def check(d: Dossier, params: dict) -> Iterator[Violation]:
    dp = d.quality.drug_product
    late = dp and any(t.category is TestCategory.sterility and not t.result_before_release for t in dp.specification)
    if not late:
        return
    if not any(t.category is TestCategory.sterility and t.result_before_release for t in dp.specification):
        yield Violation(("quality", "drug_product", "specification"), "the sterility result arrives after release but no interim sterility test with a result before release is specified", "add an interim test (category sterility, result_before_release true), e.g. Gram stain or in-process culture")
    for i, p in enumerate(d.clinical.protocols):
        if not p.positive_culture_plan:
            yield Violation(("clinical", "protocols", i), f"protocol {p.id}: sterility results arrive after release but no plan for a positive result is given", "add positive_culture_plan")
