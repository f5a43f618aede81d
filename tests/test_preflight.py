"""Preflight of PDFs against the FDA PDF specification (dossier.preflight)."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest
from pikepdf import Array, Dictionary, Name, String

from dossier.errors import InputFileError, UsageError
from dossier.findings import Finding, Severity
from dossier.preflight import CHECKS, preflight
from tests.pdf_factory import (
    A4, FONT_FILE, LETTER, Mark, add_annot, chapters, embedded_font, good_pdf, new_pdf,
    page_dest, save, set_named_dests, set_outline, text_content, uri_action,
)


def rules(findings: list[Finding]) -> set[str]:
    return {f.rule for f in findings}


def only(findings: list[Finding], rule: str) -> list[Finding]:
    return [f for f in findings if f.rule == rule]


def check(pdf: pikepdf.Pdf, tmp_path: Path, **options: object) -> list[Finding]:
    """Save `pdf` (not linearized) and preflight it."""
    return preflight(save(pdf, tmp_path / "t.pdf"), **options)


@pytest.fixture
def doc() -> pikepdf.Pdf:
    """Two pages, embedded font, title: clean except for not being linearized."""
    return new_pdf(2)


def test_clean_document_has_no_findings(tmp_path: Path) -> None:
    assert preflight(good_pdf(tmp_path / "good.pdf"), page_size="letter") == []


def test_registry_ids_are_unique_and_documented() -> None:
    ids = [c.id for c in CHECKS]
    assert len(ids) == len(set(ids)) == 19
    for c in CHECKS:
        assert c.run.__doc__ and c.run.__doc__.startswith(c.id + ":"), c.id


def test_findings_point_at_the_file(doc: pikepdf.Pdf, tmp_path: Path) -> None:
    [finding] = check(doc, tmp_path)
    assert (finding.rule, finding.severity) == ("PDF-LIN", Severity.INFO)
    assert finding.location.file == str(tmp_path / "t.pdf") and finding.location.line == 0


# -- PDF-VER / PDF-SEC / PDF-OPEN ---------------------------------------------


@pytest.mark.parametrize("version, bad", [("1.3", True), ("1.4", False), ("1.7", False),
                                          ("2.0", True)])
def test_header_version(doc: pikepdf.Pdf, tmp_path: Path, version: str, bad: bool) -> None:
    findings = preflight(save(doc, tmp_path / "v.pdf", force_version=version))
    assert ("PDF-VER" in rules(findings)) is bad


def test_catalog_version_overrides_header(doc: pikepdf.Pdf, tmp_path: Path) -> None:
    doc.Root.Version = Name("/2.0")
    assert "version 2.0" in only(check(doc, tmp_path), "PDF-VER")[0].message


def test_encrypted_but_openable_is_pdf_sec(doc: pikepdf.Pdf, tmp_path: Path) -> None:
    path = save(doc, tmp_path / "e.pdf", encryption=pikepdf.Encryption(owner="o", user=""))
    findings = preflight(path)
    assert "PDF-SEC" in rules(findings) and "PDF-OPEN" not in rules(findings)
    assert "PDF-SEC" not in rules(check(new_pdf(), tmp_path))


def test_user_password_gives_single_open_error(doc: pikepdf.Pdf, tmp_path: Path) -> None:
    path = save(doc, tmp_path / "p.pdf", encryption=pikepdf.Encryption(owner="o", user="u"))
    [finding] = preflight(path)
    assert finding.rule == "PDF-OPEN" and "password" in finding.message


def test_text_file_and_truncated_pdf_give_open_error(tmp_path: Path) -> None:
    text = tmp_path / "notes.pdf"
    text.write_text("just some text\n")
    whole = good_pdf(tmp_path / "whole.pdf").read_bytes()
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(whole[: len(whole) // 2])
    for path in (text, cut):
        [finding] = preflight(path)
        assert (finding.rule, finding.severity) == ("PDF-OPEN", Severity.ERROR)


def test_missing_file_and_directory_raise(tmp_path: Path) -> None:
    with pytest.raises(InputFileError):
        preflight(tmp_path / "absent.pdf")
    with pytest.raises(InputFileError):
        preflight(tmp_path)


# -- PDF-JS / PDF-LAUNCH / PDF-ATT / PDF-ANNOT --------------------------------

def js() -> Dictionary:
    return Dictionary(S=Name.JavaScript, JS=String("app.alert(1)"))


@pytest.mark.parametrize("where", ["names", "open", "link", "link-aa", "field"])
def test_javascript_anywhere(doc: pikepdf.Pdf, tmp_path: Path, where: str) -> None:
    if where == "names":
        doc.Root.Names = Dictionary(JavaScript=Dictionary(Names=Array([String("x"), js()])))
    elif where == "open":
        doc.Root.OpenAction = doc.make_indirect(js())
    elif where == "link":
        add_annot(doc, 1, A=uri_action("https://a.example"))["/A"].Next = js()
    elif where == "link-aa":
        add_annot(doc, 1, Dest=page_dest(doc, 0), AA=Dictionary(E=js()))
    else:
        field = doc.make_indirect(Dictionary(FT=Name.Tx, T=String("f"), AA=Dictionary(K=js())))
        doc.Root.AcroForm = Dictionary(Fields=Array([field]))
    assert "PDF-JS" in rules(check(doc, tmp_path))


def test_no_javascript_in_plain_links(doc: pikepdf.Pdf, tmp_path: Path) -> None:
    add_annot(doc, 0, A=uri_action("https://example.org"))
    assert not rules(check(doc, tmp_path)) & {"PDF-JS", "PDF-LAUNCH"}


@pytest.mark.parametrize("kind", ["/Launch", "/SubmitForm", "/ImportData", "/Movie"])
def test_forbidden_actions(doc: pikepdf.Pdf, tmp_path: Path, kind: str) -> None:
    add_annot(doc, 1, A=Dictionary(S=Name(kind), F=String("x")))
    [finding] = only(check(doc, tmp_path), "PDF-LAUNCH")
    assert finding.message.startswith("page 2:") and kind[1:] in finding.message


def test_embedded_file(doc: pikepdf.Pdf, tmp_path: Path) -> None:
    doc.attachments["data.csv"] = pikepdf.AttachedFileSpec(doc, b"a,b\n")
    assert "PDF-ATT" in rules(check(doc, tmp_path))


def test_file_attachment_annotation(doc: pikepdf.Pdf, tmp_path: Path) -> None:
    add_annot(doc, 0, "/FileAttachment")
    findings = check(doc, tmp_path)
    assert {"PDF-ATT", "PDF-ANNOT"} <= rules(findings)


@pytest.mark.filterwarnings("ignore::pikepdf.PageCopyWarning")  # orphan widget, on purpose
@pytest.mark.parametrize("subtype", ["/Text", "/Widget", "/Highlight"])
def test_non_link_annotations(doc: pikepdf.Pdf, tmp_path: Path, subtype: str) -> None:
    add_annot(doc, 1, "/Link", Dest=page_dest(doc, 0))
    add_annot(doc, 1, subtype)
    [finding] = only(check(doc, tmp_path), "PDF-ANNOT")
    assert finding.message.startswith("page 2: 1 annotation") and subtype[1:] in finding.message


def test_link_annotations_are_allowed(doc: pikepdf.Pdf, tmp_path: Path) -> None:
    add_annot(doc, 1, Dest=page_dest(doc, 0))
    assert check(doc, tmp_path) == check(new_pdf(2), tmp_path)


# -- PDF-LINK-SCHEME / PDF-LINK-DEST ------------------------------------------


@pytest.mark.parametrize("uri, bad", [
    ("https://www.fda.gov/x", False), ("HTTP://example.org", False),
    ("file:///home/me/m2/x.pdf", True), ("javascript:alert(1)", True),
    ("mailto:qa@example.org", True), ("../m2/x.pdf", True),
])
def test_uri_schemes(doc: pikepdf.Pdf, tmp_path: Path, uri: str, bad: bool) -> None:
    add_annot(doc, 0, A=uri_action(uri))
    assert ("PDF-LINK-SCHEME" in rules(check(doc, tmp_path))) is bad


@pytest.mark.parametrize("target, bad", [("../m2/23-qos.pdf", False), ("/srv/m2/x.pdf", True),
                                         ("C:\\sub\\x.pdf", True)])
def test_gotor_paths(doc: pikepdf.Pdf, tmp_path: Path, target: str, bad: bool) -> None:
    add_annot(doc, 0, A=Dictionary(S=Name.GoToR, F=String(target), D=Array([0, Name.Fit]),
                                   NewWindow=True))
    assert ("PDF-LINK-SCHEME" in rules(check(doc, tmp_path))) is bad


@pytest.mark.parametrize("how", ["string", "legacy", "explicit", "goto"])
def test_internal_links_resolve(doc: pikepdf.Pdf, tmp_path: Path, how: str) -> None:
    set_named_dests(doc, {"sec-2": 1})
    doc.Root.Dests = Dictionary({"/old": page_dest(doc, 1)})
    dest = {"string": String("sec-2"), "legacy": Name("/old"),
            "explicit": page_dest(doc, 1), "goto": String("sec-2")}[how]
    if how == "goto":
        add_annot(doc, 0, A=Dictionary(S=Name.GoTo, D=dest))
    else:
        add_annot(doc, 0, Dest=dest)
    assert "PDF-LINK-DEST" not in rules(check(doc, tmp_path))


@pytest.mark.parametrize("how", ["missing-name", "foreign-page", "no-dest"])
def test_broken_internal_links(doc: pikepdf.Pdf, tmp_path: Path, how: str) -> None:
    set_named_dests(doc, {"sec-2": 1})
    if how == "missing-name":
        add_annot(doc, 0, A=Dictionary(S=Name.GoTo, D=String("sec-9")))
    elif how == "foreign-page":
        stray = doc.make_indirect(Dictionary(Type=Name.Page))
        add_annot(doc, 0, Dest=Array([stray, Name.Fit]))
    else:
        add_annot(doc, 0)
    [finding] = only(check(doc, tmp_path), "PDF-LINK-DEST")
    assert finding.message.startswith("page 1:")


# -- PDF-NAV-* / PDF-VIEW ------------------------------------------------------


@pytest.mark.parametrize("pages, bad", [(4, False), (5, True), (7, True)])
def test_bookmarks_required_from_five_pages(tmp_path: Path, pages: int, bad: bool) -> None:
    assert ("PDF-NAV-BM" in rules(check(new_pdf(pages), tmp_path))) is bad


def test_bookmarks_satisfy_nav_bm(tmp_path: Path) -> None:
    pdf = new_pdf(7)
    set_outline(pdf, chapters(pdf), page_mode="/UseOutlines")
    assert not rules(check(pdf, tmp_path)) & {"PDF-NAV-BM", "PDF-NAV-DEST", "PDF-VIEW"}


@pytest.mark.parametrize("entries, bad", [
    ({"Dest": String("sec-2")}, False),
    ({"A": Dictionary(S=Name.GoTo, D=String("sec-2"))}, False),
    ({"Dest": String("nowhere")}, True),
    ({"A": uri_action("https://example.org")}, True),
    ({}, True),
])
def test_bookmark_destinations(doc: pikepdf.Pdf, tmp_path: Path, entries: dict, bad: bool) -> None:
    set_named_dests(doc, {"sec-2": 1})
    set_outline(doc, [Mark("Intro", {"Dest": page_dest(doc, 0)}), Mark("Target", entries)])
    found = only(check(doc, tmp_path), "PDF-NAV-DEST")
    assert bool(found) is bad and all("'Target'" in f.message for f in found)


def nested(depth: int, dest: Array) -> list[Mark]:
    marks: list[Mark] = []
    for level in range(depth, 0, -1):
        marks = [Mark(f"Level {level}", {"Dest": dest}, marks)]
    return marks


@pytest.mark.parametrize("depth, bad", [(4, False), (5, True)])
def test_bookmark_depth(doc: pikepdf.Pdf, tmp_path: Path, depth: int, bad: bool) -> None:
    set_outline(doc, nested(depth, page_dest(doc, 0)), page_mode="/UseOutlines")
    found = only(check(doc, tmp_path), "PDF-NAV-DEPTH")
    assert bool(found) is bad
    if bad:
        assert found[0].severity is Severity.WARNING and "'Level 5'" in found[0].message


@pytest.mark.parametrize("mode, marks, bad", [(None, True, True), ("/UseNone", True, True),
                                              ("/UseOutlines", True, False), (None, False, False),
                                              ("/UseOutlines", False, True)])
def test_initial_view(doc: pikepdf.Pdf, tmp_path: Path, mode: str | None, marks: bool,
                      bad: bool) -> None:
    set_outline(doc, chapters(doc) if marks else [], page_mode=mode)
    found = only(check(doc, tmp_path), "PDF-VIEW")
    assert bool(found) is bad and all(f.severity is Severity.WARNING for f in found)


def test_outline_cycle_terminates(doc: pikepdf.Pdf, tmp_path: Path) -> None:
    set_outline(doc, chapters(doc), page_mode="/UseOutlines")
    doc.Root.Outlines.Last.Next = doc.Root.Outlines.First
    assert "PDF-NAV-DEST" not in rules(check(doc, tmp_path))


# -- fonts, text, title ----------------------------------------------------------


def form_page(pdf: pikepdf.Pdf, font: Dictionary, content: bytes) -> None:
    """Draw page 1 through a Form XObject that uses `font`."""
    form = pdf.make_stream(content, Type=Name.XObject, Subtype=Name.Form, BBox=[0, 0, 612, 792],
                           Resources=Dictionary(Font=Dictionary(F1=font)))
    page = pdf.pages[0].obj
    page.Resources = Dictionary(XObject=Dictionary(X1=form))
    page.Contents = pdf.make_stream(b"q /X1 Do Q")


def test_unembedded_standard_font(tmp_path: Path) -> None:
    [finding] = only(check(new_pdf(2, font="helvetica"), tmp_path), "PDF-FONT-EMB")
    assert "'Helvetica'" in finding.message and "page 1" in finding.message


def test_unembedded_font_inside_form_xobject(doc: pikepdf.Pdf, tmp_path: Path) -> None:
    form_page(doc, doc.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type1,
                                                BaseFont=Name("/Arial"))), text_content("x"))
    findings = check(doc, tmp_path)
    assert ["'Arial'" in f.message for f in only(findings, "PDF-FONT-EMB")] == [True]
    assert "PDF-TEXT" in rules(findings)  # Arial without encoding cannot map to Unicode


def test_subset_font_is_a_warning(doc: pikepdf.Pdf, tmp_path: Path) -> None:
    assert "PDF-FONT-FULL" not in rules(check(doc, tmp_path))
    form_page(doc, embedded_font(doc, base_font="ABCDEF+LiberationSerif"), text_content("x"))
    [finding] = only(check(doc, tmp_path), "PDF-FONT-FULL")
    assert finding.severity is Severity.WARNING and "ABCDEF+LiberationSerif" in finding.message


def test_text_inside_form_xobject_counts(doc: pikepdf.Pdf, tmp_path: Path) -> None:
    form_page(doc, embedded_font(doc), text_content("in a form"))
    assert "PDF-TEXT" not in rules(check(doc, tmp_path))


def test_no_text_anywhere_is_an_error(doc: pikepdf.Pdf, tmp_path: Path) -> None:
    for page in doc.pages:
        page.obj.Contents = doc.make_stream(b"0 0 1 rg 72 72 100 100 re f")
    [finding] = only(check(doc, tmp_path), "PDF-TEXT")
    assert finding.severity is Severity.ERROR and "no page contains text" in finding.message


def test_page_without_text_is_info(tmp_path: Path) -> None:
    pdf = new_pdf(4)
    for index in (1, 2):
        pdf.pages[index].obj.Contents = pdf.make_stream(b"72 72 100 100 re S")
    [finding] = only(check(pdf, tmp_path), "PDF-TEXT")
    assert finding.severity is Severity.INFO and "page(s) 2-3 have no text" in finding.message


def test_font_without_unicode_mapping(doc: pikepdf.Pdf, tmp_path: Path) -> None:
    form_page(doc, embedded_font(doc, base_font="Custom", encoding=None), text_content("x"))
    [finding] = only(check(doc, tmp_path), "PDF-TEXT")
    assert finding.severity is Severity.ERROR and "'Custom'" in finding.message


@pytest.mark.parametrize("title, bad", [("Module 2.3 QOS", False), ("  ", True), (None, True)])
def test_title_metadata(tmp_path: Path, title: str | None, bad: bool) -> None:
    assert ("PDF-META-TITLE" in rules(check(new_pdf(title=title), tmp_path))) is bad


def test_xmp_title_is_enough(tmp_path: Path) -> None:
    pdf = new_pdf(title=None)
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        meta["dc:title"] = "XMP only"
    assert "/Title" not in pdf.docinfo
    assert "PDF-META-TITLE" not in rules(check(pdf, tmp_path))


# -- PDF-PAGE / PDF-LIN ----------------------------------------------------------


@pytest.mark.parametrize("size, page_size, bad", [
    (LETTER, "letter", False), ((792, 612), "letter", False), ((612.8, 791.5), "letter", False),
    (A4, "letter", True), (A4, "A4", False), ((842, 595), "a4", False), (LETTER, "a4", True),
    ((614, 792), "letter", True), (A4, None, False),
])
def test_page_size(tmp_path: Path, size: tuple, page_size: str | None, bad: bool) -> None:
    findings = check(new_pdf(size=size), tmp_path, page_size=page_size)
    assert ("PDF-PAGE" in rules(findings)) is bad


def test_crop_box_must_match_too(doc: pikepdf.Pdf, tmp_path: Path) -> None:
    doc.pages[1].obj.CropBox = [0, 0, 500, 700]
    [finding] = only(check(doc, tmp_path, page_size="letter"), "PDF-PAGE")
    assert finding.message.startswith("page 2: CropBox")


def test_page_size_reports_first_five_and_a_count(tmp_path: Path) -> None:
    findings = only(check(new_pdf(8, size=A4), tmp_path, page_size="letter"), "PDF-PAGE")
    assert [f.message.split(":")[0] for f in findings[:5]] == [f"page {n}" for n in range(1, 6)]
    assert len(findings) == 6 and findings[5].message.startswith("3 more page(s)")


def test_unknown_page_size_is_a_usage_error(doc: pikepdf.Pdf, tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        check(doc, tmp_path, page_size="legal")


def test_linearized(doc: pikepdf.Pdf, tmp_path: Path) -> None:
    assert "PDF-LIN" in rules(check(doc, tmp_path))
    assert "PDF-LIN" not in rules(preflight(save(doc, tmp_path / "lin.pdf", linearize=True)))


def test_malformed_structures_do_not_raise(doc: pikepdf.Pdf, tmp_path: Path) -> None:
    doc.pages[0].obj.Annots = 5
    doc.Root.Outlines = Dictionary(First=7)
    doc.Root.Names = Dictionary(Dests=String("oops"))
    doc.pages[1].obj.Resources = Dictionary(Font=Array([1, 2]))
    assert rules(check(doc, tmp_path)) == {"PDF-LIN"}


def test_damaged_stream_is_reported_not_raised(doc: pikepdf.Pdf, tmp_path: Path) -> None:
    doc.pages[1].obj.Contents = doc.make_stream(b"\x00 not flate data", Filter=Name.FlateDecode)
    path = save(doc, tmp_path / "d.pdf", stream_decode_level=pikepdf.StreamDecodeLevel.none)
    [finding] = only(preflight(path), "PDF-TEXT")
    assert finding.severity is Severity.ERROR and "damaged" in finding.message


# -- a real WeasyPrint document ---------------------------------------------------


@pytest.fixture(scope="module")
def weasy_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    weasyprint = pytest.importorskip("weasyprint")
    sections = "".join(
        f"<h1 id='s{i}'>Section {i}</h1><h2>Part {i}.1</h2><p>{'Cell therapy text. ' * 60}</p>"
        f"<p><a href='#s1'>Back to section 1</a></p><div style='break-after: page'></div>"
        for i in range(1, 8))
    html = (f"<html><head><title>Quality overall summary</title><style>"
            f"@font-face {{ font-family: Body; src: url('{FONT_FILE.as_uri()}') }}"
            f"@page {{ size: letter; margin: 1in }} body {{ font-family: Body }}"
            f"</style></head><body>{sections}</body></html>")
    path = tmp_path_factory.mktemp("weasy") / "qos.pdf"
    weasyprint.HTML(string=html).write_pdf(path)
    return path


def test_raw_weasyprint_output(weasy_pdf: Path) -> None:
    findings = preflight(weasy_pdf, page_size="letter")
    assert len(pikepdf.open(weasy_pdf).pages) == 7
    assert not [f for f in findings if f.severity is Severity.ERROR]
    assert {(f.rule, f.severity) for f in findings} == {
        ("PDF-VIEW", Severity.WARNING), ("PDF-FONT-FULL", Severity.WARNING),
        ("PDF-LIN", Severity.INFO)}


def test_weasyprint_after_post_processing(weasy_pdf: Path, tmp_path: Path) -> None:
    with pikepdf.open(weasy_pdf) as pdf:
        pdf.Root.PageMode = Name.UseOutlines
        fixed = save(pdf, tmp_path / "fixed.pdf", force_version=None, linearize=True)
    assert rules(preflight(fixed, page_size="letter")) == {"PDF-FONT-FULL"}
