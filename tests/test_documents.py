"""Issue 18: the documents a submission carries. A GLP or pivotal study, or one the justification
of the clinical dose names, needs its report attached; a draft shows the gap; the examples'
stand-in documents say on every page that they are fictional."""

from __future__ import annotations

import re
import shutil

import pypdf
from markupsafe import escape
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


def rules_at(root, rule: str) -> list[str]:
    return sorted(f.path for f in api.check(root).findings if f.rule == rule)


def test_a_reference_to_another_holder_needs_its_signed_letter_attached(car_t):
    root = car_t / "dossier.yaml"
    text = root.read_text(encoding="utf-8")
    new, n = re.subn(r"(letter: \{number: \"Letter of authorization, BB-MF 20418\", date: [0-9-]+), file: [^}]+\}", r"\1}", text)
    assert n == 1
    root.write_text(new, encoding="utf-8")
    d = api.load(car_t).dossier
    i = next(i for i, r in enumerate(d.us.references) if r.file == "BB-MF 20418")
    assert rules_at(car_t, "IND-REF-002") == [f"us.references[{i}].letter.file"]


def test_every_investigator_under_the_ind_needs_a_signed_1572_and_cv(car_t):
    root = car_t / "dossier.yaml"
    text = root.read_text(encoding="utf-8")
    new, n = re.subn(r"(form_1572:\n\s+number: \"Form FDA 1572, Rajiv A. Kulkarni\"\n\s+date: [0-9-]+\n)\s+file: [^\n]+\n", r"\1", text)
    assert n == 1
    new, n = re.subn(r"      cv:\n        number: CV-HOB-2026-08\n(        [^\n]+\n)+", "      cv: CV-HOB-2026-08\n", new)
    assert n == 1
    root.write_text(new, encoding="utf-8")
    d = api.load(car_t).dossier
    names = [inv.name for inv in d.clinical.investigators]
    assert d.clinical.investigators[names.index("Hannah Okonkwo-Bell")].cv.number == "CV-HOB-2026-08"  # the number alone stands for the document
    assert rules_at(car_t, "IND-FORM-015") == sorted([f"clinical.investigators[{names.index('Rajiv A. Kulkarni')}].form_1572.file", f"clinical.investigators[{names.index('Hannah Okonkwo-Bell')}].cv.file"])


def test_investigators_abroad_outside_the_ind_sign_no_1572(tmp_path):
    shutil.copytree(EXAMPLES / "aav", tmp_path / "aav")
    root = tmp_path / "aav" / "dossier.yaml"
    d = api.load(tmp_path / "aav").dossier
    abroad = [i for i, inv in enumerate(d.clinical.investigators) if inv.address.country != "US"]
    assert abroad and d.us.foreign_sites.under_ind is True
    text = re.sub(r"\n\s+form_1572:\n(\s+\w+: [^\n]+\n){3}", "\n", root.read_text(encoding="utf-8"))
    root.write_text(text, encoding="utf-8")
    assert rules_at(tmp_path / "aav", "IND-FORM-015") == sorted(f"clinical.investigators[{i}].form_1572.file" for i in range(len(d.clinical.investigators)))
    root.write_text(re.sub(r"under_ind: true", "under_ind: false", text, count=1), encoding="utf-8")
    us = [i for i, inv in enumerate(d.clinical.investigators) if inv.address.country == "US"]
    assert rules_at(tmp_path / "aav", "IND-FORM-015") == sorted(f"clinical.investigators[{i}].form_1572.file" for i in us)


def test_the_signed_1571_and_3674_are_required_and_said_attached_only_when_they_are(car_t, tmp_path):
    root = car_t / "dossier.yaml"
    text = re.sub(r"  signed_forms:\n(    [^\n]+\n){2}", "", root.read_text(encoding="utf-8"))
    root.write_text(text, encoding="utf-8")
    assert rules_at(car_t, "IND-FORM-014") == ["us.signed_forms.form_1571.file"]
    assert rules_at(car_t, "IND-FORM-016") == ["us.signed_forms.form_3674.file"]
    out = tmp_path / "ind.html"
    api.build(car_t, "ind", output=out, fmt="html", draft=True)
    html = out.read_text(encoding="utf-8")
    assert "The official Form FDA 1571 is completed and signed separately" in html
    assert "signed Form FDA 1571 is attached" not in html


@pytest.mark.parametrize("name", example_names())
def test_no_example_says_it_carries_a_document_it_does_not_attach(name):
    findings = api.check(EXAMPLES / name).findings
    assert [f.message for f in findings if f.rule == "IND-DOC-001"] == []


def test_the_cover_letter_lists_exactly_the_attached_documents(tmp_path):
    from dossier.attachments import collect

    out = tmp_path / "ind.html"
    api.build(EXAMPLES / "aav", "ind", output=out, fmt="html")
    html = out.read_text(encoding="utf-8")
    letter = html[html.index('id="s-1-2"'):html.index('id="s-1-3')]
    listed = letter[letter.index("The documents attached to this submission are:"):]
    loaded = api.load(EXAMPLES / "aav")
    documents = collect(loaded.dossier)
    assert len(re.findall(r"<tr><td>", listed)) == len(loaded.attachments) == len(documents) >= 15
    for _, doc in documents:
        assert str(escape(doc.number)) in listed, doc.number
