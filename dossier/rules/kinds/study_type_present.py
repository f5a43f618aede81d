"""study-type-present: at least one nonclinical study of one of the listed types exists
(e.g. biodistribution for a gene therapy; integration site analysis for an integrating vector).

Params: ``types`` (list of study type values), ``what`` (wording for the message).

Passes: a biodistribution study when types [biodistribution].
Fails: no study of any listed type.
"""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import BaseModel, ConfigDict

from dossier.model import Dossier
from dossier.rules.violation import Violation


class Params(BaseModel):
    """Parameters of this kind, validated when a pack instance is loaded."""

    model_config = ConfigDict(extra="forbid")
    types: list[str]
    what: str = ""


KIND = "study-type-present"


def check(d: Dossier, params: dict) -> Iterator[Violation]:
    types = set(params["types"])
    if not any(s.type and s.type.value in types for s in d.nonclinical.studies):
        omitted = [o for o in d.nonclinical.omitted_studies if o.type and o.type.value in types]
        reason = f" (omission stated: {omitted[0].reason})" if omitted else ""
        yield Violation(("nonclinical", "studies"), f"no {params.get('what', ' / '.join(sorted(types)))} study{reason}", f"add a study of type {sorted(types)[0]}")
