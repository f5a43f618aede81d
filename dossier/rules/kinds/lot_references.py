"""lot-references: every lot named by a nonclinical study or stability study exists in
`quality.lots`, and every lot's `material` is a drug substance id or `drug_product`.

Params: none.

Passes: study test_article_lots [ENG-01] with a lot ENG-01 defined.
Fails: study test_article_lots [ENG-09] with no such lot.
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


KIND = "lot-references"


def _stability_lists(d: Dossier):
    q = d.quality
    for i, ds in enumerate(q.drug_substances):
        if ds.stability:
            for j, st in enumerate(ds.stability.studies):
                yield ("quality", "drug_substances", i, "stability", "studies", j, "lots"), st.lots
    if q.drug_product and q.drug_product.stability:
        for j, st in enumerate(q.drug_product.stability.studies):
            yield ("quality", "drug_product", "stability", "studies", j, "lots"), st.lots


def check(d: Dossier, params: dict) -> Iterator[Violation]:
    lots = {lot.id for lot in d.quality.lots}
    materials = {ds.id for ds in d.quality.drug_substances if ds.id} | {"drug_product"}
    for i, lot in enumerate(d.quality.lots):
        if lot.material not in materials:
            yield Violation(("quality", "lots", i, "material"), f"lot {lot.id}: material {lot.material!r} is not a drug substance id or 'drug_product'", f"use one of: {', '.join(sorted(materials))}")
    refs = [(("nonclinical", "studies", i, "test_article_lots"), s.test_article_lots) for i, s in enumerate(d.nonclinical.studies)]
    for base, names in [*refs, *_stability_lists(d)]:
        for k, name in enumerate(names):
            if name not in lots:
                yield Violation(base + (k,), f"lot {name!r} is not defined in quality.lots", "add the lot or correct the id")
