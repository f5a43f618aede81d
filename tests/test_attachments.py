"""Attached PDFs are checked like generated ones: findings at the `file:` that names them."""

from __future__ import annotations

import io
import re
import shutil

import pikepdf
import pytest

from dossier import api
from tests.conftest import EXAMPLES

IB = EXAMPLES / "car-t" / "documents" / "kbt-1901-ib.pdf"


@pytest.fixture()
def example(tmp_path):
    shutil.copytree(EXAMPLES / "car-t", tmp_path / "car-t")
    return tmp_path / "car-t"


def att_findings(root):
    return [f for f in api.load(root).findings if f.rule.startswith("ATT-")]


def test_the_example_s_attachments_pass_and_are_recorded(example):
    loaded = api.load(example)
    assert not [f for f in loaded.findings if f.rule.startswith("ATT-")]
    files = sorted(a.file for a in loaded.attachments)
    assert {"../documents/kbt-rpt-nc-004.pdf", "../documents/kbt19-101-protocol.pdf", "documents/kbt-1901-ib.pdf", "documents/kbt-rpt-tx-001.pdf"} <= set(files)
    assert len(files) == len(set(files)) == 16  # + 1571, 3674, three 1572s and CVs, three letters of authorization, minutes
    assert all(a.pages >= 1 and len(a.sha256) == 64 for a in loaded.attachments)


def test_a_missing_attachment_is_an_error_at_its_file_key(example):
    (example / "documents" / "kbt-1901-ib.pdf").unlink()
    [f] = att_findings(example)
    assert f.rule == "ATT-FILE" and "does not exist" in f.message
    assert f.path == "clinical.investigators_brochure.document.file" and f.location.file.endswith("dossier.yaml")
    text = (example / "dossier.yaml").read_text(encoding="utf-8").splitlines()
    assert "file: documents/kbt-1901-ib.pdf" in text[f.location.line - 1]


def test_attachment_named_in_an_included_file_is_located_there(example):
    (example / "documents" / "kbt-rpt-nc-004.pdf").write_bytes(b"not a pdf")
    [f] = att_findings(example)
    assert f.rule == "ATT-PDF" and "PDF-OPEN" in f.message
    assert f.location.file.endswith("nonclinical/kbt-nc-004.yaml")


@pytest.mark.parametrize("name", ["/etc/hosts.pdf", "../../outside.pdf", "documents/generate.py"])
def test_attachment_paths_stay_inside_the_dossier_folder(example, name):
    (example.parent / "outside.pdf").write_bytes(IB.read_bytes())
    root = example / "dossier.yaml"
    root.write_text(root.read_text(encoding="utf-8").replace("file: documents/kbt-1901-ib.pdf", f"file: {name}"), encoding="utf-8")
    [f] = att_findings(example)
    assert f.rule == "ATT-FILE"


def test_encrypted_attachment_is_refused(example):
    target = example / "documents" / "kbt-1901-ib.pdf"
    with pikepdf.open(IB) as pdf:
        buf = io.BytesIO()
        pdf.save(buf, encryption=pikepdf.Encryption(owner="secret", user="", allow=pikepdf.Permissions(extract=False)))
    target.write_bytes(buf.getvalue())
    findings = att_findings(example)
    assert any(f.rule == "ATT-PDF" and "PDF-SEC" in f.message for f in findings)


def test_long_attachment_without_bookmarks_is_refused(example):
    target = example / "documents" / "kbt-1901-ib.pdf"
    with pikepdf.open(IB) as pdf:
        del pdf.Root["/Outlines"]
        buf = io.BytesIO()
        pdf.save(buf)
    target.write_bytes(buf.getvalue())
    assert any("PDF-NAV-BM" in f.message for f in att_findings(example))


def test_build_refuses_while_an_attachment_is_broken_and_writes_nothing(example, tmp_path):
    (example / "documents" / "kbt19-101-protocol.pdf").write_bytes(b"%PDF-1.7 broken")
    out = tmp_path / "ind.pdf"
    result = api.build(example, "ind", output=out)
    assert result.output is None and not out.exists()


def test_a_section_build_without_the_attachment_names_it_instead_of_linking(tmp_path):
    """--section 4.2.3.7 holds the study summary but not Module 4's attachment: no dangling link."""
    out = tmp_path / "tox.pdf"
    result = api.build(EXAMPLES / "car-t", "ind", output=out, section="4.2.3.7")
    assert result.output == out and not [f for f in result.preflight if f.severity.name == "ERROR"]
    html_out = tmp_path / "tox.html"
    api.build(EXAMPLES / "car-t", "ind", output=html_out, fmt="html", section="4.2.3.7")
    text = html_out.read_text(encoding="utf-8")
    words = re.sub(r"<[^>]+>", "", text)  # a long path is wrapped so it may break (render/html.py)
    assert "attached as ../documents/kbt-rpt-nc-004.pdf, 6 pages" in words and 'href="#att-' not in text
