"""protocol-references: protocol ids named by investigators (Form FDA 1572) and by CRO
transfers of obligations exist in `clinical.protocols`.

Params: none.

Passes: investigator protocols [ACME-101] with protocol ACME-101 defined.
Fails: investigator protocols [ACME-102] with no such protocol.
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


KIND = "protocol-references"


def check(d: Dossier, params: dict) -> Iterator[Violation]:
    ids = {p.id for p in d.clinical.protocols}
    refs = [(("clinical", "investigators", i, "protocols"), inv.protocols) for i, inv in enumerate(d.clinical.investigators)]
    refs += [(("sponsor", "cros", i, "studies"), cro.studies) for i, cro in enumerate(d.sponsor.cros)]
    for base, names in refs:
        for k, name in enumerate(names):
            if name not in ids:
                yield Violation(base + (k,), f"protocol {name!r} is not defined in clinical.protocols", "correct the protocol id")
