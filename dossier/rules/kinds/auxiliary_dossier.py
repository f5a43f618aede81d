"""auxiliary-dossier: every auxiliary medicinal product names the SmPC (authorised in the EU)
or its auxiliary medicinal product dossier (not authorised).

Params: ``authorised`` (bool): check the authorised products (SmPC) or the unauthorised ones (dossier).

Passes: tocilizumab, authorised, dossier_reference "SmPC RoActemra (EMEA/H/C/000955)".
Fails: an unauthorised auxiliary product without dossier_reference.
"""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import BaseModel, ConfigDict

from dossier.model import Dossier
from dossier.rules.violation import Violation


class Params(BaseModel):
    """Parameters of this kind, validated when a pack instance is loaded."""

    model_config = ConfigDict(extra="forbid")
    authorised: bool = False


KIND = "auxiliary-dossier"


def check(d: Dossier, params: dict) -> Iterator[Violation]:
    for i, ax in enumerate(d.eu.auxiliary_products):
        if ax.authorised_in_eu is None:
            if not params.get("authorised", False):  # said once, by the instance for unauthorised products
                yield Violation(("eu", "auxiliary_products", i), f"{ax.name}: not stated whether it is authorised in the EU, which decides between an SmPC and an auxiliary medicinal product dossier", "set authorised_in_eu: true or false")
            continue
        if ax.authorised_in_eu != bool(params.get("authorised", False)):
            continue
        if not ax.dossier_reference:
            what = "SmPC" if ax.authorised_in_eu else "auxiliary medicinal product dossier"
            severity_hint = "" if ax.authorised_in_eu else " (required for an unauthorised product)"
            yield Violation(("eu", "auxiliary_products", i), f"{ax.name}: no {what} referenced{severity_hint}", "add dossier_reference")
