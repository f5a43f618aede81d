"""Derived facts about a product: the named conditions packs use in `when:`.

Each condition is a small pure function of the `Dossier`; packs refer to them
by name, so regulatory data stays in the packs and the logic stays testable.
"""

from __future__ import annotations

from collections.abc import Callable

from dossier.model import Dossier
from dossier.model.administrative import Phase
from dossier.model.clinical import Control
from dossier.model.product import INTEGRATING, Modality, Origin, VectorType

Condition = Callable[[Dossier], bool]


def _vector(d: Dossier):
    gm = d.product.genetic_modification
    return gm.vector if gm else None


def genetically_modified(d: Dossier) -> bool:
    return d.product.genetic_modification is not None


def integrating_vector(d: Dossier) -> bool:
    v = _vector(d)
    return bool(v and (v.integrating or v.type in INTEGRATING))


def retroviral_vector(d: Dossier) -> bool:
    v = _vector(d)
    return bool(v and v.type in {VectorType.lentiviral, VectorType.gammaretroviral})


def viral_vector(d: Dossier) -> bool:
    v = _vector(d)
    return bool(v and v.type not in {VectorType.plasmid, VectorType.mrna, VectorType.transposon})


def genome_editing(d: Dossier) -> bool:
    gm = d.product.genetic_modification
    return bool(gm and gm.editing)


def autologous(d: Dossier) -> bool:
    return d.product.origin is Origin.autologous


def allogeneic(d: Dossier) -> bool:
    return d.product.origin is Origin.allogeneic


def cell_product(d: Dossier) -> bool:
    return d.product.origin is not Origin.not_cell_based


def immune_effector_cells(d: Dossier) -> bool:
    return d.product.modality in {Modality.car_t, Modality.tcr_t}


def car_t(d: Dossier) -> bool:
    return d.product.modality is Modality.car_t


def ltfu_15_years(d: Dossier) -> bool:
    return integrating_vector(d) or genome_editing(d)


def foreign_sponsor(d: Dossier) -> bool:
    return not d.sponsor.us_place_of_business


def has_cros(d: Dossier) -> bool:
    return bool(d.sponsor.cros)


def has_references(d: Dossier) -> bool:
    return bool(d.references)


def has_placebo(d: Dossier) -> bool:
    return any(p.control is Control.placebo for p in d.clinical.protocols)


def phase_1(d: Dossier) -> bool:
    return Phase.phase_1 in d.submission.phases or Phase.phase_1_2 in d.submission.phases


def first_in_human(d: Dossier) -> bool:
    return d.eu.cover_letter.first_in_human


def human_or_animal_materials(d: Dossier) -> bool:
    from dossier.model.quality import MaterialOrigin

    q = d.quality
    mats = [m for ds in q.drug_substances for m in ds.materials]
    comps = q.drug_product.composition if q.drug_product else []
    origins = {m.origin for m in mats} | {c.origin for c in comps if c.origin}
    return bool(origins & {MaterialOrigin.human, MaterialOrigin.animal})


CONDITIONS: dict[str, Condition] = {
    f.__name__: f
    for f in (
        genetically_modified,
        integrating_vector,
        retroviral_vector,
        viral_vector,
        genome_editing,
        autologous,
        allogeneic,
        cell_product,
        immune_effector_cells,
        car_t,
        ltfu_15_years,
        foreign_sponsor,
        has_cros,
        has_references,
        has_placebo,
        phase_1,
        first_in_human,
        human_or_animal_materials,
    )
}


def holds(names: list[str], d: Dossier) -> bool:
    """All named conditions hold (`!name` negates)."""
    for name in names:
        negate = name.startswith("!")
        fn = CONDITIONS[name.lstrip("!")]
        if fn(d) == negate:
            return False
    return True


def describe(names: list[str]) -> str:
    return " and ".join(n.lstrip("!").replace("_", " ") if not n.startswith("!") else "not " + n[1:].replace("_", " ") for n in names)
