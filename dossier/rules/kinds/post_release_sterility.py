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
    if not dp:
        return
    sterility = [(i, t) for i, t in enumerate(dp.specification) if t.category is TestCategory.sterility]
    for i, t in sterility:
        if t.result_before_release is None:
            yield Violation(("quality", "drug_product", "specification", i), f"{t.test}: result_before_release is not stated, so it is unknown whether the sterility result comes after release", "set result_before_release: true or false")
    if not any(t.result_before_release is False for _, t in sterility):
        return
    if not any(t.result_before_release is True for _, t in sterility):
        yield Violation(("quality", "drug_product", "specification"), "the sterility result arrives after release but no interim sterility test with a result before release is specified", "add an interim test (category sterility, result_before_release true), e.g. Gram stain or in-process culture")
    for i, p in enumerate(d.clinical.protocols):
        if not p.positive_culture_plan:
            yield Violation(("clinical", "protocols", i), f"protocol {p.id}: sterility results arrive after release but no plan for a positive result is given", "add positive_culture_plan")
