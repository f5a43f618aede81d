"""present-in-any: at least one item of a list states a fact (e.g. some drug substance
describes its cell source; some drug substance of an edited product characterises the edit).

A requirement in a pack section demands a fact of *every* item it is shown for; this kind
serves facts that belong to one of several items, such as the cell-based drug substance
next to its vector.

Params: ``path`` (a fact path with exactly one ``[]``, e.g.
``quality.drug_substances[].cell_source``), ``what`` (wording for the message), ``hint``,
and optionally ``equals`` (a list of values: the fact must equal one of them, e.g. a stability
study of kind shipping).

Passes: one of two drug substances has a cell_source.
Fails: no drug substance has one.
"""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import BaseModel, ConfigDict, field_validator

from dossier import factpath
from dossier.factpath import present
from dossier.model import Dossier
from dossier.rules.violation import Violation


class Params(BaseModel):
    """Parameters of this kind, validated when a pack instance is loaded."""

    model_config = ConfigDict(extra="forbid")
    path: str
    what: str
    hint: str = ""
    equals: list[str] | None = None

    @field_validator("path")
    @classmethod
    def _one_list(cls, v: str) -> str:
        parts = factpath.parse(v)
        if sum(each for _, each in parts) != 1:
            raise ValueError("path must contain exactly one [] (the list whose items are searched)")
        return v


KIND = "present-in-any"


def check(d: Dossier, params: dict) -> Iterator[Violation]:
    found = factpath.resolve(d, params["path"])
    wanted = params.get("equals")
    if any(present(value) and (wanted is None or getattr(value, "value", value) in wanted) for _, value in found):
        return
    head = params["path"].split("[]")[0]
    where = tuple(head.split("."))
    yield Violation(where, f"no item states {params['what']}", params.get("hint") or f"add {params['path'].split('[].', 1)[1]} to the item it belongs to")
