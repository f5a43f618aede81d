"""nct-consistency: the NCT numbers certified on Form FDA 3674 and those given on the
protocols are the same set.

Params: none.

Passes: protocol nct_number NCT01234567 and form_3674 nct_numbers [NCT01234567].
Fails: protocol NCT01234567, form lists NCT07654321.
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


KIND = "nct-consistency"


def check(d: Dossier, params: dict) -> Iterator[Violation]:
    form = d.us.form_3674
    if form is None:
        return
    certified = set(form.nct_numbers)
    for i, p in enumerate(d.clinical.protocols):
        if p.nct_number and certified and p.nct_number not in certified:
            yield Violation(("clinical", "protocols", i, "nct_number"), f"protocol {p.id}: {p.nct_number} is not among the NCT numbers on Form FDA 3674 ({', '.join(sorted(certified))})")
    on_protocols = {p.nct_number for p in d.clinical.protocols if p.nct_number}
    for k, nct in enumerate(form.nct_numbers):
        if on_protocols and nct not in on_protocols:
            yield Violation(("us", "form_3674", "nct_numbers", k), f"{nct} on Form FDA 3674 matches no protocol")
