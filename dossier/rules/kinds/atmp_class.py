"""atmp-class: the declared EU ATMP class (`product.eu_class`) agrees with the class derived
from the facts (`dossier.classify`).

Params: ``mode``: ``definition`` (the declared class does not meet its definition at all),
``precedence`` (it meets its definition, but another class prevails under the precedence rules)
or ``facts`` (the declared classification basis contradicts the product description, e.g.
recombinant nucleic acid declared without a genetic modification, or an integral device declared
without one in `product.devices`).

Passes: a genetically modified CAR-T product declared GTMP.
Fails: the same product declared TEP (definition) or sCTMP (precedence).
"""

from __future__ import annotations

from collections.abc import Iterator

from dossier.classify import classify, has_integral_device
from typing import Literal

from pydantic import BaseModel, ConfigDict

from dossier.model import Dossier
from dossier.rules.violation import Violation


class Params(BaseModel):
    """Parameters of this kind, validated when a pack instance is loaded."""

    model_config = ConfigDict(extra="forbid")
    mode: Literal["definition", "precedence", "facts"]


KIND = "atmp-class"


def check(d: Dossier, params: dict) -> Iterator[Violation]:
    if params.get("mode") == "facts":
        yield from _facts(d)
        return
    declared = d.product.eu_class
    if declared is None:
        return
    c = classify(d)
    where = ("product", "eu_class")
    if c.undecided:
        if params.get("mode") == "definition":
            yield Violation(where, f"declared class {declared.value} cannot be checked against the product facts while {c.undecided} is not stated", f"state {c.undecided} (an empty list when there is none)")
        return
    if params.get("mode") == "precedence":
        if declared in c.candidates and declared is not c.derived:
            yield Violation(where, f"declared class {declared.value} meets its definition, but {c.derived.value} prevails", f"declare eu_class: {c.derived.value}")
        return
    if declared not in c.candidates:
        derived = c.derived.value if c.derived else "no ATMP class"
        yield Violation(where, f"declared class {declared.value} does not follow from the product facts (derived: {derived})", "correct eu_class or the classification facts (product.classification_basis, genetic_modification)")


def _facts(d: Dossier) -> Iterator[Violation]:
    b = d.product.classification_basis
    if b is None:
        return
    gm = d.product.genetic_modification is not None
    if b.recombinant_nucleic_acid is not None and b.recombinant_nucleic_acid != gm:
        said = "declares" if b.recombinant_nucleic_acid else "denies"
        has = "has a genetic_modification" if gm else "has no genetic_modification"
        yield Violation(("product", "classification_basis", "recombinant_nucleic_acid"), f"classification basis {said} a recombinant nucleic acid but the product {has}")
    device = has_integral_device(d)
    if b.integral_device is not None and b.integral_device != device:
        said = "declares" if b.integral_device else "denies"
        has = "lists an integral device" if device else "lists no device with role 'integral part of the product'"
        yield Violation(("product", "classification_basis", "integral_device"), f"classification basis {said} an integral medical device but product.devices {has}", "describe the device in product.devices (role: integral part of the product) or correct integral_device")
