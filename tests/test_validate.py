"""Schema validation: every pydantic error becomes a finding at the right line."""

from __future__ import annotations

from dossier.io.yamlsource import load_text
from dossier.model import Dossier
from dossier.validate import validate


def run(text: str):
    r = load_text(text, "d.yaml")
    assert r.findings == []
    return validate(r.data, r.source_map)


def test_minimal_dossier_is_valid(minimal_text):
    d, findings = run(minimal_text)
    assert findings == [] and d is not None
    assert d.product.code == "EX-101"


def test_unknown_key_with_suggestion(minimal_text):
    text = minimal_text.replace("  route: intravenous", "  rout: intravenous")
    d, findings = run(text)
    assert d is None
    unknown = [f for f in findings if f.rule == "SCHEMA-UNKNOWN-KEY"]
    assert len(unknown) == 1
    f = unknown[0]
    assert f.path == "product.rout"
    assert f.hint == "did you mean 'route'?"
    line = text.splitlines().index("  rout: intravenous") + 1
    assert (f.location.line, f.location.column) == (line, 3)
    # the now-missing 'route' is reported too, at the product mapping
    missing = [f for f in findings if f.rule == "SCHEMA-MISSING"]
    assert missing and missing[0].path == "product.route"


def test_misspelt_section_name_at_top_level(minimal_text):
    d, findings = run(minimal_text + "nonclinicall:\n  overview: x\n")
    f = next(f for f in findings if f.rule == "SCHEMA-UNKNOWN-KEY")
    assert f.hint == "did you mean 'nonclinical'?"


def test_wrong_enum_value_lists_choices(minimal_text):
    d, findings = run(minimal_text.replace("origin: autologous", "origin: autologus"))
    f = findings[0]
    assert f.rule == "SCHEMA-VALUE" and f.path == "product.origin"
    assert "autologous" in f.hint


def test_negative_dose_and_zero_shelf_life_are_out_of_range(minimal_text):
    text = minimal_text + (
        "nonclinical:\n  dose_justification:\n    rationale: x\n    supported_dose:\n"
        "      value: -1.0e6\n      entity: CAR-positive viable T cells\n      basis: per kg\n"
        "quality:\n  drug_product:\n    name: P\n    description: d\n    stability:\n      shelf_life: {value: 0, unit: months}\n"
    )
    d, findings = run(text)
    paths = {f.path for f in findings}
    assert "nonclinical.dose_justification.supported_dose.value" in paths
    assert "quality.drug_product.stability.shelf_life.value" in paths
    dose = next(f for f in findings if f.path.endswith("supported_dose.value"))
    assert dose.location.line == text.splitlines().index("      value: -1.0e6") + 1


def test_impossible_date_and_wrong_format(minimal_text):
    d, findings = run(minimal_text.replace('  phases: ["1"]', '  phases: ["1"]\n  date: 2026-02-30'))
    assert findings[0].path == "submission.date"
    assert "YYYY-MM-DD" in findings[0].hint
    d, findings = run(minimal_text.replace('  phases: ["1"]', '  phases: ["1"]\n  date: 02/03/2026'))
    assert findings[0].path == "submission.date"


def test_missing_required_top_level_section():
    d, findings = run("submission: {}\nsponsor:\n  name: X\n  address: {lines: [a], city: b, country: US}\n")
    assert [f.path for f in findings] == ["product"]
    assert findings[0].location.line == 1


def test_norway_stays_a_member_state(minimal_text):
    d, findings = run(minimal_text + "eu:\n  member_states: [NO, DE]\n")
    assert findings == []
    assert d.eu.member_states == ["NO", "DE"]


def test_wrong_type_mapping_instead_of_list(minimal_text):
    d, findings = run(minimal_text.replace('  phases: ["1"]', "  phases: {a: 1}"))
    assert findings[0].path == "submission.phases"
    assert findings[0].rule == "SCHEMA-TYPE"


def test_every_model_field_is_documented():
    """Field descriptions feed the JSON Schema and the README reference."""
    import typing

    from pydantic import BaseModel

    seen, undocumented = set(), []

    def visit(model):
        if model in seen:
            return
        seen.add(model)
        for name, field in model.model_fields.items():
            for arg in [field.annotation, *typing.get_args(field.annotation)]:
                for inner in [arg, *typing.get_args(arg)]:
                    if isinstance(inner, type) and issubclass(inner, BaseModel):
                        visit(inner)
            if not field.description and not _self_explanatory(name):
                undocumented.append(f"{model.__name__}.{name}")

    visit(Dossier)
    assert len(undocumented) < 0.6 * sum(len(m.model_fields) for m in seen), undocumented


def _self_explanatory(name: str) -> bool:
    return name in {"name", "title", "id", "text", "value", "unit", "address", "phone", "email", "city", "country", "version", "date"}


def test_committed_yaml_reference_is_up_to_date():
    """docs/yaml-reference.md is generated from the model: regenerate it when the model changes."""
    from dossier.refdoc import yaml_reference
    from tests.conftest import ROOT

    committed = (ROOT / "docs" / "yaml-reference.md").read_text(encoding="utf-8")
    assert committed == yaml_reference(), "run: python -m dossier.refdoc > docs/yaml-reference.md"


def test_committed_json_schema_is_up_to_date():
    """docs/dossier.schema.json (used by editors via the examples' first line) matches the model."""
    import json

    from dossier.api import schema
    from tests.conftest import ROOT

    committed = json.loads((ROOT / "docs" / "dossier.schema.json").read_text(encoding="utf-8"))
    assert committed == schema(), "run: dossier schema -o docs/dossier.schema.json"


def test_table_rows_must_match_the_columns(minimal_text):
    text = minimal_text + (
        "nonclinical:\n  studies:\n    - id: S1\n      title: t\n      type: single-dose toxicity\n      species: mouse\n"
        "      route: iv\n      glp: compliant\n      key_findings: k\n      tabulation:\n        columns: [A, B]\n"
        "        rows:\n          - [1, 2]\n          - [1, 2, 3]\n"
    )
    d, findings = run(text)
    assert d is None
    assert findings[0].path == "nonclinical.studies[0].tabulation"
    assert "row 2 has 3 cells" in findings[0].message


def test_unknown_key_that_looks_like_a_type_name_is_still_located(minimal_text):
    """Found by fuzzing: a capitalised unknown key was mistaken for a pydantic union tag."""
    d, findings = run("A# note: x\n" + minimal_text)
    f = next(f for f in findings if f.rule == "SCHEMA-UNKNOWN-KEY")
    assert f.path == "A# note" and (f.location.line, f.location.column) == (1, 1)


def test_comma_inside_an_unquoted_flow_value_gets_a_quoting_hint(tmp_path):
    from dossier import api

    src = tmp_path / "d.yaml"
    src.write_text(
        "submission: {phases: ['1']}\n"
        "sponsor: {name: S, address: {lines: [x], city: y, country: US}}\n"
        "product: {code: X, name: Y, modality: CAR-T cells, origin: autologous, route: intravenous}\n"
        "labels:\n  - {packaging: immediate, text: Caution, for investigational use only}\n",
        encoding="utf-8",
    )
    findings = [f for f in api.load(src).findings if f.rule == "SCHEMA-UNKNOWN-KEY"]
    assert [(f.location.line, f.path) for f in findings] == [(5, "labels[0].for investigational use only")]
    assert "put that value in quotes" in findings[0].hint


def test_did_you_mean_works_inside_list_items(tmp_path):
    from dossier import api

    src = tmp_path / "d.yaml"
    src.write_text(
        "submission: {phases: ['1']}\n"
        "sponsor: {name: S, address: {lines: [x], city: y, country: US}}\n"
        "product: {code: X, name: Y, modality: CAR-T cells, origin: autologous, route: intravenous}\n"
        "nonclinical:\n  studies:\n    - {id: A, title: t, type: single-dose toxicity, species: m, route: iv, key_findngs: k, glp: compliant}\n",
        encoding="utf-8",
    )
    [f] = [f for f in api.load(src).findings if f.rule == "SCHEMA-UNKNOWN-KEY"]
    assert f.hint == "did you mean 'key_findings'?"
