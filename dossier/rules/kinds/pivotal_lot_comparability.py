"""pivotal-lot-comparability: lots tested in pivotal nonclinical studies were made by the
process version used for clinical lots, or a comparability assessment is given
(`quality.comparability`).

Params: none. Compares each pivotal test-article lot with the clinical lots of the same material.

Passes: tox lot and clinical lot both process version 1.0.
Fails: tox lot made by 0.9, clinical lots by 1.0, and no comparability narrative.
"""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import BaseModel, ConfigDict

from dossier.model import Dossier
from dossier.model.quality import LotUse
from dossier.rules.violation import Violation


class Params(BaseModel):
    """Parameters of this kind, validated when a pack instance is loaded."""

    model_config = ConfigDict(extra="forbid")
    pass


KIND = "pivotal-lot-comparability"


def check(d: Dossier, params: dict) -> Iterator[Violation]:
    if d.quality.comparability:
        return
    lots = {lot.id: lot for lot in d.quality.lots}
    clinical = {}
    for lot in d.quality.lots:
        if LotUse.clinical in lot.uses:
            clinical.setdefault(lot.material, set()).add(lot.process_version)
    for i, s in enumerate(d.nonclinical.studies):
        if not s.pivotal:
            continue
        for k, lot_id in enumerate(s.test_article_lots):
            lot = lots.get(lot_id)
            versions = clinical.get(lot.material, set()) if lot else set()
            if lot and versions and lot.process_version not in versions:
                yield Violation(
                    ("nonclinical", "studies", i, "test_article_lots", k),
                    f"study {s.id}: lot {lot.id} (process {lot.process_version}) differs from clinical process {', '.join(sorted(versions))} and no comparability assessment is given",
                    "add quality.comparability",
                )
