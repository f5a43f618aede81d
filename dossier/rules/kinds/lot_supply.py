"""lot-supply-covers-enrolment: the clinical lots of the drug product stated with an expiry date
last until the end of the planned enrolment (a product made ahead of use, not per patient).

Params: none.

Reads `quality.lots[]` whose material is the drug product, whose uses include clinical and
that give `expiry_date`, and `clinical.protocols[].enrolment_period.end`. When the latest expiry
comes before the latest planned end of enrolment, the finding stands at that lot's expiry date:
the sponsor states further lots, an extension of the shelf life by the stability protocol, or
the enrolment period. Lots or protocols that do not give the dates are not guessed at.

Passes: a clinical lot expiring 2028-06-30 for enrolment planned to end 2028-03-31.
Fails: the only clinical lot expires 2027-05-31 and enrolment is planned to end 2028-03-31.
"""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import BaseModel, ConfigDict

from dossier.model import Dossier
from dossier.rules.violation import Violation


class Params(BaseModel):
    """Parameters of this kind, validated when a pack instance is loaded."""

    model_config = ConfigDict(extra="forbid")


KIND = "lot-supply-covers-enrolment"


def check(d: Dossier, params: dict) -> Iterator[Violation]:
    lots = [
        (i, lot)
        for i, lot in enumerate(d.quality.lots)
        if lot.material == "drug_product" and lot.expiry_date is not None and any(u.value == "clinical" for u in lot.uses)
    ]
    ends = [(p.enrolment_period.end, p.id) for p in d.clinical.protocols if p.enrolment_period and p.enrolment_period.end]
    if not lots or not ends:
        return
    i, last = max(lots, key=lambda pair: pair[1].expiry_date)
    end, protocol = max(ends)
    if last.expiry_date < end:
        yield Violation(
            ("quality", "lots", i, "expiry_date"),
            f"the clinical lots of the drug product expire by {last.expiry_date.isoformat()} (latest: {last.id}), "
            f"before enrolment in {protocol} is planned to end ({end.isoformat()})",
            "state the further lots, the shelf-life extension the stability protocol allows, or the enrolment period",
        )
