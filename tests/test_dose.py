"""Doses as real labels give them (issue 14): ranges, weight bands and volumes, in the model,
the rules and the built PDF."""

from __future__ import annotations

import shutil

import pypdf
import pytest

from dossier import api
from dossier.findings import Severity
from dossier.model.base import Dose, Volume, WeightBand
from tests.conftest import EXAMPLES, rules_of

CAR_T = "CAR-positive viable T cells"


@pytest.mark.parametrize(
    "dose,text",
    [
        ({"value": 0.2e6, "up_to": 5.0e6, "entity": CAR_T, "basis": "per kg"}, "0.2–5.0 × 10⁶ CAR+ viable T cells/kg"),
        ({"value": 1.0e8, "up_to": 2.5e8, "entity": CAR_T, "basis": "flat"}, "1.0–2.5 × 10⁸ CAR+ viable T cells"),
        ({"value": 10, "up_to": 70, "entity": "spheroids", "basis": "per cm² of defect"}, "10–70 spheroids/cm² defect"),
        ({"value": 2.0e6, "entity": CAR_T, "basis": "per kg"}, "2.0 × 10⁶ CAR+ viable T cells/kg"),
    ],
)
def test_a_dose_range_reads_as_a_label_writes_it(dose, text):
    assert str(Dose.model_validate(dose)) == text


def test_a_range_given_upside_down_is_refused_with_a_hint():
    with pytest.raises(ValueError, match="give the lower end as value"):
        Dose.model_validate({"value": 5.0e6, "up_to": 0.2e6, "entity": CAR_T, "basis": "per kg"})


def test_a_flat_band_is_at_most_its_dose_over_the_lightest_weight_per_kg():
    band = WeightBand.model_validate({"above_kg": 50, "dose": {"value": 1.0e8, "up_to": 2.5e8, "entity": CAR_T, "basis": "flat"}})
    assert band.per_kg_highest() == pytest.approx(5.0e6)
    assert str(Volume.model_validate({"value": 10, "up_to": 70, "unit": "mL"})) == "10–70 mL"


@pytest.fixture
def msc(tmp_path):
    """A copy of the MSC example's dossier.yaml, to edit."""
    shutil.copytree(EXAMPLES / "msc", tmp_path / "msc")
    return tmp_path / "msc" / "dossier.yaml"


@pytest.fixture
def car_t(tmp_path):
    shutil.copytree(EXAMPLES / "car-t", tmp_path / "car-t")
    return tmp_path / "car-t"


def _set_dl2(car_t, dose: str, extra: str = "") -> None:
    protocol = car_t / "clinical" / "protocol-kbt19-101.yaml"
    text = protocol.read_text(encoding="utf-8")
    old = "    - level: DL2\n      dose: {value: 1.0e6, entity: CAR-positive viable T cells, basis: per kg, cap: 1.0e8}\n"
    assert old in text
    protocol.write_text(text.replace(old, f"    - level: DL2\n      dose: {dose}\n{extra}"), encoding="utf-8")


def test_weight_bands_and_volume_are_printed_in_the_protocol_section(car_t, tmp_path):
    _set_dl2(
        car_t,
        "{value: 0.5e6, up_to: 1.0e6, entity: CAR-positive viable T cells, basis: per kg}",
        "      weight_bands: [{above_kg: 100, dose: {value: 0.5e8, up_to: 1.0e8, entity: CAR-positive viable T cells, basis: flat}}]\n"
        "      volume: {value: 10, up_to: 70, unit: mL}\n",
    )
    result = api.check(car_t, "ind")
    assert not rules_of(result.findings) & {"IND-CONS-001", "IND-CONS-002"}, [f.message for f in result.findings]
    out = tmp_path / "ind.pdf"
    api.build(car_t, "ind", output=out, section="5.3.5.2-e")
    text = " ".join("\n".join(p.extract_text() for p in pypdf.PdfReader(out).pages).split())
    assert "0.5–1.0 × 10⁶ CAR+ viable T cells/kg (up to 100 kg); above 100 kg: 0.5–1.0 × 10⁸ CAR+ viable T cells" in text
    assert "10–70 mL" in text


def test_a_flat_band_above_a_light_threshold_exceeds_the_supported_dose_per_kg(car_t):
    _set_dl2(
        car_t,
        "{value: 0.5e6, up_to: 1.0e6, entity: CAR-positive viable T cells, basis: per kg}",
        "      weight_bands: [{above_kg: 20, dose: {value: 0.5e8, up_to: 1.0e8, entity: CAR-positive viable T cells, basis: flat}}]\n",
    )
    found = [f for f in api.check(car_t, "ind").findings if "weight_bands" in (f.path or "")]
    assert found and "above 20 kg" in found[0].message and "5.0 × 10⁶" in found[0].message


def _minimal_with_product(**fields):
    """The minimal dossier with these product fields, validated."""
    from dossier.io.yamlsource import load_file
    from dossier.validate import validate
    from tests.conftest import DATA

    base = load_file(DATA / "minimal.yaml").data
    d, findings = validate({**base, "product": {**base["product"], **fields}}, None)
    assert d is not None, findings
    return d


def test_vector_kinds_real_products_use_decide_the_conditions():
    from dossier import facts

    def with_vector(kind, integrating=False):
        return _minimal_with_product(genetic_modification={"method": "ex vivo transduction", "vector": {"type": kind, "integrating": integrating}})

    assert facts.retroviral_vector(with_vector("retroviral (other)")) and facts.integrating_vector(with_vector("retroviral (other)"))  # the type says it integrates
    assert not facts.viral_vector(with_vector("non-viral (other)"))


@pytest.mark.parametrize(
    "route,other,surgical",
    [("intravenous", [], False), ("subretinal", [], True), ("intra-articular", ["surgical implantation"], True), ("intravenous", ["intramuscular"], False)],
)
def test_a_surgical_route_among_several_switches_the_surgical_requirements_on(route, other, surgical):
    from dossier import facts

    assert facts.surgical_administration(_minimal_with_product(route=route, other_routes=other)) is surgical


def test_regulatory_history_is_shown_where_previous_human_experience_is(msc, tmp_path):
    """Issue 14: a product authorised elsewhere shows its authorisations, designations, earlier
    procedures and partners: the IND in 2.5, the IMPD in its particulars (SE.2 points there). Each
    region's document shows its own region's columns only (NDC in the US, additional monitoring
    in the EU), and US documents print the proper name with FDA's suffix."""
    path = msc
    text = path.read_text(encoding="utf-8")
    history = (
        "  inn: velastrocel\n"
        "  proper_name_suffix: qzrt\n"
        "  marketing_authorisations:\n"
        "    - {jurisdiction: JP, procedure: conditional and time-limited approval, number: 23000AMX00001, date: 2021-09-27, holder: Seirin Cell Therapeutics K.K., indication: complex perianal fistula, type: conditional, status: valid, ndc: [69866-1030-1],\n"
        "       dose: {value: 1.2e8, entity: viable cells, basis: flat}, sources: [{citation: PMDA review report 23000AMX00001, locator: section 7.R.5}]}\n"
        "    - {jurisdiction: EU, procedure: centralised, number: EU/1/21/1599, date: 2021-03-23, type: conditional, status: withdrawn, status_date: 2024-12-15, status_reason: not renewed by the holder (commercial reasons), additional_monitoring: true}\n"
        "  orphan_designations:\n"
        "    - {jurisdiction: EU, number: EU/3/19/2145, date: 2019-05-20, condition: anal fistula}\n"
        "  procedures:\n"
        "    - {jurisdiction: EU, kind: PRIME eligibility, reference: EMEA/H/PRIME/0042, date: 2018-06-28, outcome: granted}\n"
        "  partners:\n"
        "    - {name: Seirin Cell Therapeutics K.K., role: licensee, territories: [JP], scope: development and commercialisation in Japan, since: 2017-04-01}\n"
        "  atc_code: L04AX\n"
    )
    assert "\n  withdrawn_countries:" in text
    path.write_text(text.replace("\n  withdrawn_countries:", "\n" + history.rstrip("\n") + "\n  withdrawn_countries:", 1), encoding="utf-8")
    assert not [f for f in api.load(path).findings if f.severity is Severity.ERROR]
    pages = {}
    for target in ("impd", "ind"):
        out = tmp_path / f"{target}.html"
        api.build(path, target, output=out, fmt="html")
        pages[target] = html = out.read_text(encoding="utf-8")
        assert "EU/1/21/1599" in html and "withdrawn" in html and "not renewed by the holder" in html, target
        assert "Seirin Cell Therapeutics K.K." in html and "EU/3/19/2145" in html, target
        assert "European Union (centralised)" in html and "Japan (conditional and time-limited approval)" in html, target
        assert "EMEA/H/PRIME/0042" in html and "development and commercialisation in Japan" in html, target
        assert "1.2 × 10⁸ viable cells" in html and "PMDA review report 23000AMX00001, section 7.R.5" in html, target
    assert "69866-1030-1" in pages["ind"] and "69866-1030-1" not in pages["impd"]
    assert "Additional monitoring" in pages["impd"] and "Additional monitoring" not in pages["ind"]
    assert "velastrocel-qzrt" in pages["ind"] and "velastrocel-qzrt" not in pages["impd"] and "velastrocel" in pages["impd"]
    se2 = pages["impd"].split('id="se-2"' if 'id="se-2"' in pages["impd"] else "Previous clinical trials and human experience", 1)[1]
    assert "listed in the product and trial particulars" in se2

    assert api.load(path).dossier.product.atc_code == "L04AX"
    for good, bad, where in (("atc_code: L04AX", "atc_code: L4AX", "product.atc_code"),
                             ("jurisdiction: JP", "jurisdiction: Japan", "product.marketing_authorisations[0].jurisdiction"),
                             ("ndc: [69866-1030-1]", "ndc: [6986610301]", "product.marketing_authorisations[0].ndc[0]"),
                             ("proper_name_suffix: qzrt", "proper_name_suffix: -qzrt", "product.proper_name_suffix")):
        path.write_text(text.replace("\n  withdrawn_countries:", "\n" + history.replace(good, bad).rstrip("\n") + "\n  withdrawn_countries:", 1), encoding="utf-8")
        assert any(f.path == where and f.severity is Severity.ERROR for f in api.load(path).findings), bad


def test_clinical_studies_are_records_in_the_listing_and_the_human_experience(msc, tmp_path):
    """Issue 14: completed and ongoing studies with registry ids of any kind, numbers, status and
    results; a follow-up whose length is not known yet is answered so."""
    path = msc
    text = path.read_text(encoding="utf-8")
    studies = (
        "  studies:\n"
        "    - id: MRV-JP-01\n"
        "      title: Open-label study of MRV-204 in complex perianal fistula (Japan)\n"
        "      registry_ids: [{registry: jRCT, id: jRCT2031200123}]\n"
        "      phase: '3'\n"
        "      sponsor: Seirin Cell Therapeutics K.K.\n"
        "      countries: [Japan]\n"
        "      under_us_ind: false\n"
        "      status: completed\n"
        "      enrolled: 22\n"
        "      treated: 22\n"
        "      results: |\n"
        "        Combined remission at Week 24 in 59.1 % (13/22; 95 % CI 36.4–79.3 %).\n"
        "    - id: MRV-LTFU\n"
        "      title: Long-term follow-up of subjects treated with MRV-204\n"
        "      phase: observational\n"
        "      status: ongoing (recruiting or treating)\n"
        "      follow_up: {unknown: {reason: set with the agencies after the first 12 months, expected: 2027}}\n"
    )
    assert "\nclinical:\n" in text
    path.write_text(text.replace("\nclinical:\n", "\nclinical:\n" + studies, 1), encoding="utf-8")
    out = tmp_path / "ind.html"
    api.build(path, "ind", output=out, fmt="html", section="5.2", draft=True)
    html = out.read_text(encoding="utf-8")
    assert "jRCT jRCT2031200123" in html and "Seirin Cell Therapeutics K.K." in html and "22 / 22" in html
    assert "not under a US IND" in html
    api.build(path, "impd", output=out, fmt="html", section="SE.2", draft=True)
    html = out.read_text(encoding="utf-8")
    assert "59.1 % (13/22; 95 % CI 36.4–79.3 %)" in html and "MRV-LTFU" in html
    assert any(f.rule == "INPUT-UNKNOWN" and f.path == "clinical.studies[1].follow_up" for f in api.check(path).findings)


def test_a_literature_study_with_a_surrogate_says_so(msc, tmp_path):
    """Issue 14: published studies as evidence, and a test article that is not the clinical product."""
    path = msc
    text = path.read_text(encoding="utf-8")
    study = (
        "    - id: LIT-01\n"
        "      title: Murine adipose stromal cells in a DSS colitis fistula model (published)\n"
        "      type: primary pharmacodynamics\n"
        "      species: C57BL/6 mouse\n"
        "      route: local injection\n"
        "      glp: not applicable\n"
        "      glp_statement: Published academic study; GLP does not apply to literature evidence.\n"
        "      publication: Okafor A, et al. Stem Cell Res Ther. 2023;14:112. doi:10.1186/s13287-023-0000-0 (fictional)\n"
        "      test_article: a species-specific surrogate\n"
        "      test_article_differences: |\n"
        "        Murine adipose stromal cells stand in for MRV-204, which is not tolerated by immunocompetent mice.\n"
        "      key_findings: |\n"
        "        Fistula closure in 7 of 10 treated mice versus 2 of 10 controls.\n"
    )
    anchor = "\n  studies:\n"
    nonclinical = text.index("\nnonclinical:\n")
    at = text.index(anchor, nonclinical) + len(anchor)
    path.write_text(text[:at] + study + text[at:], encoding="utf-8")
    out = tmp_path / "ind.html"
    api.build(path, "ind", output=out, fmt="html", section="4.2.1.1")
    html = out.read_text(encoding="utf-8")
    assert "Stem Cell Res Ther. 2023;14:112" in html and "a species-specific surrogate" in html
    assert "stand in for MRV-204" in html
    # a literature study has its publication in place of a study report (IND-TOX-006 asks the same study)
    found = [f for f in api.check(path, "ind").findings if f.rule == "IND-TOX-006"]
    assert not [f for f in found if f.path == "nonclinical.studies[0].report"]
    lines = [line for line in path.read_text(encoding="utf-8").split("\n") if not line.startswith("      publication: Okafor A")]
    path.write_text("\n".join(lines), encoding="utf-8")
    found = [f for f in api.check(path, "ind").findings if f.rule == "IND-TOX-006"]
    assert [f for f in found if f.path == "nonclinical.studies[0].report"], [(f.path, f.message) for f in found]


def test_process_parameters_and_in_use_conditions_are_tabulated(msc, tmp_path):
    """Issue 14: critical process parameters with ranges linked to quality attributes; storage per in-use stage."""
    path = msc
    text = path.read_text(encoding="utf-8")
    marker = "\n          hold_time:"
    at = text.index(marker, text.index("\n  drug_product:\n"))
    params = "\n          parameters:\n            - {name: Seeding density, range: {min: 4.0e3, max: 6.0e3, target: 5.0e3, unit: cells/cm²}, critical: true, attributes: [viable cell yield, immunophenotype]}"
    text = text[:at] + params + text[at:]
    stab = text.index("\n    stability:\n", text.index("\n  drug_product:\n")) + len("\n    stability:\n")
    text = text[:stab] + "      in_use:\n        - {stage: in the syringe after preparation, condition: room temperature (15–25 °C), period: {value: 8, unit: hours}}\n" + text[stab:]
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "impd.html"
    api.build(path, "impd", output=out, fmt="html", section="P")
    html = out.read_text(encoding="utf-8")
    assert "Seeding density" in html and "target 5000; range 4000–6000 cells/cm²" in html and "viable cell yield, immunophenotype" in html
    assert "in the syringe after preparation" in html and "8 hours" in html


def test_us_and_eu_indication_wordings_each_in_their_document(car_t, tmp_path):
    """Issue 14: the indication as FDA and as the EU application word it, side by side in the YAML."""
    path = car_t / "dossier.yaml"
    text = path.read_text(encoding="utf-8")
    old = "    text: Relapsed or refractory large B-cell lymphoma in adults after two or more lines of systemic therapy\n"
    assert old in text
    new = (
        "    text:\n"
        "      us: Adult patients with relapsed or refractory large B-cell lymphoma after two or more lines of systemic therapy\n"
        "      eu: Adult patients with diffuse large B-cell lymphoma (DLBCL) relapsed or refractory after two or more lines of systemic therapy\n"
    )
    text = text.replace(old, new, 1).replace("\n  route: intravenous\n", "\n  route: intravenous\n  contraindications: [Hypersensitivity to dimethyl sulfoxide or human albumin]\n", 1)
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "x.html"
    api.build(path, "ind", output=out, fmt="html", section="1.1-1571")
    html = out.read_text(encoding="utf-8")
    assert "Adult patients with relapsed or refractory large B-cell lymphoma" in html and "(DLBCL)" not in html
    api.build(path, "impd", output=out, fmt="html")
    html = out.read_text(encoding="utf-8")
    assert "diffuse large B-cell lymphoma (DLBCL) relapsed" in html and "Hypersensitivity to dimethyl sulfoxide" in html
