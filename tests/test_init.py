"""`dossier init`: a starter per modality that validates and shows what remains; placeholders."""

from __future__ import annotations

import json

import pytest

from dossier import api, starters
from dossier.classify import classify
from dossier.io.yamlsource import load_text
from tests.test_cli import run

MODALITIES = ["car-t", "car-t-gammaretroviral", "aav", "aav-iv", "hsc-lv", "msc", "tep", "limbal", "catmp"]
EXPECTED_CLASS = {"car-t": "GTMP", "car-t-gammaretroviral": "GTMP", "aav": "GTMP", "aav-iv": "GTMP", "hsc-lv": "GTMP", "msc": "sCTMP", "tep": "TEP", "limbal": "TEP", "catmp": "cATMP"}


def test_the_issue_s_modalities_are_offered():
    assert sorted(starters.modalities()) == sorted(MODALITIES)


@pytest.mark.parametrize("modality", MODALITIES)
def test_starter_validates_and_check_lists_what_remains(tmp_path, capsys, modality):
    code, _, err = run(capsys, "init", "--modality", modality, str(tmp_path / "new"))
    assert code == 0 and "wrote" in err
    path = tmp_path / "new" / "dossier.yaml"
    loaded = api.load(path)
    assert loaded.dossier is not None, [f.message for f in loaded.findings]
    assert not [f for f in loaded.findings if f.rule.startswith(("SCHEMA-", "YAML-"))]
    # the facts the modality fixes lead to the EU class the issue names, and the declared class agrees
    assert classify(loaded.dossier).derived.value == EXPECTED_CLASS[modality] == loaded.dossier.product.eu_class.value

    code, out, _ = run(capsys, "check", str(path), "--target", "all", "--format", "json")
    assert code == 1
    findings = json.loads(out)["findings"]
    placeholders = [f for f in findings if f["rule"] == "INPUT-PLACEHOLDER"]
    assert placeholders and all(f["line"] > 1 and f["path"] for f in placeholders)
    # beyond the placeholders, check names regulatory gaps with their sources
    assert any(f["rule"].startswith("IND-") and "312.23" in (f.get("citation") or "") for f in findings)
    assert any(f["rule"].startswith("IMPD-") for f in findings)
    assert not [f for f in findings if f["rule"].endswith(("PROD-001", "PROD-002", "PROD-003"))], "declared class disagrees with the facts"


def test_init_never_overwrites_without_force(tmp_path, capsys):
    target = tmp_path / "dossier.yaml"
    target.write_text("my work\n", encoding="utf-8")
    code, _, err = run(capsys, "init", "--modality", "msc", str(tmp_path))
    assert code == 2 and "already exists" in err and "--force" in err
    assert target.read_text(encoding="utf-8") == "my work\n"
    code, _, _ = run(capsys, "init", "--modality", "msc", str(tmp_path), "--force")
    assert code == 0 and "modality msc" in target.read_text(encoding="utf-8")


def test_unknown_modality_is_a_usage_error_with_the_choices(tmp_path, capsys):
    code, _, err = run(capsys, "init", "--modality", "ipsc", str(tmp_path))
    assert code == 2 and "unknown modality 'ipsc'" in err and "catmp" in err
    assert not (tmp_path / "dossier.yaml").exists()


def test_placeholder_is_an_error_where_it_stands_but_validation_goes_on(tmp_path):
    path = tmp_path / "d.yaml"
    path.write_text(
        "submission: {phases: ['1']}\n"
        "sponsor:\n  name: '<sponsor legal name>'\n  address: {lines: [x], city: y, country: US}\n"
        "product: {code: X, name: Y, modality: CAR-T cells, origin: autologous, route: intravenous, colour: red}\n",
        encoding="utf-8",
    )
    loaded = api.load(path)
    ph = [f for f in loaded.findings if f.rule == "INPUT-PLACEHOLDER"]
    assert [(f.location.line, f.path) for f in ph] == [(3, "sponsor.name")]
    assert any(f.rule == "SCHEMA-UNKNOWN-KEY" for f in loaded.findings), "the schema is still checked"


@pytest.mark.parametrize("text", ["< 0.5 EU/mL", "<0.5 EU/mL", "<CAR>", "see <ref> below", "a\n<b>"])
def test_values_that_merely_contain_angle_brackets_are_not_placeholders(text):
    result = load_text(json.dumps({"v": text}), "t.yaml")
    assert not [f for f in result.findings if f.rule == "INPUT-PLACEHOLDER"]


def test_init_help_names_every_starter(capsys):
    """The --modality help is written by hand (loading the starter data at import would slow every
    command): it must still name each starter there is."""
    code, out, _ = run(capsys, "init", "--help")
    assert code == 0
    help_text = " ".join(out.split())
    assert all(name in help_text for name in starters.modalities()), help_text
