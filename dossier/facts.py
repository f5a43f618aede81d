"""Derived facts about a product: the named conditions packs use in `when:`.

Each condition is a small pure function of the `Dossier`; packs refer to them
by name, so regulatory data stays in the packs and the logic stays testable.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from dossier.model import Dossier
from dossier.model.administrative import Phase
from dossier.model.clinical import Control
from dossier.model.product import INTEGRATING, SURGICAL_ROUTES, DeviceRole, Modality, Origin, Storage, VectorType

Condition = Callable[[Dossier], bool]


def _vector(d: Dossier):
    gm = d.product.genetic_modification
    return gm.vector if gm else None


def genetically_modified(d: Dossier) -> bool:
    """the product is genetically modified"""
    return d.product.genetic_modification is not None


def integrating_vector(d: Dossier) -> bool:
    """the vector integrates into the genome"""
    v = _vector(d)
    return bool(v and (v.integrating or v.type in INTEGRATING))


def retroviral_vector(d: Dossier) -> bool:
    """a retroviral or lentiviral vector is used"""
    v = _vector(d)
    return bool(v and v.type in {VectorType.lentiviral, VectorType.gammaretroviral, VectorType.retroviral})


def viral_vector(d: Dossier) -> bool:
    """a viral vector is used"""
    v = _vector(d)
    return bool(v and v.type not in {VectorType.plasmid, VectorType.mrna, VectorType.transposon, VectorType.non_viral})


def in_vivo_gene_therapy(d: Dossier) -> bool:
    """the product is a gene therapy given to the patient directly (not in cells modified ex vivo)"""
    return genetically_modified(d) and not cell_product(d)


def genome_editing(d: Dossier) -> bool:
    """the genome is edited"""
    gm = d.product.genetic_modification
    return bool(gm and gm.editing)


def autologous(d: Dossier) -> bool:
    """the product is autologous"""
    return d.product.origin is Origin.autologous


def allogeneic(d: Dossier) -> bool:
    """the product is allogeneic"""
    return d.product.origin is Origin.allogeneic


def cell_product(d: Dossier) -> bool:
    """the product contains cells"""
    return d.product.origin is not Origin.not_cell_based


def immune_effector_cells(d: Dossier) -> bool:
    """the product consists of immune effector cells (CAR-T, TCR-T)"""
    return d.product.modality in {Modality.car_t, Modality.tcr_t}


def car_t(d: Dossier) -> bool:
    """the product is a CAR-T cell product"""
    return d.product.modality is Modality.car_t


def ltfu_15_years(d: Dossier) -> bool:
    """the vector integrates or the genome is edited"""
    return integrating_vector(d) or genome_editing(d)


def us_place_of_business(d: Dossier) -> tuple[bool, bool]:
    """(has a US residence or place of business, derived?): as stated in us.place_of_business,
    else derived from the sponsor's address (outside the US: none)."""
    if d.us.place_of_business is not None:
        return d.us.place_of_business, False
    return d.sponsor.address.country == "US", True


def foreign_sponsor(d: Dossier) -> bool:
    """the sponsor has no US place of business (as stated, else from the sponsor's address)"""
    return not us_place_of_business(d)[0]


def sponsor_outside_eea(d: Dossier) -> bool:
    """the sponsor is established outside the EU/EEA (from its address)"""
    from dossier.model.identifiers import EEA_ONLY, EU_MEMBER_STATES

    country = d.sponsor.address.country
    return bool(country) and country not in EU_MEMBER_STATES | EEA_ONLY


def third_country_manufacture(d: Dossier) -> bool:
    """a drug substance or drug product site is outside the EU/EEA and the IMP holds no EU marketing authorisation"""
    from dossier.rules.kinds.qp_declarations import third_country_sites

    return d.eu.imp_authorised is not True and bool(third_country_sites(d))


def commercial_ind(d: Dossier) -> bool:
    """the IND is a commercial IND (Form FDA 1571), which FDA receives in eCTD"""
    from dossier.model.administrative import INDCategory

    return d.us.ind_category is INDCategory.commercial


def has_cros(d: Dossier) -> bool:
    """obligations are transferred to a contract research organisation"""
    return bool(d.sponsor.cros)


def has_references(d: Dossier) -> bool:
    """information is incorporated by reference to other files"""
    return bool(d.us.references)


def has_placebo(d: Dossier) -> bool:
    """a protocol uses a placebo"""
    return any(p.control is Control.placebo for p in d.clinical.protocols)


def phase_1(d: Dossier) -> bool:
    """the submission includes phase 1"""
    return Phase.phase_1 in d.submission.phases or Phase.phase_1_2 in d.submission.phases


def first_in_human(d: Dossier) -> bool:
    """the trial is the first administration to humans"""
    return d.eu.cover_letter.first_in_human is True


def human_or_animal_materials(d: Dossier) -> bool:
    """materials of human or animal origin are used (other than the patient's own cells or tissue)"""
    from dossier.model.quality import MaterialOrigin

    q = d.quality
    mats = [m for ds in q.drug_substances for m in ds.materials if not m.from_patient]
    comps = q.drug_product.composition if q.drug_product else []
    origins = {m.origin for m in mats} | {c.origin for c in comps if c.origin}
    return bool(origins & {MaterialOrigin.human, MaterialOrigin.animal})


def live_animal_cell_contact(d: Dossier) -> bool:
    """live non-human animal cells (e.g. feeder cells) contact the product in manufacture"""
    return any(m.live_animal_cells for ds in d.quality.drug_substances for m in ds.materials)


def integral_device(d: Dossier) -> bool:
    """a medical device is an integral part of the product (combined ATMP)"""
    return any(dev.role is DeviceRole.integral for dev in d.product.devices)


def surgical_administration(d: Dossier) -> bool:
    """the product is given by a surgical procedure (implantation, subretinal injection after vitrectomy, intracerebral injection), by its route or one of its other routes"""
    return d.product.route in SURGICAL_ROUTES or any(r in SURGICAL_ROUTES for r in d.product.other_routes)


def fresh_product(d: Dossier) -> bool:
    """the product is administered fresh (not frozen or cryopreserved)"""
    return d.product.storage is Storage.fresh


def stem_cell_transplant(d: Dossier) -> bool:
    """the product is gene-modified haematopoietic stem cells given after conditioning"""
    return d.product.modality is Modality.gene_modified_hsc


def dose_escalation(d: Dossier) -> bool:
    """a protocol tests more than one dose level"""
    return any(len(p.treatment.dose_levels) > 1 for p in d.clinical.protocols)


def long_term_follow_up(d: Dossier) -> bool:
    """the product is genetically modified or a protocol plans long-term follow-up"""
    return genetically_modified(d) or any(p.long_term_follow_up for p in d.clinical.protocols)


def foreign_sites(d: Dossier) -> bool:
    """the trial has sites outside the United States (EU/EEA Member States concerned, or an investigator abroad)"""
    return bool(d.eu.member_states) or any(i.address.country != "US" for i in d.clinical.investigators)


def enrols_children(d: Dossier, protocol) -> bool:
    """the protocol enrols children (youngest age at enrolment below 18 years)"""
    age = getattr(getattr(protocol, "population", None), "min_age_years", None)
    return age is not None and age < 18


def vector_for_ex_vivo_modification(d: Dossier, substance) -> bool:
    """the drug substance is the vector that modifies the product's cells ex vivo"""
    kind = getattr(substance, "kind", None)
    return cell_product(d) and genetically_modified(d) and kind is not None and kind.value == "vector"


def reference_to_another_holder(d: Dossier, reference) -> bool:
    """the cross-referenced file is another holder's (not the sponsor's own file)"""
    kind = getattr(reference, "type", None)
    return kind is not None and kind.value != "sponsor's own file"


def supports_safety(d: Dossier, study) -> bool:
    """the study supports the safety of the trial: GLP-compliant, marked pivotal, or named in the justification of the clinical dose"""
    glp = getattr(study, "glp", None)
    if getattr(study, "pivotal", None) is True or (glp is not None and glp.value == "compliant"):
        return True
    dj = d.nonclinical.dose_justification
    sid = getattr(study, "id", None)
    return bool(dj and sid and re.search(rf"(?<![\w-]){re.escape(sid)}(?![\w-])", str(dj.rationale)))


def signs_1572(d: Dossier, investigator) -> bool:
    """the investigator conducts the study under this IND and so signs Form FDA 1572 (a US investigator, or one abroad unless the sites outside the US are declared not to be under the IND)"""
    address = getattr(investigator, "address", None)
    if address is not None and address.country == "US":
        return True
    fs = d.us.foreign_sites
    return fs is None or fs.under_ind is not False


ITEM_CONDITIONS: dict[str, Callable[[Dossier, object], bool]] = {f.__name__: f for f in (enrols_children, vector_for_ex_vivo_modification, reference_to_another_holder, supports_safety, signs_1572)}
"""Conditions about one item: of a repeated section (a protocol), or of the list a requirement's
path runs through (`us.references[].authorisation_date`, asked of each reference). A section or
requirement applies to the items for which it holds, never to the dossier as a whole."""


def _scenario(d: Dossier):
    from dossier.model.administrative import SimplifiedScenario as S

    return d.eu.simplified_impd, S


def impd_needs_s(d: Dossier) -> bool:
    """active-substance data are required (full IMPD, or Annex I Table 1 scenario with another manufacturer)"""
    sc, S = _scenario(d)
    return sc in (None, S.substance_authorised_other_manufacturer)


def impd_needs_p(d: Dossier) -> bool:
    """product data are required (not an authorised IMP used unmodified; Annex I Table 1)"""
    sc, S = _scenario(d)
    return sc not in (S.authorised_within_smpc, S.authorised_outside_smpc)


def impd_needs_se(d: Dossier) -> bool:
    """non-clinical and clinical data are part of the IMPD (not covered by an SmPC; for an authorised IMP used outside its SmPC, Annex I Table 1 asks for them 'if appropriate': when the dossier gives them)"""
    sc, S = _scenario(d)
    if sc is S.authorised_outside_smpc:
        return bool(d.nonclinical.studies or d.clinical.previous_human_experience or d.clinical.studies)
    return sc not in (S.authorised_within_smpc, S.authorised_modified)


def authorised_anywhere(d: Dossier) -> bool:
    """the product holds a valid marketing authorisation somewhere"""
    from dossier.model.product import AuthorisationStatus

    return any(a.status is AuthorisationStatus.valid for a in d.product.marketing_authorisations)


def marketed_anywhere(d: Dossier) -> bool:
    """the product is or has been marketed in some country (product.marketed_countries)"""
    return bool(d.product.marketed_countries)


def said_authorised(d: Dossier) -> bool:
    """the EU application says the IMP is authorised (eu.imp_authorised, or a simplified-IMPD scenario for an authorised IMP)"""
    from dossier.model.administrative import SimplifiedScenario as S

    authorised = {S.authorised_within_smpc, S.authorised_outside_smpc, S.authorised_modified}
    return d.eu.imp_authorised is True or d.eu.simplified_impd in authorised


def confirmatory_phase(d: Dossier) -> bool:
    """the submission includes a phase 3 (confirmatory) trial"""
    return Phase.phase_3 in d.submission.phases


def simplified_impd(d: Dossier) -> bool:
    """a simplified IMPD is submitted (Annex I Table 1)"""
    return d.eu.simplified_impd is not None


CONDITIONS: dict[str, Condition] = {
    f.__name__: f
    for f in (
        genetically_modified,
        integrating_vector,
        retroviral_vector,
        viral_vector,
        in_vivo_gene_therapy,
        genome_editing,
        autologous,
        allogeneic,
        cell_product,
        immune_effector_cells,
        car_t,
        ltfu_15_years,
        foreign_sponsor,
        foreign_sites,
        commercial_ind,
        sponsor_outside_eea,
        third_country_manufacture,
        has_cros,
        has_references,
        has_placebo,
        phase_1,
        first_in_human,
        human_or_animal_materials,
        live_animal_cell_contact,
        integral_device,
        surgical_administration,
        fresh_product,
        stem_cell_transplant,
        long_term_follow_up,
        dose_escalation,
        impd_needs_s,
        impd_needs_p,
        impd_needs_se,
        simplified_impd,
        authorised_anywhere,
        marketed_anywhere,
        said_authorised,
        confirmatory_phase,
    )
}


READS: dict[str, tuple[str, ...]] = {
    "fresh_product": ("product.storage",),
    "first_in_human": ("eu.cover_letter.first_in_human",),
    "integral_device": ("product.devices",),
    "phase_1": ("submission.phases",),
    "confirmatory_phase": ("submission.phases",),
    "commercial_ind": ("us.ind_category",),
}
"""Facts a condition reads that the YAML may leave out. When one is not stated the condition
cannot be decided: it is false, and whoever depends on it is told (`undecided`), never skipped
in silence."""


def undecided(names: list[str], d: Dossier) -> list[tuple[str, str]]:
    """(condition, fact path) for each named condition that reads a fact the YAML does not state."""
    from dossier import factpath

    out = []
    for name in names:
        for path in READS.get(name.lstrip("!"), ()):
            if not stated(d, path):
                out.append((name, path))
    return out


def stated(d: Dossier, path: str) -> bool:
    """The YAML states the fact at `path` (a list it gives empty counts: "there is none")."""
    from dossier import factpath

    parent, _, field = path.rpartition(".")
    for _, obj in factpath.resolve(d, parent) if parent else [((), d)]:
        if obj is None or obj.told(field) != "given" or getattr(obj, field) is None:
            return False
    return True


def is_item_condition(name: str) -> bool:
    return name.lstrip("!") in ITEM_CONDITIONS


def is_condition(name: str) -> bool:
    """`name` (or `!name`) is a condition of CONDITIONS or ITEM_CONDITIONS."""
    return name.lstrip("!") in CONDITIONS or name.lstrip("!") in ITEM_CONDITIONS


def require_known(names) -> list[str]:
    """`names` unchanged when each is a condition of CONDITIONS (`!name` negates), else ValueError:
    for the validators of pack parameters that name conditions."""
    unknown = [name for name in names if not is_condition(name)]
    if unknown:
        raise ValueError(f"unknown conditions {unknown}; known: {sorted(CONDITIONS)}")
    return names


def holds(names: list[str], d: Dossier, item=None) -> bool:
    """All named conditions hold (`!name` negates). A condition about an item (ITEM_CONDITIONS)
    is asked of `item`, the repeated section's item; without one it does not hold."""
    for name in names:
        negate = name.startswith("!")
        bare = name.lstrip("!")
        if bare in ITEM_CONDITIONS:
            value = item is not None and ITEM_CONDITIONS[bare](d, item)
        else:
            value = CONDITIONS[bare](d)
        if value == negate:
            return False
    return True


def describe(names: list[str]) -> str:
    """Conditions in words: each condition's docstring says when it holds."""
    parts = []
    for name in names:
        fn = CONDITIONS.get(name.lstrip("!")) or ITEM_CONDITIONS[name.lstrip("!")]
        text = (fn.__doc__ or name).strip()
        parts.append(f"not ({text})" if name.startswith("!") else text)
    return " and ".join(parts)
