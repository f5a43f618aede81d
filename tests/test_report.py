"""dossier check as a CI gate: formats, exit codes, strict mode, waivers, rules and explain."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest

from dossier.rules.catalog import catalog
from tests.conftest import EXAMPLES
from tests.test_cli import run

EXAMPLE = EXAMPLES / "car-t" / "dossier.yaml"


@pytest.fixture
def broken(tmp_path):
    """The CAR-T example (with the files it includes) with one required fact (the sponsor's telephone) deleted."""
    import shutil

    shutil.copytree(EXAMPLE.parent, tmp_path, dirs_exist_ok=True)
    text = EXAMPLE.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    idx = next(i for i, line in enumerate(lines) if re.match(r"^  phone: ", line) and i < 120)
    path = tmp_path / "dossier.yaml"
    path.write_text("".join(lines[:idx] + lines[idx + 1 :]), encoding="utf-8")
    sponsor_line = next(i for i, line in enumerate(lines) if line.startswith("sponsor:")) + 1
    return path, sponsor_line + 1  # the finding points at the sponsor mapping's first key


def copy_example(tmp_path):
    """The CAR-T example with the files it includes, in tmp_path; returns its root file."""
    import shutil

    shutil.copytree(EXAMPLE.parent, tmp_path, dirs_exist_ok=True)
    return tmp_path / "dossier.yaml"


def test_restored_example_passes_in_every_format(capsys):
    for fmt in ("text", "json", "sarif", "junit", "github"):
        code, _, _ = run(capsys, "check", str(EXAMPLE), "--format", fmt)
        assert code == 0, fmt


def test_text_reports_rule_line_and_source(capsys, broken):
    path, line = broken
    code, out, _ = run(capsys, "check", str(path), "--format", "text")
    assert code == 1
    hit = next(x for x in out.splitlines() if "IND-FORM-001" in x)
    assert hit.startswith(f"{path}:{line}:") and "21 CFR 312.23(a)(1)(i)" in hit


def test_json_contract(capsys, broken):
    path, line = broken
    code, out, _ = run(capsys, "check", str(path), "--format", "json", "--target", "ind")
    doc = json.loads(out)
    assert code == 1 and doc["version"] == 1 and doc["status"] == "fail"
    f = next(f for f in doc["findings"] if f["rule"] == "IND-FORM-001")
    assert (f["line"], f["path"], f["citation"]) == (line, "sponsor.phone", "21 CFR 312.23(a)(1)(i)")
    (ready,) = doc["readiness"]
    assert ready["target"] == "ind" and ready["required_present"] == ready["required_total"] - 1 and ready["errors"] == 1


def test_sarif_structure(capsys, broken):
    path, line = broken
    code, out, _ = run(capsys, "check", str(path), "--format", "sarif")
    doc = json.loads(out)
    assert code == 1 and doc["version"] == "2.1.0" and doc["$schema"].endswith("sarif-2.1.0.json")
    (run_,) = doc["runs"]
    rules = run_["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert len(ids) == len(set(ids)) and "IND-FORM-001" in ids
    for r in rules:
        assert r["shortDescription"]["text"] and r["help"]["text"] and r["defaultConfiguration"]["level"] in {"error", "warning", "note"}
    result = next(r for r in run_["results"] if r["ruleId"] == "IND-FORM-001")
    assert rules[result["ruleIndex"]]["id"] == "IND-FORM-001"
    region = result["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] == line and result["level"] == "error"
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == str(path)
    assert "21 CFR 312.23(a)(1)(i)" in rules[result["ruleIndex"]]["help"]["text"]
    assert result["partialFingerprints"]


def test_junit_one_case_per_rule(capsys, broken, tmp_path):
    path, line = broken
    report = tmp_path / "junit.xml"
    code, out, _ = run(capsys, "check", str(path), "--format", "junit", "--output", str(report))
    assert code == 1 and out == ""
    root = ET.parse(report).getroot()
    cases = {c.get("name"): c for c in root.iter("testcase")}
    assert set(catalog()) <= set(cases)
    failure = cases["IND-FORM-001"].find("failure")
    assert failure is not None and f":{line}:" in failure.text
    assert cases["IND-FORM-002"].find("failure") is None
    assert root.get("failures") == "1"  # only IND-FORM-001 fails (the IMPD does not require the phone)


def test_github_annotations_and_step_summary(capsys, broken, tmp_path, monkeypatch):
    path, line = broken
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    code, out, _ = run(capsys, "check", str(path))  # auto -> github inside Actions
    assert code == 1
    hit = next(x for x in out.splitlines() if "IND-FORM-001" in x)
    assert hit.startswith(f"::error file={path},line={line},col=") and "title=IND-FORM-001" in hit
    assert "| ind |" in summary.read_text()


def test_strict_makes_warnings_fail(capsys, tmp_path):
    """Remove a warning-level fact (the pediatric plan, IND-PED-001): passes, fails with --strict."""
    src = copy_example(tmp_path)
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(i for i, x in enumerate(lines) if x.startswith("    pediatric_plan:"))
    end = start + 1
    while end < len(lines) and (lines[end].startswith("      ") or not lines[end].strip()):
        end += 1
    src.write_text("".join(lines[:start] + lines[end:]), encoding="utf-8")
    code, out, _ = run(capsys, "check", str(src), "--format", "text", "--target", "ind")
    assert code == 0 and "warning IND-PED-001" in out
    code, _, _ = run(capsys, "check", str(src), "--format", "text", "--target", "ind", "--strict")
    assert code == 1


def test_waiver_keeps_the_finding_visible_but_not_blocking(capsys, broken, tmp_path):
    path, _ = broken
    path.write_text(path.read_text(encoding="utf-8") + "waivers:\n  - {rule: IND-FORM-001, path: sponsor.phone, reason: Sponsor contact by e-mail only during the pre-IND phase, approved_by: 'J. Doe, VP Regulatory Affairs'}\n", encoding="utf-8")
    code, out, err = run(capsys, "check", str(path), "--format", "text", "--target", "ind")
    assert code == 0
    hit = next(x for x in out.splitlines() if "IND-FORM-001" in x)
    assert "error (waived)" in hit and "J. Doe" in hit
    assert "1 waived" in err


def test_stale_and_unknown_waivers_are_reported(capsys, tmp_path):
    src = copy_example(tmp_path)
    src.write_text(EXAMPLE.read_text(encoding="utf-8") + "waivers:\n  - {rule: IND-FORM-001, reason: r, approved_by: a}\n  - {rule: IND-ZZZ-999, reason: r, approved_by: a}\n", encoding="utf-8")
    code, out, _ = run(capsys, "check", str(src), "--format", "text")
    assert code == 1
    assert "warning DOS-WAIVER-002" in out and "error DOS-WAIVER-001" in out


def test_waived_findings_are_listed_in_the_built_document(tmp_path, broken):
    from dossier import api

    path, _ = broken
    path.write_text(path.read_text(encoding="utf-8") + "waivers:\n  - {rule: IND-FORM-001, reason: Contact by e-mail only, approved_by: J. Doe}\n", encoding="utf-8")
    out = tmp_path / "ind.html"
    result = api.build(path, "ind", output=out, fmt="html")
    assert result.output == out
    html = out.read_text()
    assert 'id="justifications"' in html and "Waived: Contact by e-mail only" in html


def test_rules_lists_every_rule_with_source(capsys):
    code, out, _ = run(capsys, "rules")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == len(catalog())
    assert all(" — source: " in x for x in lines)


def test_explain_works_for_every_rule(capsys):
    for rid, info in catalog().items():
        code, out, _ = run(capsys, "explain", rid)
        assert code == 0 and out.startswith(rid) and info.source in out, rid
        if info.kind or info.facts:
            assert "Passing example" in out, rid
        if info.kind:
            assert "Failing example" in out, rid


def test_explain_unknown_rule_suggests(capsys):
    code, _, err = run(capsys, "explain", "IND-FRM-001")
    assert code == 2 and "IND-FORM-001" in err
