"""authorisation-status: what the EU application says about the IMP's authorisation agrees with
the product's marketing authorisations.

`eu.imp_authorised: true` (or a simplified-IMPD scenario for an authorised IMP) needs a valid
marketing authorisation in the list: granted by the EU or an EU/EEA state for imp_authorised, in
any jurisdiction for the Annex I Table 1 scenarios (authorised in the EU or an ICH country — the
list does not say which countries are ICH members, so any valid authorisation counts).
`eu.imp_authorised: false` contradicts a valid EU/EEA authorisation in the list.

Params: none.

Passes: imp_authorised true and a valid EU authorisation.
Fails: imp_authorised true and the only EU authorisation withdrawn.
"""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import BaseModel, ConfigDict

from dossier.model import Dossier
from dossier.model.administrative import SimplifiedScenario
from dossier.model.identifiers import in_union
from dossier.model.product import AuthorisationStatus
from dossier.rules.violation import Violation


class Params(BaseModel):
    """Parameters of this kind, validated when a pack instance is loaded."""

    model_config = ConfigDict(extra="forbid")


KIND = "authorisation-status"

_AUTHORISED_SCENARIOS = {
    SimplifiedScenario.authorised_within_smpc,
    SimplifiedScenario.authorised_outside_smpc,
    SimplifiedScenario.authorised_modified,
}


def _in_union(code: str) -> bool:
    return bool(in_union(code))


def check(d: Dossier, params: dict) -> Iterator[Violation]:
    mas = d.product.marketing_authorisations
    valid = [a for a in mas if a.status is AuthorisationStatus.valid]
    valid_eu = [a for a in valid if _in_union(a.jurisdiction)]
    if d.eu.imp_authorised is True and not valid_eu:
        others = ", ".join(f"{a} ({a.status.value})" for a in mas if _in_union(a.jurisdiction))
        yield Violation(
            ("eu", "imp_authorised"),
            "the application says the IMP is authorised in the EU, but product.marketing_authorisations lists no valid EU/EEA authorisation" + (f" (listed: {others})" if others else ""),
            "add the authorisation to product.marketing_authorisations (jurisdiction: EU or the Member State, status: valid), or set eu.imp_authorised: false",
        )
    if d.eu.imp_authorised is False:
        for i, a in enumerate(mas):
            if a in valid_eu:
                yield Violation(
                    ("product", "marketing_authorisations", i, "status"),
                    f"{a} is a valid EU/EEA authorisation, but eu.imp_authorised is false",
                    "correct eu.imp_authorised, or the authorisation's status (suspended, withdrawn, expired)",
                )
    if d.eu.simplified_impd in _AUTHORISED_SCENARIOS and not valid:
        yield Violation(
            ("eu", "simplified_impd"),
            f"the simplified-IMPD scenario '{d.eu.simplified_impd.value}' is for an authorised IMP, but product.marketing_authorisations lists no valid authorisation",
            "add the authorisation (with status: valid) to product.marketing_authorisations, or choose the scenario that applies",
        )
