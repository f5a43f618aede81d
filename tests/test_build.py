"""End-to-end: both examples check clean and build both documents; the PDFs are inspected."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pikepdf
from markupsafe import escape
import pypdf
import pytest

from dossier import api
from dossier.packs import load_pack
from dossier.packs.outline import build_outline
from dossier.render.figures import plan as figure_plan
from dossier.preflight import preflight
from tests.conftest import EXAMPLES
from tests.golden.snapshot import example_names

EXAMPLE_NAMES = example_names()  # every bundled example
TARGETS = {"ind": ("letter", (612, 792)), "impd": ("a4", (595.28, 841.89))}



def outline_titles(pdf: pikepdf.Pdf) -> list[tuple[int, str]]:
    """Bookmarks as (depth, title); an attached document's own bookmarks, nested under its
    section, are checked separately (test_attached_documents_are_in_place)."""
    out = []

    def walk(items, depth):
        for item in items:
            out.append((depth, item.title))
            if not item.title.startswith("Attachment "):
                walk(item.children, depth + 1)

    with pdf.open_outline() as ol:
        walk(ol.root, 1)
    return out


def expected_titles(name: str, target: str) -> list[tuple[int, str]]:
    loaded = api.load(EXAMPLES / name / "dossier.yaml")
    pack = load_pack(target)
    titles = [(1, "Table of contents")] + [(1, fm.title) for fm in pack.front_matter]
    outline = build_outline(pack, loaded.dossier)
    figures = figure_plan(outline)  # each figure is bookmarked one level below its section
    for root in outline:
        for n in root.walk():
            titles.append((n.level, n.heading))
            titles += [(f.level, f.bookmark) for f in figures.get(n.anchor, [])]
    return titles


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_examples_pass_check_for_all_targets(name):
    result = api.check(EXAMPLES / name / "dossier.yaml", "all")
    errors = [str(f.location) + " " + f.message for f in result.findings if f.severity.name == "ERROR"]
    assert errors == []
    assert all(r.required_present == r.required_total for r in result.reports)


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
@pytest.mark.parametrize("target", list(TARGETS))
def test_bookmarks_match_the_section_tree(built, name, target):
    with pikepdf.open(built[(name, target)]) as pdf:
        got = outline_titles(pdf)
        assert pdf.Root.PageMode == "/UseOutlines"
    assert got == expected_titles(name, target)
    assert max(depth for depth, _ in got) <= 4


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
@pytest.mark.parametrize("target", list(TARGETS))
def test_pdf_passes_preflight_with_page_size(built, name, target):
    size_name, (w, h) = TARGETS[target]
    findings = preflight(built[(name, target)], page_size=size_name)
    assert [f for f in findings if f.severity.name != "INFO"] == []
    with pikepdf.open(built[(name, target)]) as pdf:
        box = [float(x) for x in pdf.pages[0].MediaBox]
        assert abs(box[2] - w) < 1 and abs(box[3] - h) < 1
        assert pdf.pdf_version == "1.7" and not pdf.is_encrypted and pdf.is_linearized


@pytest.mark.parametrize("target", list(TARGETS))
def test_fonts_are_bundled_fully_embedded_and_named_without_subset_tag(built, target):
    with pikepdf.open(built[("car-t", target)]) as pdf:
        names = set()
        for page in pdf.pages:
            for font in page.Resources.get("/Font", {}).values():
                names.add(str(font.BaseFont))
                desc = font.DescendantFonts[0].FontDescriptor if "/DescendantFonts" in font else font.FontDescriptor
                assert "/FontFile2" in desc or "/FontFile" in desc or "/FontFile3" in desc
    assert names and all(n.startswith("/Dossier-") for n in names), names  # never a system font


def test_text_headers_footers_and_metadata(built):
    path = built[("car-t", "ind")]
    reader = pypdf.PdfReader(path)
    loaded = api.load(EXAMPLES / "car-t" / "dossier.yaml")
    d = loaded.dossier
    n = len(reader.pages)
    assert n > 30
    page5 = reader.pages[4].extract_text()
    assert f"Page 5 of {n}" in page5
    assert d.product.code in page5 and d.sponsor.name in page5
    assert "Version " + d.submission.document_version in page5
    assert reader.metadata.title and d.product.code in reader.metadata.title
    assert reader.metadata.author == d.sponsor.name
    everything = "\n".join(p.extract_text() for p in reader.pages)
    for spec in d.quality.drug_product.specification[:5]:
        assert spec.test.split()[0] in everything


def test_table_of_contents_links_resolve_to_the_right_pages(built):
    path = built[("car-t", "ind")]
    with pikepdf.open(path) as pdf:
        names = {}
        for key, dest in pikepdf.NameTree(pdf.Root.Names.Dests).items():
            arr = dest if isinstance(dest, pikepdf.Array) else dest.D
            names[key] = pdf.pages.index(pdf.pages.from_objgen(*arr[0].objgen)) if hasattr(pdf.pages, "from_objgen") else None
        toc_links = [a for a in pdf.pages[1].get("/Annots", []) if a.get("/Subtype") == "/Link"]
        assert len(toc_links) > 20
        for annot in toc_links:
            dest = annot.get("/Dest") or annot.A.D
            assert str(dest) in names or isinstance(dest, pikepdf.Array)


def test_single_section_build(tmp_path):
    out = tmp_path / "dp-control.pdf"
    result = api.build(EXAMPLES / "car-t" / "dossier.yaml", "ind", output=out, section="3.2.P.5")
    assert result.output == out
    with pikepdf.open(out) as pdf:
        titles = outline_titles(pdf)
    assert titles[0] == (1, "Table of contents")
    assert titles[1][1].startswith("3.2.P.5 ") and titles[1][0] == 1
    assert all(t.split()[0].startswith("3.2.P.5") for _, t in titles[1:])
    text = pypdf.PdfReader(out).pages[0].extract_text()
    assert "3.2.P.5" in text


def test_alias_section_build_collects_cmc_sections(tmp_path):
    out = tmp_path / "cmc.html"
    api.build(EXAMPLES / "car-t" / "dossier.yaml", "ind", output=out, fmt="html", section="312.23(a)(7)")
    html = out.read_text()
    for sid in ("2.3", "3.2.S.2.3", "3.2.P.5.1", "3.2.A.2", "1.14.4.2", "1.12.14"):
        assert f'<span class="sec-id">{sid}</span>' in html, sid
    assert '<span class="sec-id">5.3.5.2</span>' not in html


def test_same_input_gives_identical_pdf_bytes(built, tmp_path):
    """A second build in a fresh process (different hash seed) gives the same bytes."""
    out = tmp_path / "again.pdf"
    env = {**os.environ, "PYTHONHASHSEED": "123"}
    subprocess.run(
        [sys.executable, "-m", "dossier", "build", str(EXAMPLES / "car-t" / "dossier.yaml"), "--target", "ind", "-o", str(out)],
        check=True, env=env, capture_output=True,
    )
    assert out.read_bytes() == built[("car-t", "ind")].read_bytes()


def test_draft_pdf_marks_every_page(tmp_path):
    from tests.conftest import DATA

    out = tmp_path / "draft.pdf"
    result = api.build(DATA / "minimal.yaml", "impd", output=out, draft=True)
    assert result.output == out
    reader = pypdf.PdfReader(out)
    assert all("DRAFT" in p.extract_text() for p in reader.pages)
    assert "MISSING:" in "".join(p.extract_text() for p in reader.pages)


def test_narrative_markup_and_jinja_are_shown_as_text(tmp_path, minimal_text):
    src = tmp_path / "dossier.yaml"
    src.write_text(minimal_text + "clinical:\n  previous_human_experience: |\n    <script>alert(1)</script> {{ 7*7 }} <img src=\"file:///etc/passwd\">\n")
    out = tmp_path / "x.html"
    api.build(src, "impd", output=out, fmt="html", draft=True)
    html = out.read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>" not in html
    assert "{{ 7*7 }}" in html and "49" not in html.split("previous")[0][-0:]
    assert '<img src="file' not in html


@pytest.mark.parametrize("target", list(TARGETS))
@pytest.mark.parametrize("source", ["minimal", "car-t", "aav"])
def test_every_section_of_the_tree_renders_with_its_heading(tmp_path, target, source):
    from tests.conftest import DATA

    path = DATA / "minimal.yaml" if source == "minimal" else EXAMPLES / source / "dossier.yaml"
    out = tmp_path / "x.html"
    result = api.build(path, target, output=out, fmt="html", draft=True)
    assert result.output == out
    html = out.read_text()
    loaded = api.load(path)
    nodes = [n for root in build_outline(load_pack(target), loaded.dossier) for n in root.walk()]
    for n in nodes:
        number = f'<span class="sec-id">{escape(n.label)}</span> ' if n.label else ""
        assert f'id="{n.anchor}">{number}{escape(n.title)}' in html, n.id


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_schema_round_trip(name):
    from dossier.model import Dossier

    d = api.load(EXAMPLES / name / "dossier.yaml").dossier
    again = Dossier.model_validate(d.model_dump(mode="json"))
    assert again == d


def _text_sizes(page) -> set[float]:
    """Sizes in points of the text a page's own content stream draws: each Tf size times the
    scale of the transformation in force (q/Q/cm tracked; the pages' matrices are uniform)."""
    sizes, scale, stack = set(), 1.0, []
    for ops, op in pikepdf.parse_content_stream(page):
        op = str(op)
        if op == "q":
            stack.append(scale)
        elif op == "Q":
            scale = stack.pop() if stack else 1.0
        elif op == "cm":
            scale *= abs(float(ops[0])) or abs(float(ops[1]))
        elif op == "Tf":
            sizes.add(round(float(ops[1]) * scale, 3))
    return sizes


def test_no_text_smaller_than_9_points(built):
    """FDA PDF specification: 9-12 pt text. WeasyPrint 70 draws in CSS px (page matrix 0.75); an
    attached page's footer is written in points (render/stamp.py). The attached documents' own
    pages (form XObjects) are their authors' text, scaled into the margins, and not looked at."""
    with pikepdf.open(built[("car-t", "ind")]) as pdf:
        matrices = [[float(x) for x in ops] for ops, op in pikepdf.parse_content_stream(pdf.pages[0]) if str(op) == "cm"]
        assert [0.75, 0, 0, 0.75, 0, 0] in matrices[:3]
        sizes = set()
        for page in pdf.pages:
            sizes |= _text_sizes(page)
    assert 9.0 in sizes and min(sizes) >= 9 - 1e-3, sorted(sizes)[:3]


def test_removing_the_genetic_modification_changes_the_derived_class_and_is_flagged(tmp_path):
    import yaml

    from dossier.classify import classify

    from dossier.io.yamlsource import load_file

    data = load_file(EXAMPLES / "car-t" / "dossier.yaml", includes=True).data  # the example is split across files
    del data["product"]["genetic_modification"]
    src = tmp_path / "dossier.yaml"
    src.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = api.check(src, "impd")
    rules = {f.rule for f in result.findings}
    assert {"IMPD-PROD-001", "IMPD-PROD-003"} <= rules
    assert classify(result.loaded.dossier).derived.value == "sCTMP"


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
@pytest.mark.parametrize("target", list(TARGETS))
def test_no_section_of_a_complete_example_is_left_empty(tmp_path, name, target):
    """Every heading either has content or states why it does not apply (reason from the YAML)."""
    out = tmp_path / "x.html"
    api.build(EXAMPLES / name / "dossier.yaml", target, output=out, fmt="html")
    html = out.read_text()
    assert 'class="empty"' not in html
    assert 'class="placeholder"' not in html


def test_simplified_impd_scenario_selects_the_required_parts(tmp_path, minimal_text):
    """Annex I Table 1: an authorised IMP used within its SmPC needs the SmPC, not S/P/A or S&E."""
    src = tmp_path / "dossier.yaml"
    src.write_text(minimal_text + "eu:\n  simplified_impd: authorised, used within the SmPC\n", encoding="utf-8")
    result = api.check(src, "impd")
    sections = {f.section for f in result.findings if f.section}
    assert "SmPC" in sections
    assert not sections & {"S.4.1", "P.5.1", "SE.2", "SE.3"}
    from tests.conftest import DATA

    full = api.check(DATA / "minimal.yaml", "impd")
    assert {"P.5.1", "SE.3"} <= {f.section for f in full.findings}
    out = tmp_path / "x.html"
    api.build(src, "impd", output=out, fmt="html", draft=True)
    html = out.read_text()
    assert "this section applies only when non-clinical and clinical data are part of the IMPD" in html


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
@pytest.mark.parametrize("target", list(TARGETS))
def test_no_text_runs_outside_the_page_margins(built, name, target):
    """Nothing overflows: every word lies within 3/4 in of the left edge and 1/2 in of the right
    (word boxes from poppler's pdftotext, which scripts/bootstrap installs)."""
    import re
    import shutil

    assert shutil.which("pdftotext"), "poppler-utils is required (scripts/bootstrap installs it)"
    bbox = subprocess.run(["pdftotext", "-bbox", str(built[(name, target)]), "-"], check=True, capture_output=True, text=True).stdout
    outside = []
    for number, (width, body) in enumerate(re.findall(r'<page width="([\d.]+)" height="[\d.]+">(.*?)</page>', bbox, re.S), 1):
        for xmin, xmax, word in re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', body):
            if float(xmin) < 0.75 * 72 - 1 or float(xmax) > float(width) - 0.5 * 72 + 1:
                outside.append((number, word))
    assert outside == []


def test_attached_documents_are_in_place_bookmarked_listed_and_linked(built):
    """The CAR-T example attaches a study report, the protocol and the IB: each has a section
    (listed in the contents) with a cover sheet, then the document's pages with its own text; its
    bookmarks are nested under the section; the study summary links to the attachment."""
    import re

    from dossier.attachments import collect

    path = built[("car-t", "ind")]
    d = api.load(EXAMPLES / "car-t").dossier
    long_ones = {"KBT-RPT-NC-004", "KBT19-101", "KBT-1901-IB"}  # documents with bookmarks of their own
    docs = [doc for _, doc in collect(d) if doc.number in long_ones]
    assert {doc.number for doc in docs} == long_ones
    pages = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout.split("\f")
    with pikepdf.open(path) as pdf:
        index = {p.objgen: i for i, p in enumerate(pdf.pages)}
        with pdf.open_outline() as ol:
            items = []

            def walk(nodes):
                for n in nodes:
                    items.append(n)
                    walk(n.children)

            walk(ol.root)
            for doc in docs:
                [item] = [i for i in items if i.title.startswith("Attachment ") and f"({doc.number})" in i.title]
                cover = index[item.destination[0].objgen]
                assert "Attached document" in pages[cover] and doc.file in pages[cover]
                with pikepdf.open((EXAMPLES / "car-t" / doc.file.replace("../", "")).resolve()) as src:
                    n = len(src.pages)
                header = "IND · Version"  # our running header, on the cover sheet only
                assert header in pages[cover]
                for k in range(1, n + 1):  # every page of the attachment, with its own footer, in order
                    assert re.search(rf"page {k} of {n}", pages[cover + k]), (doc.number, k)
                    assert header not in pages[cover + k] and f"Page {cover + k + 1} of" in pages[cover + k], (doc.number, k)
                assert item.children, f"{doc.number}: its bookmarks are nested under its section"
                assert all(cover < index[c.destination[0].objgen] <= cover + n for c in item.children)
        toc = "".join(p for p in pages[:12] if "Table of contents" in p)  # the contents' pages carry it in their footer
        assert all(doc.title in toc.replace("\n", " ") or doc.number in toc for doc in docs)
        links = {str(a.get("/Dest", "")) for p in pdf.pages for a in p.get("/Annots", []) if a.get("/Subtype") == "/Link"}
    assert "att-documents-kbt-rpt-nc-004-pdf" in links  # the study summary links to its report


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
@pytest.mark.parametrize("target", TARGETS)
def test_a_final_document_prints_no_trace_lines_and_no_verification_markers(built, name, target):
    """Issue 16: "Requirement: ..." lines are for drafts and --trace; whether a source was
    verified is for the reports, never the document. The manifest keeps the trace."""
    import json

    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(built[(name, target)]).pages)
    assert "Requirement:" not in text and "unverified reference" not in text
    manifest = json.loads(api.manifest_path(built[(name, target)]).read_text(encoding="utf-8"))
    assert manifest["trace"] and all(t["section"] and t["source"] for t in manifest["trace"])


def test_trace_prints_the_source_under_each_heading_and_drafts_always_do(tmp_path):
    example = EXAMPLES / "msc" / "dossier.yaml"
    for options, expected in (({}, False), ({"trace": True}, True), ({"draft": True}, True)):
        out = tmp_path / f"{sorted(options)}.html"
        api.build(example, "ind", output=out, fmt="html", **options)
        html = out.read_text(encoding="utf-8")
        assert ('class="cite">Requirement: 21 CFR 312.23(a)(7)' in html) is expected, options
        assert "unverified reference" not in html
