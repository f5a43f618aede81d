"""viability-limit: the drug product viability acceptance criterion is at least the given
percentage (the first number in the criterion is read, e.g. "≥ 70 % viable cells").

Params: ``min_percent`` (number).

Passes: acceptance "≥ 70 %" with min_percent 70.
Fails: acceptance "≥ 50 %" with min_percent 70.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from pydantic import BaseModel, ConfigDict

from dossier.model import Dossier
from dossier.model.quality import TestCategory
from dossier.rules.violation import Violation


class Params(BaseModel):
    """Parameters of this kind, validated when a pack instance is loaded."""

    model_config = ConfigDict(extra="forbid")
    min_percent: float


KIND = "viability-limit"


def check(d: Dossier, params: dict) -> Iterator[Violation]:
    dp = d.quality.drug_product
    if dp is None:
        return
    limit = float(params["min_percent"])
    for k, t in enumerate(dp.specification):
        if t.category is not TestCategory.viability or t.acceptance is None:
            continue  # an acceptance answered not yet known is reported by INPUT-UNKNOWN
        m = re.search(r"(\d+(?:\.\d+)?)\s*%", t.acceptance)
        if m and float(m.group(1)) < limit:
            yield Violation(("quality", "drug_product", "specification", k, "acceptance"), f"viability acceptance {t.acceptance!r} is below {limit:g} %", "justify the lower limit in specification_justification")
