"""Attached PDFs are checked like generated ones: findings at the `file:` that names them."""

from __future__ import annotations

import io
import re
import shutil

import pikepdf
import pypdf
import pytest

from dossier import api
from tests.conftest import EXAMPLES, bookmarks

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


# --- attached pages in the compiled document (placed at assembly, issue 20) --------------------


def _attachment_sections(root, target):
    from dossier.packs.outline import ATTACHMENT_TEMPLATE

    loaded = api.load(root)
    by_file = {a.file: a for a in loaded.attachments}
    outline = api.check_pack(loaded, target)[1].outline
    return [(n.heading, by_file[n.item.file]) for r in outline for n in r.walk() if n.section.template == ATTACHMENT_TEMPLATE]


def test_attached_pages_follow_their_cover_sheet_with_the_document_s_footer(built):
    """Each attached page comes right after its cover sheet, shows the original page's text and
    carries the compiled document's footer: its own page number of the total and the chapter."""
    path = built[("car-t", "ind")]
    reader = pypdf.PdfReader(path)
    total = len(reader.pages)
    marks = bookmarks(path)
    sections = _attachment_sections(EXAMPLES / "car-t", "ind")
    assert len(sections) == 16
    for heading, att in sections:
        [cover] = [page for _, title, page in marks if title == heading]
        chapter = [title for depth, title, page in marks if depth == 1 and page <= cover][-1]
        original = pypdf.PdfReader(att.path)
        for j, page in enumerate(original.pages):
            compiled = reader.pages[cover + 1 + j].extract_text()
            own = page.extract_text().split()
            assert own and all(word in compiled for word in own[:12]), (heading, j)
            footer = compiled.split()
            assert f"Page {cover + 2 + j} of {total}" in " ".join(footer) and chapter in " ".join(footer), (heading, j)


def test_an_attachment_s_bookmarks_nest_under_its_section_and_point_into_its_pages(built):
    path = built[("car-t", "ind")]
    marks = bookmarks(path)
    heading, att = next((h, a) for h, a in _attachment_sections(EXAMPLES / "car-t", "ind") if a.file.endswith("kbt-1901-ib.pdf"))
    at = next(i for i, (_, title, _) in enumerate(marks) if title == heading)
    depth, _, cover = marks[at]
    nested = []
    for d, title, page in marks[at + 1 :]:
        if d <= depth:
            break
        nested.append((d, title, page))
    with pikepdf.open(att.path) as src, src.open_outline() as ol:
        own = [str(item.title) for item in ol.root]
    if len(own) == 1:  # one bookmark for the whole document: its sections are nested instead
        with pikepdf.open(att.path) as src, src.open_outline() as ol:
            own = [str(item.title) for item in ol.root[0].children]
    assert [title for d, title, _ in nested if d == depth + 1] == own
    assert all(cover < page <= cover + att.pages for _, _, page in nested)


def test_contents_page_numbers_count_the_attached_pages(built):
    """The table of contents gives every heading the page its bookmark opens, attached pages
    counted (they are inserted after layout, so the numbers come from the pagination plan)."""
    path = built[("car-t", "ind")]
    reader = pypdf.PdfReader(path)
    marks = [(" ".join(title.split()), page) for _, title, page in bookmarks(path)]
    entries = []
    for page in reader.pages[1:6]:
        for line in page.extract_text().splitlines():
            m = re.match(r"^(.*?)\s*\.{4,}\s*(\d+)$", line.strip())
            if m:
                entries.append((" ".join(m[1].split()), int(m[2])))
    matched, at = 0, 0
    for title, number in entries:
        found = next((i for i in range(at, len(marks)) if marks[i][0] == title), None)
        if found is None:
            continue
        assert marks[found][1] + 1 == number, title
        matched, at = matched + 1, found + 1
    assert matched > 100 and marks[-1][1] > 100


def test_a_landscape_attached_page_gets_a_landscape_page(example, tmp_path):
    from tests import pdf_factory

    target = example / "documents" / "kbt-1901-ib.pdf"
    pdf = pdf_factory.new_pdf(2, size=(792, 612))
    pdf_factory.set_outline(pdf, pdf_factory.chapters(pdf))
    pdf_factory.save(pdf, target)
    out = tmp_path / "ind.pdf"
    result = api.build(example, "ind", output=out)
    assert result.output == out and not [f for f in result.preflight if f.severity.name == "ERROR"]
    heading = next(h for h, a in _attachment_sections(example, "ind") if a.file.endswith("kbt-1901-ib.pdf"))
    [cover] = [page for _, title, page in bookmarks(out) if title == heading]
    with pikepdf.open(out) as compiled:
        sizes = [tuple(float(x) for x in compiled.pages[i].MediaBox[2:]) for i in (cover, cover + 1, cover + 2, cover + 3)]
    assert sizes[0] == (612.0, 792.0) and sizes[1] == sizes[2] == (792.0, 612.0) and sizes[3] == (612.0, 792.0)
    text = pypdf.PdfReader(out).pages[cover + 1].extract_text()
    assert "Page 1" in text and f"Page {cover + 2} of" in text


def test_a_section_build_with_an_attachment_places_its_pages(tmp_path):
    out = tmp_path / "ib.pdf"
    result = api.build(EXAMPLES / "car-t", "ind", output=out, section="1.14.4.1", jobs=1)
    assert result.output == out and not [f for f in result.preflight if f.severity.name == "ERROR"]
    ib = next(a for a in api.load(EXAMPLES / "car-t").attachments if a.file.endswith("kbt-1901-ib.pdf"))
    reader = pypdf.PdfReader(out)
    first = pypdf.PdfReader(ib.path).pages[0].extract_text().split()[:8]
    hits = [i for i, page in enumerate(reader.pages) if all(w in page.extract_text() for w in first)]
    assert hits and len(reader.pages) >= ib.pages + 2
    assert f"Page {hits[0] + 1} of {len(reader.pages)}" in reader.pages[hits[0]].extract_text()


def test_an_attached_pdf_is_judged_once_per_content(example, monkeypatch, tmp_path):
    """The verdict on an attached PDF (findings, pages) is kept by content: a second check reads
    it instead of opening the file again, with the same findings; changed bytes are judged anew."""
    from dossier.preflight import limits

    monkeypatch.setenv("DOSSIER_CACHE_DIR", str(tmp_path / "cache"))
    with pikepdf.open(IB) as pdf:
        del pdf.Root["/Outlines"]
        buf = io.BytesIO()
        pdf.save(buf)
    (example / "documents" / "kbt-1901-ib.pdf").write_bytes(buf.getvalue())
    first = api.load(example)

    def judged_again(*args, **kwargs):
        raise AssertionError("judged again")

    monkeypatch.setattr(limits, "run_bounded", judged_again)
    again = api.load(example)
    assert [(a.file, a.pages, a.sha256) for a in again.attachments] == [(a.file, a.pages, a.sha256) for a in first.attachments]
    att = [(f.location, f.severity, f.rule, f.message, f.hint) for f in first.findings if f.rule.startswith("ATT-")]
    assert att and any("PDF-NAV-BM" in m for *_, m, _ in att)
    assert [(f.location, f.severity, f.rule, f.message, f.hint) for f in again.findings if f.rule.startswith("ATT-")] == att
    (example / "documents" / "kbt-1901-ib.pdf").write_bytes(IB.read_bytes())
    with pytest.raises(AssertionError, match="judged again"):
        api.load(example)
