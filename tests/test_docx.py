"""Word output: structure (headings, contents field, tables, figures, header and footer), where
each fact came from, the company template, the same bytes for the same input, and a check that
LibreOffice opens the documents (page count near the PDF's, the heading tree in its outline)."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile

import docx
import pypdf
import pytest
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from dossier import api
from tests.test_cli import run
from dossier.ingest import parse_path
from tests.conftest import EXAMPLES, docx_controls


def _instructions(document) -> list[str]:
    return [t.text for t in document.element.body.iter(qn("w:instrText"))]


def _value_at(obj, path):
    for part in path:
        obj = obj[part] if isinstance(part, int) else getattr(obj, part)
    return obj


@pytest.fixture(scope="module")
def ind(car_t_docx):
    return docx.Document(str(car_t_docx))


def test_headings_are_word_heading_styles_in_outline_order(ind):
    headings = [(p.style.name, p.text) for p in ind.paragraphs if p.style.name.startswith("Heading")]
    texts = [t for _, t in headings]
    assert ("Heading 1", "Module 3 Quality") in headings
    p5 = next(s for s, t in headings if t.startswith("3.2.P.5 "))
    p51 = next(s for s, t in headings if t.startswith("3.2.P.5.1 "))
    assert int(p51[-1]) == int(p5[-1]) + 1  # a subsection is one level below its section
    assert texts.index(next(t for t in texts if t.startswith("3.2.P.5 "))) < texts.index(next(t for t in texts if t.startswith("3.2.P.5.1 ")))


def test_contents_is_a_toc_field_with_linked_entries_and_fields_update_on_open(car_t_docx, ind):
    assert any(i.strip().startswith('TOC \\o "1-4"') for i in _instructions(ind))
    toc = [p for p in ind.paragraphs if p.style.name.startswith("TOC ") and p.style.name != "TOC Heading"]
    assert any("3.2.P.5 Control of drug product" in p.text for p in toc)
    anchors = {h.get(qn("w:anchor")) for h in ind.element.body.iter(qn("w:hyperlink"))}
    names = {b.get(qn("w:name")) for b in ind.element.body.iter(qn("w:bookmarkStart"))}
    assert anchors - {None} <= names  # every internal link has its bookmark
    settings = zipfile.ZipFile(car_t_docx).read("word/settings.xml").decode()
    assert "updateFields" in settings


def test_tables_are_word_tables_with_repeated_header_rows_and_page_references(ind):
    assert len(ind.tables) > 20
    header_rows = list(ind.element.body.iter(qn("w:tblHeader")))
    assert len(header_rows) > 10
    # every row moves whole to the next page, as in the PDF (cantSplit before tblHeader: schema order)
    rows = list(ind.element.body.iter(qn("w:tr")))
    assert all(tr.trPr is not None and tr.trPr[0].tag == qn("w:cantSplit") for tr in rows)
    assert sum(i.strip().startswith("PAGEREF ") for i in _instructions(ind)) > 20  # the 312.23(a) cross-reference
    widths = [int(g.get(qn("w:w"))) for g in ind.tables[0]._tbl.tblGrid.iter(qn("w:gridCol"))]
    section = ind.sections[0]
    assert sum(widths) * 635 <= section.page_width - section.left_margin - section.right_margin + 635 * len(widths)


def test_figures_are_pictures_with_captions(ind, car_t_docx):
    listed = [p.text for p in ind.paragraphs if re.match(r"Figure \d+\.", p.text) and p.style.name == "Caption"]
    pictures = [n for n in zipfile.ZipFile(car_t_docx).namelist() if n.startswith("word/media/")]
    assert len(listed) == 6 and len(pictures) == 6


def test_header_and_page_x_of_y_footer_on_letter_paper(ind):
    section = ind.sections[0]
    assert (section.page_width, section.page_height) == (docx.shared.Inches(8.5), docx.shared.Inches(11))
    assert "Kestrel Bay Therapeutics" in section.header.paragraphs[0].text
    footer = [t.text.strip() for t in section.footer._element.iter(qn("w:instrText"))]
    assert footer == ["PAGE", "NUMPAGES"]


def test_the_schedule_of_assessments_is_on_landscape_pages_of_its_own_section(ind):
    body = ind.element.body
    order = [el for el in body.iter() if el.tag in (qn("w:tbl"), qn("w:sectPr"), qn("w:p"))]

    def caption(p) -> str:
        return "".join(t.text or "" for t in p.iter(qn("w:t")))

    def next_section(i: int):
        return next(el for el in order[i + 1 :] if el.tag == qn("w:sectPr"))

    def previous_section(i: int):
        return next((el for el in reversed(order[:i]) if el.tag == qn("w:sectPr")), None)

    schedules = [i for i, el in enumerate(order) if el.tag == qn("w:p") and caption(el).startswith("Schedule of assessments")]
    assert schedules, "no schedule of assessments in the CAR-T IND"
    for i in schedules:
        size = next_section(i).find(qn("w:pgSz"))
        assert size.get(qn("w:orient")) == "landscape" and int(size.get(qn("w:w"))) > int(size.get(qn("w:h")))
        before = previous_section(i).find(qn("w:pgSz"))
        assert before.get(qn("w:orient")) is None and int(before.get(qn("w:w"))) < int(before.get(qn("w:h")))
    # the rest of the document is portrait again, and the landscape pages have their own running
    # header whose right-hand text stops at the landscape margin
    assert ind.sections[-1].page_width < ind.sections[-1].page_height
    wide = [s for s in ind.sections if s.page_width > s.page_height]
    assert wide and all(not s.header.is_linked_to_previous for s in wide)
    stops = [t.position for t in wide[0].header.paragraphs[0].paragraph_format.tab_stops]
    assert stops == [wide[0].page_width - wide[0].left_margin - wide[0].right_margin]


def test_every_control_names_the_fact_it_shows(car_t_docx):
    d = api.load(EXAMPLES / "car-t").dossier
    controls = docx_controls(car_t_docx)
    narratives = [(path, text) for tag, path, text in controls if tag.startswith("dossier:") and tag[8:].isdigit()]
    assert len(narratives) > 500
    for path, text in narratives:
        value = _value_at(d, parse_path(path))
        value = getattr(value, "us", value)  # a per-region text: the IND shows the US one
        words = re.findall(r"\w{3,}", str(value))[:3]  # the first words, whatever Markdown surrounds them
        assert all(w in text for w in words), (path, words, text[:60])
    assert ("dossier:table", "quality.drug_substances[0].process.steps") in {(t, p) for t, p, _ in controls}


def test_a_section_claims_no_fact_of_another_section(tmp_path):
    out = tmp_path / "p5.docx"
    api.build(EXAMPLES / "car-t" / "dossier.yaml", "ind", output=out, fmt="docx", section="3.2.P.5")
    paths = {p for tag, p, _ in docx_controls(out) if tag[8:].isdigit() or tag == "dossier:table"}
    # the drug product's specification repeats test names of the drug substances': no control may
    # name a drug substance's fact for them
    assert paths and not [p for p in paths if p.startswith("quality.drug_substances")]


def test_attached_documents_are_not_said_to_follow(ind):
    text = "\n".join(p.text for p in ind.paragraphs)
    assert "is not reproduced in this DOCX version" in text
    assert "reproduced within this document's margins" not in text


def test_draft_marks_missing_facts_with_their_path(tmp_path):
    from tests.conftest import DATA

    out = tmp_path / "draft.docx"
    html = tmp_path / "draft.html"
    assert api.build(DATA / "minimal.yaml", "impd", output=out, fmt="docx", draft=True).output == out
    api.build(DATA / "minimal.yaml", "impd", output=html, fmt="html", draft=True)
    expected = set(re.findall(r'class="placeholder[^"]*">.*?<code>(?:<span class="tok">)?([^<]+)<', html.read_text()))
    marked = {p for tag, p, _ in docx_controls(out) if tag in ("dossier:missing", "dossier:unknown")}
    assert expected and marked == expected  # every gap the draft names, with its YAML path
    document = docx.Document(str(out))
    assert any(r.get(qn("w:val")) == "yellow" for r in document.element.body.iter(qn("w:highlight")))


def test_impd_is_a4_and_a_section_build_holds_only_that_section(tmp_path):
    out = tmp_path / "impd-s.docx"
    api.build(EXAMPLES / "aav" / "dossier.yaml", "impd", output=out, fmt="docx", section="S.4")
    d = docx.Document(str(out))
    assert (d.sections[0].page_width, d.sections[0].page_height) == (docx.shared.Emu(7560310), docx.shared.Emu(10692130))
    headings = [p.text for p in d.paragraphs if p.style.name.startswith("Heading")]
    assert headings[0] == "S.4 Control of the active substance" and "S.4.1 Specification" in headings
    assert not any(re.match(r"S\.[1-35-7]|P\.|3\.2\.", h) for h in headings)  # nothing of other sections


def test_same_input_gives_the_same_bytes(tmp_path):
    a, b = tmp_path / "a.docx", tmp_path / "b.docx"
    for out in (a, b):
        api.build(EXAMPLES / "car-t" / "dossier.yaml", "ind", output=out, fmt="docx", section="3.2.P.5")
    assert a.read_bytes() == b.read_bytes()
    core = zipfile.ZipFile(a).read("docProps/core.xml").decode()
    assert "2026-11-02T00:00:00" in core and "dossier" in core  # the YAML's date, not the clock


@pytest.fixture
def company_template(tmp_path):
    t = docx.Document()
    t.styles["Normal"].font.name = "Liberation Sans"
    t.styles["Normal"].font.size = Pt(10)
    section = t.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.header.is_linked_to_previous = False
    section.header.paragraphs[0].text = "ACME Corp — Company Confidential"
    t.add_paragraph("Template body text")
    path = tmp_path / "company.docx"
    t.save(str(path))
    return path


def test_company_template_gives_styles_layout_and_header(tmp_path, company_template):
    out = tmp_path / "p5.docx"
    before = company_template.read_bytes()
    api.build(EXAMPLES / "car-t" / "dossier.yaml", "ind", output=out, fmt="docx", section="3.2.P.5", docx_template=company_template)
    d = docx.Document(str(out))
    assert d.styles["Normal"].font.name == "Liberation Sans" and d.styles["Normal"].font.size == Pt(10)
    assert d.sections[0].page_width == docx.Document(str(company_template)).sections[0].page_width  # A4, not the pack's Letter
    assert d.sections[0].header.paragraphs[0].text == "ACME Corp — Company Confidential"
    assert "Template body text" not in "\n".join(p.text for p in d.paragraphs)
    assert any(p.text.startswith("3.2.P.5 ") for p in d.paragraphs if p.style.name.startswith("Heading"))
    assert company_template.read_bytes() == before


def test_output_never_replaces_the_template(company_template, capsys):
    before = company_template.read_bytes()
    code, _, err = run(capsys, "build", str(EXAMPLES / "car-t"), "-t", "ind", "-f", "docx", "--section", "3.2.P.5", "--docx-template", str(company_template), "-o", str(company_template))
    assert code == 2 and "Traceback" not in err and str(company_template) in err
    assert company_template.read_bytes() == before


def test_a_template_that_is_not_word_is_refused_without_output(tmp_path, capsys):
    bad = tmp_path / "template.docx"
    bad.write_text("not a zip")
    out = tmp_path / "out.docx"
    code, _, err = run(capsys, "build", str(EXAMPLES / "car-t"), "-t", "ind", "-f", "docx", "--section", "3.2.P.5", "--docx-template", str(bad), "-o", str(out))
    assert code == 2 and "not a Word document" in err and "Traceback" not in err
    assert not out.exists()


def _soffice(args, cwd) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice is installed by scripts/bootstrap (libreoffice-writer-nogui)"
    subprocess.run([soffice, "--headless", "--norestore", f"-env:UserInstallation=file://{cwd}/lo-profile", *args, "--outdir", str(cwd)], cwd=cwd, check=True, capture_output=True, timeout=600)


def test_libreoffice_lays_out_the_ind_close_to_the_pdf(tmp_path, car_t_docx, built):
    copy = tmp_path / "ind.docx"
    shutil.copyfile(car_t_docx, copy)
    _soffice(["--convert-to", "pdf", str(copy)], tmp_path)
    word_pages = len(pypdf.PdfReader(tmp_path / "ind.pdf").pages)
    pdf_pages = len(pypdf.PdfReader(built[("car-t", "ind")]).pages)
    attached = sum(a.pages for a in api.load(EXAMPLES / "car-t").attachments)
    assert abs(word_pages - (pdf_pages - attached)) <= 0.15 * (pdf_pages - attached), (word_pages, pdf_pages, attached)
    turned = [p for p in pypdf.PdfReader(tmp_path / "ind.pdf").pages if p.mediabox.width > p.mediabox.height]
    assert 1 <= len(turned) <= 4, "the schedule of assessments is not on landscape pages"


def test_libreoffice_opens_a_section_with_its_heading_tree(tmp_path):
    out = tmp_path / "p5.docx"
    api.build(EXAMPLES / "car-t" / "dossier.yaml", "ind", output=out, fmt="docx", section="3.2.P.5")
    _soffice(["--convert-to", "odt", str(out)], tmp_path)
    content = zipfile.ZipFile(tmp_path / "p5.odt").read("content.xml").decode()
    outline = re.findall(r'<text:h [^>]*text:outline-level="(\d)"[^>]*>(.*?)</text:h>', content)
    titles = [re.sub(r"<[^>]+>", "", t) for _, t in outline]
    assert any(t.startswith("3.2.P.5 Control of drug product") for t in titles)
    assert any(t.startswith("3.2.P.5.1 ") for t in titles)
    word = [p.text for p in docx.Document(str(out)).paragraphs if p.style.name.startswith("Heading")]
    assert len(titles) == len(word)
