"""release-categories: the drug product release specification has at least one test in
each listed category (sterility, mycoplasma, endotoxin, identity, potency, ...).

Params: ``categories`` (list of category values, see TestCategory).

Passes: categories [sterility, identity] with tests of both categories.
Fails: categories [sterility, mycoplasma] with no mycoplasma test.
"""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import BaseModel, ConfigDict

from dossier.model import Dossier
from dossier.rules.violation import Violation


class Params(BaseModel):
    """Parameters of this kind, validated when a pack instance is loaded."""

    model_config = ConfigDict(extra="forbid")
    categories: list[str]


KIND = "release-categories"


def check(d: Dossier, params: dict) -> Iterator[Violation]:
    dp = d.quality.drug_product
    if dp is None:
        return  # completeness reports the missing drug product
    have = {t.category.value for t in dp.specification if t.category}
    for category in params["categories"]:
        if category not in have:
            yield Violation(("quality", "drug_product", "specification"), f"drug product specification has no {category} test", f"add a test with category: {category}")
