"""dose-within-nonclinical-support: the highest planned clinical dose does not exceed the
dose supported by the nonclinical data (`nonclinical.dose_justification.supported_dose`).

Params: none. A dose range is compared by its upper end. A weight band's dose is compared per
kg when the supported dose is per kg: a flat dose above W kg gives at most flat / W per kg (the
lightest patient in the band). Skipped when the doses are not comparable (dose-units-consistent
reports that).

Passes: maximum dose 2.0e6 /kg, supported dose 5.0e6 /kg.
Fails: maximum dose 1.0e7 /kg, supported dose 5.0e6 /kg.
"""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import BaseModel, ConfigDict

from dossier.model import Dossier
from dossier.model.base import DoseBasis, sci
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
    limit = supported.highest
    for i, p in enumerate(d.clinical.protocols):
        candidates = [(("treatment", "dose_levels", j, "dose"), lv.dose) for j, lv in enumerate(p.treatment.dose_levels)]
        if p.treatment.max_dose:
            candidates.append((("treatment", "max_dose"), p.treatment.max_dose))
        for sub, dose in candidates:
            if dose is not None and dose.highest is not None and dose.comparable(supported) and dose.highest > limit:
                yield Violation(
                    ("clinical", "protocols", i) + sub,
                    f"protocol {p.id}: dose {dose.amount()} {dose.unit()} exceeds the nonclinically supported "
                    f"{supported.amount()} {supported.unit()}",
                    "lower the dose or extend the nonclinical justification",
                )
        if supported.basis is not DoseBasis.per_kg:
            continue
        for j, lv in enumerate(p.treatment.dose_levels):
            for k, band in enumerate(lv.weight_bands):
                per_kg = band.per_kg_highest()
                if per_kg is not None and band.dose.entity == supported.entity and per_kg > limit:
                    yield Violation(
                        ("clinical", "protocols", i, "treatment", "dose_levels", j, "weight_bands", k, "dose"),
                        f"protocol {p.id}: above {band.above_kg:g} kg the dose {band.dose} gives up to {sci(per_kg)} {supported.unit()} "
                        f"(at {band.above_kg:g} kg), more than the nonclinically supported {supported.amount()} {supported.unit()}",
                        "lower the band's dose, raise its weight threshold, or extend the nonclinical justification",
                    )
