"""Issue 14: the kinds of facts real products have, each found where its heading expects it in the
built PDFs of the two examples written from public facts (car-t-new-indication, aav-systemic).
The expected text is read from the examples' own YAML, so the test follows the data."""

from __future__ import annotations

import re

import pypdf
import pytest

from dossier import api
from dossier.model.identifiers import jurisdiction_name
from tests.conftest import EXAMPLES


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def texts(built):
    """(example, target) -> the PDF's text without whitespace (line breaks fall anywhere in a table)."""
    out = {}
    for name in ("car-t-new-indication", "aav-systemic"):
        for target in ("ind", "impd"):
            reader = pypdf.PdfReader(built[(name, target)])
            out[(name, target)] = _squash(" ".join(page.extract_text() for page in reader.pages))
    return out


def _has(text: str, fragment: str) -> bool:
    return _squash(fragment) in text


@pytest.fixture(scope="module")
def authorised():
    return api.load(EXAMPLES / "car-t-new-indication").dossier


def test_regulatory_history_in_both_documents_each_in_its_region(texts, authorised):
    p = authorised.product
    ind, impd = texts[("car-t-new-indication", "ind")], texts[("car-t-new-indication", "impd")]
    for a in p.marketing_authorisations:
        for text in (ind, impd):
            assert _has(text, a.number) and _has(text, jurisdiction_name(a.jurisdiction)), a.number
        if a.status_reason:
            assert _has(ind, a.status_reason) and _has(impd, a.status_reason)
        for code in a.ndc:
            assert _has(ind, code) and not _has(impd, code), code
    assert _has(impd, "Additional monitoring") and not _has(ind, "Additional monitoring")
    for o in p.orphan_designations:
        assert _has(ind, o.number or o.condition) and _has(impd, o.number or o.condition)
    for r in p.procedures:
        assert _has(ind, r.kind) and _has(impd, r.kind)
    for partner in p.partners:
        assert _has(ind, partner.name) and _has(impd, partner.name)
    assert _has(ind, f"{p.inn}-{p.proper_name_suffix}") and not _has(impd, f"{p.inn}-{p.proper_name_suffix}")
    assert _has(impd, p.atc_code)


def test_completed_and_ongoing_trials_are_listed_with_their_numbers(texts, authorised):
    ind = texts[("car-t-new-indication", "ind")]
    for s in authorised.clinical.studies:
        assert _has(ind, s.id), s.id
        for r in s.registry_ids:
            assert _has(ind, r.id), r.id
        if s.enrolled is not None and s.treated is not None:
            assert _has(ind, f"{s.enrolled} / {s.treated}"), s.id


def test_sources_are_printed_with_their_records(texts, authorised):
    ind, impd = texts[("car-t-new-indication", "ind")], texts[("car-t-new-indication", "impd")]
    cited = [src for a in authorised.product.marketing_authorisations for src in a.sources]
    assert cited, "the example names the sources of its authorisations"
    for src in cited:
        assert _has(ind, str(src)) and _has(impd, str(src)), str(src)


def test_the_simplified_impd_keeps_the_new_indications_data(texts, authorised):
    impd = texts[("car-t-new-indication", "impd")]
    assert authorised.eu.simplified_impd is not None
    new = [s for s in authorised.nonclinical.studies if s.test_article is not None]
    assert new and all(_has(impd, s.id) for s in new)


@pytest.fixture(scope="module")
def systemic():
    return api.load(EXAMPLES / "aav-systemic").dossier


def test_a_weight_banded_dose_with_its_volume(texts, systemic):
    text = texts[("aav-systemic", "ind")]  # the protocols are in the IND
    for level in systemic.clinical.protocols[0].treatment.dose_levels:
        assert _has(text, level.dose_text()), level.level
        if level.volume:
            assert _has(text, str(level.volume))
    band = systemic.clinical.protocols[0].treatment.dose_levels[0].weight_bands[0]
    assert _has(texts[("aav-systemic", "ind")], f"above {band.above_kg:g} kg: {band.dose}")


def test_selection_assay_potency_in_use_and_literature(texts, systemic):
    ind, impd = texts[("aav-systemic", "ind")], texts[("aav-systemic", "impd")]
    assay = systemic.clinical.protocols[0].selection_assays[0]
    assert _has(ind, assay.name)
    potency = systemic.quality.drug_substances[0].characterisation.potency
    for text in (ind, impd):
        assert _has(text, "Biological activity and potency assurance") and _has(text, potency.assays[0])
    for stage in systemic.quality.drug_product.stability.in_use:
        assert _has(ind, stage.stage) and _has(impd, stage.stage)
    literature = [s for s in systemic.nonclinical.studies if s.publication]
    assert literature and all(_has(ind, s.publication) for s in literature)


def test_each_process_has_its_flow_figure(texts, systemic, authorised):
    for name, d in (("aav-systemic", systemic), ("car-t-new-indication", authorised)):
        processes = [x for x in [*d.quality.drug_substances, d.quality.drug_product] if x is not None and x.process and x.process.steps]
        text = texts[(name, "ind")]
        for x in processes:
            assert _has(text, f"Manufacturing process flow: {x.name}"), (name, x.name)


def test_immunosuppression_cut_off_and_the_ind_a_study_runs_under(texts, systemic, authorised):
    ind = texts[("aav-systemic", "ind")]
    treatment = systemic.clinical.protocols[0].treatment
    assert treatment.immunosuppression and _has(ind, "Immunosuppression")
    assert all(_has(ind, a.dose) for a in treatment.immunosuppression)
    assert _has(ind, systemic.clinical.protocols[0].selection_assays[0].cut_off)
    under = [s for s in authorised.clinical.studies if s.ind_number]
    assert under and _has(texts[("car-t-new-indication", "ind")], f"under a US IND ({under[0].ind_number})")
