"""cell-bank-testing: every cell or virus bank lists its qualification tests and, for banks
of the product's own cells, a limit of in vitro cell age (passage or population doublings).

Params: ``passage_limit`` (require passage_limit for master and working cell banks).

Passes: a master cell bank with tests and a passage limit.
Fails: a master cell bank without tests.
"""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import BaseModel, ConfigDict

from dossier.model import Dossier
from dossier.model.quality import CellBankType
from dossier.rules.violation import Violation


class Params(BaseModel):
    """Parameters of this kind, validated when a pack instance is loaded."""

    model_config = ConfigDict(extra="forbid")
    passage_limit: bool = False


KIND = "cell-bank-testing"


def check(d: Dossier, params: dict) -> Iterator[Violation]:
    for i, ds in enumerate(d.quality.drug_substances):
        for j, bank in enumerate(ds.cell_banks):
            where = ("quality", "drug_substances", i, "cell_banks", j)
            if not bank.tests:
                yield Violation(where, f"cell bank {bank.name!r} lists no qualification tests", "add tests: (identity, sterility, mycoplasma, adventitious viruses, ...)")
            if params.get("passage_limit") and bank.type in {CellBankType.mcb, CellBankType.wcb} and not bank.passage_limit:
                yield Violation(where, f"cell bank {bank.name!r} states no limit of in vitro cell age", "add passage_limit: (passage number or population doublings)")
