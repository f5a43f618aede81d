"""in-use-covers-administration: the drug product's in-use (post-thaw / post-preparation)
stability covers the longest thaw-to-end-of-administration time any protocol allows.

Params: none.

Passes: in_use_period 60 minutes, protocol administration_window 45 minutes.
Fails: in_use_period 30 minutes, protocol administration_window 45 minutes.
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


KIND = "in-use-covers-administration"


def check(d: Dossier, params: dict) -> Iterator[Violation]:
    dp = d.quality.drug_product
    in_use = dp.stability.in_use_period if dp and dp.stability else None
    for i, p in enumerate(d.clinical.protocols):
        window = p.treatment.administration_window
        if window is None:
            continue
        if in_use is None:
            yield Violation(("clinical", "protocols", i, "treatment", "administration_window"), f"protocol {p.id} allows {window} from thaw to end of administration but no in-use stability period is stated", "add quality.drug_product.stability.in_use_period")
        elif window.hours() is not None and in_use.hours() is not None and window.hours() > in_use.hours() + 1e-9:
            yield Violation(("clinical", "protocols", i, "treatment", "administration_window"), f"protocol {p.id} allows {window} from thaw to end of administration; in-use stability covers only {in_use}")
