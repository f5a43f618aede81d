"""Issue 18: the documents a submission carries. A GLP or pivotal study, or one the justification
of the clinical dose names, needs its report attached; a draft shows the gap; the examples'
stand-in documents say on every page that they are fictional."""

from __future__ import annotations

import re
import shutil

import pypdf
import pytest

from dossier import api
from dossier.facts import supports_safety
from tests.conftest import EXAMPLES
from tests.golden.snapshot import example_names


@pytest.fixture()
def car_t(tmp_path):
    shutil.copytree(EXAMPLES / "car-t", tmp_path / "car-t")
    return tmp_path / "car-t"


def drop_report_file(root, number: str) -> None:
    text = root.read_text(encoding="utf-8")
    new, n = re.subn(rf"(number: {number}\n)\s+file: [^\n]+\n", r"\1", text)
    assert n == 1
    root.write_text(new, encoding="utf-8")


def test_an_unattached_glp_toxicology_report_fails_the_check_at_the_study_s_report(car_t):
    assert not [f for f in api.check(car_t).findings if f.rule == "IND-TOX-009"]
    drop_report_file(car_t / "dossier.yaml", "KBT-RPT-TX-001")
    d = api.load(car_t).dossier
    i = next(i for i, s in enumerate(d.nonclinical.studies) if s.id == "KBT-TX-001")
    [f] = [f for f in api.check(car_t).findings if f.rule == "IND-TOX-009"]
    assert f.severity.name == "ERROR" and f.path == f"nonclinical.studies[{i}].report.file"
    assert "312.23(a)(8)" in f.citation
    lines = (car_t / "dossier.yaml").read_text(encoding="utf-8").splitlines()
    assert "KBT-RPT-TX-001" in lines[f.location.line - 1]


def test_a_draft_shows_the_missing_report_and_a_final_build_refuses(car_t, tmp_path):
    drop_report_file(car_t / "dossier.yaml", "KBT-RPT-TX-001")
    out = tmp_path / "ind.html"
    api.build(car_t, "ind", output=out, fmt="html", draft=True)
    html = out.read_text(encoding="utf-8")
    d = api.load(car_t).dossier
    i = next(i for i, s in enumerate(d.nonclinical.studies) if s.id == "KBT-TX-001")
    assert re.search(rf"MISSING:</strong> the study report, attached .{{0,200}}<code>(<span class=\"tok\">)?nonclinical.studies\[{i}\].report.file<", html)
    final = api.build(car_t, "ind", output=tmp_path / "final.html", fmt="html")
    assert not final.check.ok and not (tmp_path / "final.html").exists()


def test_a_study_the_dose_justification_names_needs_its_report_too():
    d = api.load(EXAMPLES / "allo-car-t").dossier
    named = [s for s in d.nonclinical.studies if s.id in d.nonclinical.dose_justification.rationale]
    plain = [s for s in named if s.pivotal is not True and s.glp.value != "compliant"]
    assert plain and all(supports_safety(d, s) for s in plain)
    others = [s for s in d.nonclinical.studies if s not in named and s.pivotal is not True and s.glp.value != "compliant"]
    assert others and not any(supports_safety(d, s) for s in others)


@pytest.mark.parametrize("name", example_names())
def test_every_example_attaches_the_reports_its_safety_rests_on(name):
    d = api.load(EXAMPLES / name).dossier
    needed = [s for s in d.nonclinical.studies if supports_safety(d, s)]
    assert needed and all(s.report and s.report.file for s in needed)


def test_the_examples_stand_in_documents_say_they_are_fictional_on_every_page():
    pdfs = sorted(EXAMPLES.glob("*/documents/*.pdf"))
    assert len(pdfs) >= 30
    for pdf in pdfs:
        for page in pypdf.PdfReader(pdf).pages:
            text = " ".join(page.extract_text().split())
            assert "fictional" in text.lower(), (pdf.name, text[:80])
