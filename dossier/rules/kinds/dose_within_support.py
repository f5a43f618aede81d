"""dose-within-nonclinical-support: the highest planned clinical dose does not exceed the
dose supported by the nonclinical data (`nonclinical.dose_justification.supported_dose`).

Params: none. Skipped when the doses are not comparable (dose-units-consistent reports that).

Passes: maximum dose 2.0e6 /kg, supported dose 5.0e6 /kg.
Fails: maximum dose 1.0e7 /kg, supported dose 5.0e6 /kg.
"""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import BaseModel, ConfigDict

from dossier.model import Dossier
from dossier.model.base import sci
from dossier.rules.violation import Violation


class Params(BaseModel):
    """Parameters of this kind, validated when a pack instance is loaded."""

    model_config = ConfigDict(extra="forbid")
    pass


KIND = "dose-within-nonclinical-support"


def check(d: Dossier, params: dict) -> Iterator[Violation]:
    just = d.nonclinical.dose_justification
    if not just:
        return
    supported = just.supported_dose
    if supported is None or supported.value is None:
        return  # not stated: nothing to compare with
    for i, p in enumerate(d.clinical.protocols):
        candidates = [(("treatment", "dose_levels", j, "dose"), lv.dose) for j, lv in enumerate(p.treatment.dose_levels)]
        if p.treatment.max_dose:
            candidates.append((("treatment", "max_dose"), p.treatment.max_dose))
        for sub, dose in candidates:
            if dose is not None and dose.value is not None and dose.comparable(supported) and dose.value > supported.value:
                yield Violation(
                    ("clinical", "protocols", i) + sub,
                    f"protocol {p.id}: dose {sci(dose.value)} {dose.unit()} exceeds the nonclinically supported "
                    f"{sci(supported.value)} {supported.unit()}",
                    "lower the dose or extend the nonclinical justification",
                )
