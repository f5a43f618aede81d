"""flag-matches-condition: a yes/no field the sponsor declares agrees with what the product
facts say (e.g. the Form FDA 1571 combination-product indicator is set exactly when a device
is an integral part of the product).

Params: ``path`` (a boolean fact path), ``condition`` (a named condition from
`dossier.facts`), ``what`` (wording for the message).

Passes: us.combination_product true for a product with an integral device.
Fails: us.combination_product false for the same product.
"""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import BaseModel, ConfigDict, field_validator

from dossier import factpath, facts
from dossier.model import Dossier
from dossier.rules.violation import Violation


class Params(BaseModel):
    """Parameters of this kind, validated when a pack instance is loaded."""

    model_config = ConfigDict(extra="forbid")
    path: str
    condition: str
    what: str

    @field_validator("condition")
    @classmethod
    def _known(cls, v: str) -> str:
        if v.lstrip("!") not in facts.CONDITIONS:
            raise ValueError(f"unknown condition {v!r}")
        return v


KIND = "flag-matches-condition"


def check(d: Dossier, params: dict) -> Iterator[Violation]:
    expected = facts.holds([params["condition"]], d)
    for where, value in factpath.resolve(d, params["path"]):
        if bool(value) != expected:
            state = "true" if expected else "false"
            cond = params["condition"]
            because = facts.describe([cond] if expected else [cond[1:] if cond.startswith("!") else "!" + cond])
            yield Violation(where, f"{params['what']} should be {state}, because {because}", f"set it to {state}")
