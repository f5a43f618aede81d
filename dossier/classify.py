"""Derive the EU ATMP class from the facts, with the reasoning shown step by step.

Definitions: Directive 2001/83/EC Annex I Part IV §2.1 (GTMP) and §2.2 (sCTMP); Regulation
(EC) No 1394/2007 Art 2(1)(b)-(d) (TEP, "engineered", combined ATMP). The precedence rules
(combined ATMP; TEP over sCTMP; GTMP over sCTMP/TEP) are those of Regulation (EC) No 1394/2007
Art 2(2)-(5), whose text was not verified for this tool (REFERENCE.md §3.1, [R]): findings
built on them are warnings, and the reasoning says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dossier.model import Dossier
from dossier.model.product import DeviceRole, EUClass, IntendedAction, Origin

DIR_GTMP = "Directive 2001/83/EC Annex I Part IV §2.1"
DIR_SCTMP = "Directive 2001/83/EC Annex I Part IV §2.2"
REG_TEP = "Regulation (EC) No 1394/2007 Art 2(1)(b)-(c)"
REG_CATMP = "Regulation (EC) No 1394/2007 Art 2(1)(d)"
REG_PRECEDENCE = "Regulation (EC) No 1394/2007 Art 2(4)-(5)"
"""Unverified (REFERENCE.md §3.1 [R]): the rule instances citing it say so in the reports."""


@dataclass(frozen=True)
class Step:
    question: str
    answer: str
    source: str


@dataclass
class Classification:
    derived: EUClass | None
    steps: list[Step] = field(default_factory=list)
    candidates: list[EUClass] = field(default_factory=list)
    undecided: str | None = None
    """The fact path whose absence keeps the class from being derived."""

    @property
    def summary(self) -> str:
        if self.undecided:
            return f"cannot be derived while {self.undecided} is not stated"
        if self.derived is None:
            return "no ATMP class follows from the facts given"
        return self.derived.value


def _facts(d: Dossier) -> dict[str, object]:
    """Classification facts: the declared basis where given, else what other facts imply."""
    b = d.product.classification_basis
    gm = d.product.genetic_modification
    cells = d.product.origin is not Origin.not_cell_based
    return {
        # the product description decides; classification_basis.recombinant_nucleic_acid is a
        # declaration checked against it (rule atmp-class, mode facts)
        "recombinant": gm is not None,
        "viable_cells": b.viable_cells if b and b.viable_cells is not None else cells,
        "manipulated": b.substantially_manipulated if b else None,
        "homologous": b.homologous_use if b else None,
        "action": b.intended_action if b else None,
        # likewise: product.devices decides, classification_basis.integral_device is checked against it
        "device": integral_device(d),
    }


def has_integral_device(d: Dossier) -> bool:
    return any(dev.role is DeviceRole.integral for dev in d.product.devices)


def integral_device(d: Dossier) -> bool | None:
    """Whether a medical device is an integral part of the product: None when product.devices is
    not stated (an absent list is not "no device")."""
    if has_integral_device(d):
        return True
    return False if d.product.told("devices") == "given" else None


def classify(d: Dossier) -> Classification:
    f = _facts(d)
    c = Classification(None)
    say = c.steps.append
    # engineered (Regulation 1394/2007 Art 2(1)(c)): substantially manipulated, or not for the same
    # essential function; neither stated is not a "no"
    if f["manipulated"] is True or f["homologous"] is False:
        engineered: bool | None = True
    elif f["manipulated"] is False and f["homologous"] is True:
        engineered = False
    else:
        engineered = None

    say(Step("Does the active substance contain or consist of a recombinant nucleic acid acting through its sequence?", "yes" if f["recombinant"] else "no", DIR_GTMP))
    if f["recombinant"]:
        c.candidates.append(EUClass.GTMP)
    if f["viable_cells"]:
        say(Step("Are the cells or tissues substantially manipulated or not intended for the same essential function (engineered)?", {True: "yes", False: "no"}.get(engineered, "not stated (classification_basis.substantially_manipulated, homologous_use)"), f"{DIR_SCTMP}; {REG_TEP}"))
        action = f["action"]
        say(Step("What is the intended action of the cells or tissues?", action.value if isinstance(action, IntendedAction) else "not stated", f"{DIR_SCTMP}; {REG_TEP}"))
        if engineered and action is IntendedAction.regenerate_repair_replace:
            c.candidates.append(EUClass.TEP)
        if engineered and action is IntendedAction.pharmacological_immunological_metabolic:
            c.candidates.append(EUClass.sCTMP)
        say(Step("Is a medical device an integral part of the product, with viable cells?", {True: "yes", False: "no"}.get(f["device"], "not stated (product.devices)"), REG_CATMP))
        if f["device"]:
            c.candidates.append(EUClass.cATMP)
        elif f["device"] is None and c.candidates:
            # a combined ATMP prevails over every other class: with the device not stated,
            # no class follows
            c.undecided = "product.devices"
    c.derived = None if c.undecided else _precedence(c.candidates)
    if len(c.candidates) > 1 and c.derived:
        order = " > ".join(x.value for x in (EUClass.cATMP, EUClass.GTMP, EUClass.TEP, EUClass.sCTMP) if x in c.candidates)
        say(Step("Several definitions are met; which class prevails?", f"{order}: {c.derived.value}", REG_PRECEDENCE))
    return c


def _precedence(candidates: list[EUClass]) -> EUClass | None:
    for cls in (EUClass.cATMP, EUClass.GTMP, EUClass.TEP, EUClass.sCTMP):
        if cls in candidates:
            return cls
    return None
