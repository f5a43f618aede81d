"""cro-obligations: every contract research organisation named as taking over sponsor
obligations lists the studies it covers and either all obligations or each one transferred
(obligations not described stay with the sponsor).

Params: none.

Passes: a CRO with studies [P-1] and all_obligations true.
Fails: a CRO with no studies, or with all_obligations false and no obligations listed.
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


KIND = "cro-obligations"


def check(d: Dossier, params: dict) -> Iterator[Violation]:
    for i, cro in enumerate(d.sponsor.cros):
        if not cro.studies:
            yield Violation(("sponsor", "cros", i), f"CRO {cro.name}: the studies covered by the transfer are not listed", "add studies: [protocol ids]")
        if not cro.all_obligations and not cro.obligations:
            yield Violation(("sponsor", "cros", i), f"CRO {cro.name}: neither all_obligations nor the obligations transferred are given", "list obligations: [...] or set all_obligations: true")
