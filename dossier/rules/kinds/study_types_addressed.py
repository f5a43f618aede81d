"""study-types-addressed: each nonclinical study type (each CTD Module 4 heading) is either
covered by a study or listed in `nonclinical.omitted_studies` with a reason.

Params: ``types`` (optional list of study type values; default all types).

Passes: repeat-dose toxicity listed in omitted_studies with a reason.
Fails: no repeat-dose toxicity study and no omission reason.
"""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import BaseModel, ConfigDict

from dossier.model import Dossier
from dossier.model.nonclinical import StudyType
from dossier.rules.violation import Violation


class Params(BaseModel):
    """Parameters of this kind, validated when a pack instance is loaded."""

    model_config = ConfigDict(extra="forbid")
    types: list[str] = []


KIND = "study-types-addressed"


def check(d: Dossier, params: dict) -> Iterator[Violation]:
    wanted = params.get("types") or [t.value for t in StudyType]
    done = {s.type.value for s in d.nonclinical.studies if s.type} | {o.type.value for o in d.nonclinical.omitted_studies if o.type}
    for t in wanted:
        if t not in done:
            yield Violation(("nonclinical",), f"no {t} study and no reason for its omission", f"add a study, or omitted_studies: [{{type: {t}, reason: ...}}]")
