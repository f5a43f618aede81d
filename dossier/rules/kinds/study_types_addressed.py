"""study-types-addressed: the nonclinical studies a product of this kind is expected to have are
there, or their omission is stated with a reason.

Params: ``expect``, a list of expectations, each ``{types, what, when, cite, basis}``: one of
``types`` (study type values; any of them meets the expectation) is expected when the product
facts ``when`` hold (condition names from dossier/facts.py; none: every product). A study of
one of the types, or an entry of ``nonclinical.omitted_studies`` of one of them with its
reason, meets it. Each finding cites the source of its own expectation, so a product is never
asked for what its kind does not need (no integration-site analysis without an integrating
vector, no shedding study without an in vivo viral vector).

Passes: a single-dose toxicity study, and repeat-dose toxicity omitted with a reason.
Fails: no pharmacology study and no reason for its omission.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from pydantic import BaseModel, ConfigDict, field_validator

from dossier.model import Dossier
from dossier.model.nonclinical import StudyType
from dossier.packs.manifest import Conditions
from dossier.rules.violation import Violation


class Expectation(BaseModel):
    """Study types a kind of product is expected to address, and the source that says so."""

    model_config = ConfigDict(extra="forbid")
    types: list[str]
    what: str
    when: Conditions = []
    cite: str
    basis: Literal["V", "V3P", "R"] = "R"

    @field_validator("types")
    @classmethod
    def _known_types(cls, value: list[str]) -> list[str]:
        known = {t.value for t in StudyType}
        unknown = [t for t in value if t not in known]
        if unknown or not value:
            raise ValueError(f"unknown study types {unknown}; known: {sorted(known)}")
        return value

    @field_validator("when")
    @classmethod
    def _known_conditions(cls, value: list[str]) -> list[str]:
        from dossier.facts import require_known

        return require_known(value)


class Params(BaseModel):
    """Parameters of this kind, validated when a pack instance is loaded."""

    model_config = ConfigDict(extra="forbid")
    expect: list[Expectation]


KIND = "study-types-addressed"


def expected(d: Dossier, params: dict) -> list[dict]:
    """The expectations that apply to this product."""
    from dossier.facts import holds

    return [e for e in params["expect"] if holds(e["when"], d)]


def check(d: Dossier, params: dict) -> Iterator[Violation]:
    from dossier.facts import describe
    from dossier.packs.manifest import UNVERIFIED

    done = {s.type.value for s in d.nonclinical.studies if s.type} | {o.type.value for o in d.nonclinical.omitted_studies if o.type}
    for e in expected(d, params):
        if done & set(e["types"]):
            continue
        why = f" (expected when {describe(e['when'])})" if e["when"] else ""
        cite = e["cite"] + (UNVERIFIED if e["basis"] == "R" else "")
        yield Violation(
            ("nonclinical",),
            f"no {e['what']} study and no reason for its omission{why}",
            f"add a study of type {e['types'][0]!r}, or omitted_studies: [{{type: {e['types'][0]}, reason: ...}}]",
            cite=cite,
        )
