"""dose-units-consistent: every clinical dose, the nonclinical dose justification and the unit
the drug product is dosed in (`quality.drug_product.dosed_as`) count the same entity on the
same basis (e.g. all "CAR-positive viable T cells per kg", all "spheroids per cm² of defect").

Params: none. A weight band may dose on another basis (per kg below the threshold, flat above)
but must count the same entity.

Passes: dose levels 1.0e6 and 2.0e6 CAR+ viable T cells/kg, supported dose 5.0e6 CAR+ viable T cells/kg.
Fails: a dose level in vg/kg next to others in CAR+ viable T cells/kg.
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


KIND = "dose-units-consistent"


def check(d: Dossier, params: dict) -> Iterator[Violation]:
    doses = []
    dp = d.quality.drug_product
    if dp and dp.dosed_as:
        doses.append((("quality", "drug_product", "dosed_as"), dp.dosed_as))
    for i, p in enumerate(d.clinical.protocols):
        for j, level in enumerate(p.treatment.dose_levels):
            doses.append((("clinical", "protocols", i, "treatment", "dose_levels", j, "dose"), level.dose))
        if p.treatment.max_dose:
            doses.append((("clinical", "protocols", i, "treatment", "max_dose"), p.treatment.max_dose))
    if d.nonclinical.dose_justification:
        doses.append((("nonclinical", "dose_justification", "supported_dose"), d.nonclinical.dose_justification.supported_dose))
    doses = [(p, x) for p, x in doses if x is not None and x.entity is not None and x.basis is not None]  # not stated: INPUT-UNKNOWN or a requirement says so
    if not doses:
        return
    ref_path, ref = doses[0]
    for path, dose in doses[1:]:
        if (dose.entity, dose.basis) != (ref.entity, ref.basis):
            yield Violation(
                path,
                f"dose in {_unit(dose)} cannot be compared with {_unit(ref)} used at {'.'.join(map(str, ref_path))}",
                "express the product's dose unit, every clinical dose and the supported dose with the same entity and basis",
            )
    # a weight band may change the basis (per kg below, flat above) but counts the same entity
    for i, p in enumerate(d.clinical.protocols):
        for j, level in enumerate(p.treatment.dose_levels):
            for k, band in enumerate(level.weight_bands):
                dose = band.dose
                if dose is not None and dose.entity is not None and dose.entity != ref.entity:
                    yield Violation(
                        ("clinical", "protocols", i, "treatment", "dose_levels", j, "weight_bands", k, "dose"),
                        f"the dose above {band.above_kg:g} kg counts {dose.entity.value}, not {ref.entity.value} as at {'.'.join(map(str, ref_path))}",
                        "count the same entity in every weight band",
                    )


def _unit(x) -> str:
    return f"{x.entity.value} {x.basis.value}"
