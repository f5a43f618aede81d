"""Issue 13: "not yet known" is an answer of its own, accepted by any field."""

from __future__ import annotations

import re
import shutil

import pytest

from dossier import api
from dossier.io.yamlsource import load_text
from dossier.validate import validate
from tests.conftest import EXAMPLES
from tests.test_cli import run

ANSWERS = {
    # a date, an enum, a number, a country, a list and a nested object
    "submission.date": ("  date: 2026-10-19", "  date: {unknown: {reason: set by the pre-IND meeting, expected: Q1 2027}}"),
    "product.storage": ("  storage: frozen", "  storage: {unknown: {reason: formulation study ongoing}}"),
    "clinical.protocols[0].population.planned_subjects": ("        planned_subjects: 15", "        planned_subjects: {unknown: {reason: sample size under discussion}}"),
    "sponsor.address.country": ("    country: NL", "    country: {unknown: {reason: the sponsor entity is being chosen}}"),
}
LIST = ("clinical.protocols[0].population.exclusion", r"        exclusion:\n(          - .*\n)+", "        exclusion: {unknown: {reason: criteria under review}}\n")
OBJECT = ("product.classification_basis", r"  classification_basis:\n(    .*\n)+", "  classification_basis: {unknown: {reason: CAT recommendation requested}}\n")


@pytest.fixture
def dossier(tmp_path):
    shutil.copytree(EXAMPLES / "aav", tmp_path / "aav")
    path = tmp_path / "aav" / "dossier.yaml"
    text = path.read_text(encoding="utf-8")
    snippets = {}
    for key, (old, new) in ANSWERS.items():
        assert text.count(old) >= 1, old
        text = text.replace(old, new, 1)
        snippets[key] = new
    for key, pattern, new in (LIST, OBJECT):
        text, n = re.subn(pattern, new, text, count=1)
        assert n == 1, key
        snippets[key] = new.rstrip("\n")
    rows = text.splitlines()
    lines = {key: next(i for i, row in enumerate(rows, 1) if row == snippet) for key, snippet in snippets.items()}
    path.write_text(text, encoding="utf-8")
    return path, lines


def test_one_located_finding_per_answer_with_one_rule_id(dossier):
    path, lines = dossier
    result = api.check(path)
    assert not result.ok
    unknown = [f for f in result.findings if f.rule == "INPUT-UNKNOWN"]
    assert sorted(f.path for f in unknown) == sorted(lines)
    for f in unknown:
        assert f.location.line == lines[f.path] and f.severity.name == "ERROR" and "not yet known: " in f.message
    # nothing else is said about these facts: no "missing", no schema error, no undecided condition
    assert [f for f in result.findings if f.rule != "INPUT-UNKNOWN" and f.blocking] == []


def test_a_draft_shows_each_reason_and_a_final_build_is_refused(dossier, tmp_path, capsys):
    path, _ = dossier
    code, _, err = run(capsys, "build", str(path), "--target", "ind", "-o", str(tmp_path / "final.pdf"))
    assert code == 1 and not (tmp_path / "final.pdf").exists() and "INPUT-UNKNOWN" in err
    code, _, err = run(capsys, "build", str(path), "--target", "ind", "--draft", "--format", "html", "-o", str(tmp_path / "draft.html"))
    assert code == 0, err
    html = (tmp_path / "draft.html").read_text(encoding="utf-8")
    assert "NOT YET KNOWN" in html and "set by the pre-IND meeting" in html
    text = re.sub(r"<[^>]+>", " ", html)
    assert not re.search(r"\bNone\b(?![.,;:\w-])", text)  # ("None." is the example's own words)


def test_the_answer_needs_a_reason_and_stands_only_for_a_whole_field(minimal_text):
    bad = minimal_text.replace("country: US", "country: {unknown: {}}", 1)
    r = load_text(bad, "d.yaml")
    d, findings = validate(r.data, r.source_map)
    assert d is None and findings[0].path == "sponsor.address.country" and "reason" in findings[0].message


def test_a_waiver_accepts_an_answer(dossier):
    path, _ = dossier
    text = path.read_text(encoding="utf-8")
    waiver = "waivers:\n  - {rule: INPUT-UNKNOWN, path: 'clinical.protocols[0].population.planned_subjects', reason: Sample size follows the pre-IND meeting, approved_by: 'A. Jansen, Head of Regulatory Affairs'}\n"
    path.write_text(waiver + text, encoding="utf-8")
    result = api.check(path)
    waived = [f for f in result.findings if f.rule == "INPUT-UNKNOWN" and f.waiver]
    assert [f.path for f in waived] == ["clinical.protocols[0].population.planned_subjects"]


def test_the_json_and_sarif_reports_list_each_answer_with_its_reason(dossier, capsys):
    import json

    path, lines = dossier
    code, out, _ = run(capsys, "check", str(path), "--format", "json")
    listed = {f["path"]: f for f in json.loads(out)["findings"] if f["rule"] == "INPUT-UNKNOWN"}
    assert code == 1 and sorted(listed) == sorted(lines)
    assert all(listed[p]["line"] == lines[p] for p in lines)
    assert "set by the pre-IND meeting" in listed["submission.date"]["message"]
    code, out, _ = run(capsys, "check", str(path), "--format", "sarif")
    (sarif,) = json.loads(out)["runs"]
    results = [r for r in sarif["results"] if r["ruleId"] == "INPUT-UNKNOWN"]
    assert code == 1 and sorted(r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in results) == sorted(lines.values())
    assert all(r["level"] == "error" for r in results)
    assert "INPUT-UNKNOWN" in {r["id"] for r in sarif["tool"]["driver"]["rules"]}


def test_word_drafts_mark_not_yet_known_answers_with_their_path(dossier, tmp_path):
    from tests.conftest import docx_controls

    path, _ = dossier
    text = path.read_text(encoding="utf-8")
    text, n = re.subn(r"      subinvestigators:\n(        - .*\n)+", "      subinvestigators: {unknown: {reason: site staff being appointed}}\n", text, count=1)
    assert n == 1
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "draft.docx"
    assert api.build(path, "ind", output=out, fmt="docx", draft=True).output == out
    marked = {(p, t) for tag, p, t in docx_controls(out) if tag == "dossier:unknown"}
    # a required fact (a placeholder naming its path) and an answer inside a table cell
    assert any(p == "submission.date" and "set by the pre-IND meeting" in t for p, t in marked)
    assert any(p == "clinical.investigators[0].subinvestigators" and "site staff being appointed" in t for p, t in marked)
