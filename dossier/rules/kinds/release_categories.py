"""release-categories: the drug product release specification has at least one test in
each listed category (sterility, mycoplasma, endotoxin, identity, potency, ...).

Params: ``categories`` (list of category values, see TestCategory); ``earlier`` (optional,
category -> condition name): for a product the condition holds for, a test of that category in a
drug substance's specification (e.g. mycoplasma on the unprocessed bulk of a viral vector) meets
it as well as one on the drug product.

Passes: categories [sterility, identity] with tests of both categories.
Fails: categories [sterility, mycoplasma] with no mycoplasma test.
"""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import BaseModel, ConfigDict, field_validator

from dossier.model import Dossier
from dossier.rules.violation import Violation


class Params(BaseModel):
    """Parameters of this kind, validated when a pack instance is loaded."""

    model_config = ConfigDict(extra="forbid")
    categories: list[str]
    earlier: dict[str, str] = {}

    @field_validator("earlier")
    @classmethod
    def _known_conditions(cls, value: dict[str, str]) -> dict[str, str]:
        from dossier.facts import require_known

        require_known(list(value.values()))
        return value


KIND = "release-categories"


def check(d: Dossier, params: dict) -> Iterator[Violation]:
    dp = d.quality.drug_product
    if dp is None:
        return  # completeness reports the missing drug product
    from dossier.facts import describe, holds

    have = {t.category.value for t in dp.specification if t.category}
    upstream = {t.category.value for ds in d.quality.drug_substances for t in ds.specification if t.category}
    for category in params["categories"]:
        if category in have:
            continue
        condition = (params.get("earlier") or {}).get(category)
        if condition and holds([condition], d):
            if category in upstream:
                continue
            yield Violation(("quality", "drug_product", "specification"), f"no {category} test on the drug product or on a drug substance (for a product where {describe([condition])}, either stage counts)", f"add a test with category: {category} to the drug substance (e.g. unprocessed bulk) or drug product specification")
            continue
        yield Violation(("quality", "drug_product", "specification"), f"drug product specification has no {category} test", f"add a test with category: {category}")
