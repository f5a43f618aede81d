"""gmo-per-member-state: an IMP that contains GMOs has a national GMO application (with its
procedure and status) for every Member State concerned.

Params: none.

Passes: member_states [DE, NL] and gmo_applications for DE and NL.
Fails: member_states [DE, NL] and a gmo_application for DE only.
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


KIND = "gmo-per-member-state"


def check(d: Dossier, params: dict) -> Iterator[Violation]:
    if d.product.contains_gmo is None:
        if d.product.genetic_modification is not None and d.eu.member_states:
            yield Violation(("product",), "the product is genetically modified but product.contains_gmo does not say whether it contains or consists of GMOs, which decides the national GMO applications", "set product.contains_gmo: true or false")
        return
    if not d.product.contains_gmo:
        return
    covered = {a.member_state for a in d.eu.gmo_applications}
    for i, ms in enumerate(d.eu.member_states):
        if ms not in covered:
            yield Violation(("eu", "member_states", i), f"no national GMO application listed for {ms}", f"add eu.gmo_applications: [{{member_state: {ms}, procedure: ..., status: ...}}]")
