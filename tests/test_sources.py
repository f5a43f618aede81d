"""Issue 14: `sources:` on records — where each fact came from, shown with the record in the
documents and listed by `dossier map PATH`; potency assurance, sequential dosing and per-patient
totals; requirements that follow the product's regulatory history."""

from __future__ import annotations

import os
import re
import shutil

import pytest
import yaml

from dossier import api
from dossier.cli import app
from dossier.findings import Severity
from tests.conftest import EXAMPLES, rules_of

# One record of each kind that carries `sources:`, by its path in the CAR-T example once the
# fixture has added the records the example lacks; the citation names the record so each can be
# found in the documents.
SOURCED = [
    ("product",),
    ("product", "marketing_authorisations", 0),
    ("product", "orphan_designations", 0),
    ("product", "procedures", 0),
    ("product", "partners", 0),
    ("nonclinical", "studies", 0),
    ("clinical", "studies", 0),
    ("clinical", "protocols", 0),
    ("quality", "drug_substances", 0),
    ("quality", "drug_substances", 0, "process", "steps", 0),
    ("quality", "drug_substances", 0, "materials", 0),
    ("quality", "drug_substances", 0, "procedures", 0),
    ("quality", "drug_substances", 0, "stability", "studies", 0),
    ("quality", "drug_substances", 0, "characterisation", "potency"),
    ("quality", "drug_product",),
    ("quality", "lots", 0),
]

POTENCY = {
    "mechanism": "CD19-directed cytotoxicity and cytokine release by CAR-positive T cells.",
    "assays": ["IFN-γ release on CD19-positive target cells", "flow cytometric CAR expression"],
    "development": "Qualified for phase 1; validation planned before the confirmatory trial.",
}


def _citation(path: tuple) -> str:
    return "SRC-" + "-".join(str(p) for p in path).replace("_", "")


def _at(data, path: tuple):
    for step in path:
        data = data[step]
    return data


def _inline(obj, folder, root=None):
    """The YAML with each `{include: FILE}` replaced by the file's content (relative to its includer);
    attachment paths (`file:`) of an included file are made relative to the dossier's folder."""
    root = root or folder
    if isinstance(obj, dict) and set(obj) == {"include"}:
        target = folder / obj["include"]
        return _inline(yaml.safe_load(target.read_text(encoding="utf-8")), target.parent, root)
    if isinstance(obj, dict):
        return {k: (os.path.relpath(folder / v, root) if k == "file" and isinstance(v, str) else _inline(v, folder, root)) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_inline(v, folder, root) for v in obj]
    return obj


@pytest.fixture
def sourced(tmp_path):
    """The CAR-T example with a history, another clinical study, a potency strategy and a source
    on each record kind."""
    folder = tmp_path / "car-t"
    shutil.copytree(EXAMPLES / "car-t", folder)
    path = folder / "dossier.yaml"
    data = _inline(yaml.safe_load(path.read_text(encoding="utf-8")), folder)  # the example keeps records in included files
    p = data["product"]
    p["marketing_authorisations"] = [{"jurisdiction": "US", "procedure": "BLA", "number": "BLA 125999", "date": "2024-05-02", "status": "valid", "ndc": ["71287-119-01"]}]
    p["marketed_countries"] = ["US"]
    p["withdrawn_countries"] = []
    p["orphan_designations"] = [{"jurisdiction": "EU", "number": "EU/3/20/2301", "date": "2020-08-14", "condition": "B-cell acute lymphoblastic leukaemia"}]
    p["procedures"] = [{"jurisdiction": "US", "kind": "RMAT designation", "date": "2021-02-10", "outcome": "granted"}]
    p["partners"] = [{"name": "Kestrel Pharma GmbH", "role": "licensee", "territories": ["EU"]}]
    data["clinical"]["studies"] = [{"id": "KBT-LTFU-01", "title": "Long-term follow-up", "phase": "observational", "status": "ongoing (recruiting or treating)", "follow_up": {"value": 15, "unit": "years"}}]
    data["quality"]["drug_substances"][0]["characterisation"]["potency"] = dict(POTENCY)
    for where in SOURCED:
        _at(data, where)["sources"] = [{"citation": _citation(where), "locator": "section 2", "url": "https://example.org/report"}]
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def test_every_sourced_record_shows_its_source_in_a_document(sourced, tmp_path):
    loaded = api.load(sourced)
    assert loaded.dossier is not None, loaded.findings[:3]
    html = ""
    for target in ("ind", "impd"):
        out = tmp_path / f"{target}.html"
        result = api.build(sourced, target, output=out, fmt="html")
        assert out.exists(), [(f.rule, f.path, f.message) for f in result.check.findings if f.severity is Severity.ERROR]
        html += out.read_text(encoding="utf-8")
    words = re.sub(r"<[^>]+>", "", html)  # a long citation is wrapped so it may break
    missing = [where for where in SOURCED if f"{_citation(where)}, section 2" not in words]
    assert not missing
    assert '<a href="https://example.org/report">' in html


def test_a_source_link_is_made_only_for_a_web_address(sourced, tmp_path):
    data = yaml.safe_load(sourced.read_text(encoding="utf-8"))
    data["product"]["sources"] = [{"citation": "Scripted", "url": "javascript:alert(1)"}]
    sourced.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "ind.html"
    api.build(sourced, "ind", output=out, fmt="html", section="1.20")
    html = out.read_text(encoding="utf-8")
    assert "Scripted" in html and "javascript:" not in html


def test_map_lists_each_recorded_source_with_its_location_and_sections(sourced, capsys):
    from typer.testing import CliRunner

    result = CliRunner().invoke(app, ["map", str(sourced)])
    assert result.exit_code == 0, result.output
    table = result.stdout.split("## Sources recorded in", 1)[1]
    rows = {line.split("|")[1].strip(" `"): line for line in table.splitlines() if line.startswith("| `")}
    assert len(rows) == len(SOURCED)
    step = rows["quality.drug_substances[0].process.steps[0]"]
    assert _citation(("quality", "drug_substances", 0, "process", "steps", 0)) in step
    assert "dossier.yaml:" in step and "3.2.S.2.2" in step and "S.2.2" in step
    assert "1.20" in rows["product"] or "1.1-1571" in rows["product"]


def test_map_of_an_invalid_dossier_exits_with_its_findings(tmp_path):
    from typer.testing import CliRunner

    bad = tmp_path / "dossier.yaml"
    bad.write_text("product: [\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["map", str(bad)])
    assert result.exit_code == 1
    assert "no map of its sources" in result.stderr and "Traceback" not in result.output


def test_potency_assurance_renders_and_is_asked_for_before_a_confirmatory_trial(sourced, tmp_path):
    out = tmp_path / "s31.html"
    api.build(sourced, "ind", output=out, fmt="html", section="3.2.S.3.1")
    html = re.sub(r"<[^>]+>", "", out.read_text(encoding="utf-8"))
    assert "Biological activity and potency assurance" in html and "IFN-γ release on CD19-positive target cells" in html
    assert "relation of the potency result to clinical effect is not stated" in html

    data = yaml.safe_load(sourced.read_text(encoding="utf-8"))
    del data["quality"]["drug_substances"][0]["characterisation"]["potency"]
    sourced.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    assert not {"IND-CMC-022", "IMPD-QUAL-008"} & rules_of(api.check(sourced, "all").findings)  # phase 1: not yet
    data["submission"]["phases"] = ["3"]
    sourced.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    found = [f for target in ("ind", "impd") for f in api.check(sourced, target).findings if f.rule in ("IND-CMC-022", "IMPD-QUAL-008")]
    assert {f.rule for f in found} == {"IND-CMC-022", "IMPD-QUAL-008"}
    assert all(f.severity is Severity.WARNING and f.path.endswith("characterisation.potency") for f in found)


def test_marketing_history_is_required_where_the_facts_say_the_product_is_marketed(sourced):
    """21 CFR 312.23(a)(9)(iii): a product authorised somewhere states where it is marketed and where
    withdrawn (an empty list is the answer "none"); the EU application that says the IMP is
    authorised lists the authorisation (IMPD-CTA-020) and it must be valid in the EU (IMPD-CTA-019)."""
    assert not {"IND-PHE-002", "IND-PHE-003"} & rules_of(api.check(sourced, "ind").findings)
    data = yaml.safe_load(sourced.read_text(encoding="utf-8"))
    del data["product"]["marketed_countries"], data["product"]["withdrawn_countries"]
    sourced.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    assert "IND-PHE-002" in rules_of(api.check(sourced, "ind").findings)
    data["product"]["marketed_countries"] = ["US"]
    sourced.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    rules = rules_of(api.check(sourced, "ind").findings)
    assert "IND-PHE-003" in rules and "IND-PHE-002" not in rules

    data["eu"]["imp_authorised"] = True
    sourced.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    assert "IMPD-CTA-019" in rules_of(api.check(sourced, "impd").findings)  # only a US licence
    del data["product"]["marketing_authorisations"]
    sourced.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    assert "IMPD-CTA-020" in rules_of(api.check(sourced, "impd").findings)


def test_sequential_dosing_and_per_patient_totals_render_with_the_dose(tmp_path):
    folder = tmp_path / "aav"
    shutil.copytree(EXAMPLES / "aav", folder)
    path = folder / "dossier.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    protocol = data["clinical"]["protocols"][0]
    level = protocol["treatment"]["dose_levels"][0]
    level["total"] = {"value": 3.0e11, "entity": "vector genomes", "basis": "flat"}
    level["population"] = "adults with biallelic mutations"
    protocol["treatment"]["sequential"] = {"sites": ["first eye (worse-seeing)", "second eye"], "min_interval": {"value": 6, "unit": "days"}, "max_interval": {"value": 18, "unit": "days"}}
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "ind.html"
    api.build(path, "ind", output=out, fmt="html")
    html = out.read_text(encoding="utf-8")
    assert "Total per patient" in html and "3.0 × 10¹¹ vg" in html and "adults with biallelic mutations" in html
    assert "first eye (worse-seeing), then second eye; at least 6 days and at most 18 days apart" in html

    level["total"]["basis"] = "per eye"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    found = [f for f in api.load(path).findings if f.severity is Severity.ERROR]
    assert found and "basis flat" in found[0].message and found[0].path.endswith("dose_levels[0].total")


def test_a_natural_history_study_is_listed_apart_from_studies_of_the_product(sourced, tmp_path):
    data = yaml.safe_load(sourced.read_text(encoding="utf-8"))
    data["clinical"]["studies"].append({"id": "KBT-NH-01", "title": "Natural history of relapsed B-ALL in adults", "phase": "observational", "product_given": False, "status": "completed", "enrolled": 212})
    sourced.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "se2.html"
    api.build(sourced, "ind", output=out, fmt="html", section="2.5")
    html = out.read_text(encoding="utf-8")
    of_product, without = html.split("Studies in which the product is not given", 1)
    assert "KBT-LTFU-01" in of_product.split("Clinical studies of the product", 1)[1] and "KBT-NH-01" not in of_product
    assert "KBT-NH-01" in without
    api.build(sourced, "ind", output=out, fmt="html", section="5.2")
    assert "observational; the product is not given" in out.read_text(encoding="utf-8")


def test_a_reference_to_the_sponsors_own_file_needs_no_letter_of_authorization(sourced):
    """21 CFR 312.23(b) asks for a written authorization when the information was submitted by
    another person: IND-REF-001 asks each reference to another holder's file for its date, and
    not a reference to the sponsor's own BLA or IND."""
    data = yaml.safe_load(sourced.read_text(encoding="utf-8"))
    data["us"]["references"] = [
        {"type": "sponsor's own file", "file": "IND 018764", "holder": data["sponsor"]["name"], "subject": "original nonclinical reports"},
        {"type": "letter of authorization", "file": "BB-MF 21874", "holder": "Vector Supplier Inc.", "subject": "vector manufacture"},
    ]
    sourced.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    found = [f.path for f in api.check(sourced, "ind").findings if f.rule == "IND-REF-001"]
    assert found == ["us.references[1].authorisation_date"]
