"""Issue 17: no content is lost off the page — a long unbreakable token (a sequence, a URL) wraps
inside its line or table cell with its text unchanged, and a layout that would still put text
past the right margin is refused rather than written."""

from __future__ import annotations

import shutil

import pypdf
import pytest
import yaml

from dossier import api
from dossier.errors import RenderError
from dossier.render.html import LONG_TOKEN, breakable_long_tokens
from dossier.render.pdf import render_raw
from tests.conftest import EXAMPLES
from tests.golden.snapshot import example_names

SEQUENCE = "ATGC" * 100  # 400 nucleotides, no break opportunity
URL = "https://example.org/" + "vector-map/" * 12 + "LV-KBT19.gb"


def _text(pdf_path) -> str:
    return "".join("".join(page.extract_text().split()) for page in pypdf.PdfReader(pdf_path).pages)


def test_only_long_tokens_of_the_text_become_breakable():
    html = f'<html><head><title>{SEQUENCE}</title><style>p {{ color: red }}</style></head><body><p class="x">short words KBT-NC-001 {SEQUENCE}</p><a href="{URL}">{URL}</a></body></html>'
    out = breakable_long_tokens(html)
    assert out.count('<span class="tok">') == 2  # the sequence and the link text; not the title, not the href
    assert f"<title>{SEQUENCE}</title>" in out and f'href="{URL}"' in out
    assert "KBT-NC-001 <span" in out
    assert breakable_long_tokens("<html><head></head><body><p>" + "x" * (LONG_TOKEN - 1) + "</p></body></html>").count("tok") == 0


def test_a_sequence_and_a_url_stay_on_the_page_in_text_and_tables(tmp_path):
    folder = tmp_path / "aav"
    shutil.copytree(EXAMPLES / "aav", folder)
    path = folder / "dossier.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    protocol = data["clinical"]["protocols"][0]
    protocol["observations"] = f"Primer sequence {SEQUENCE} and the map at {URL}.\n\n| Element | Sequence |\n|---|---|\n| ITR | {SEQUENCE} |\n"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "protocol.pdf"
    api.build(path, "ind", output=out, section="5.3.5.2")
    text = _text(out)
    assert text.count(SEQUENCE) == 2, "each copy of the sequence is on the page, whole and in order"
    assert URL in text
    # every piece of it lies inside the page's right margin (word boxes from poppler's pdftotext)
    import re
    import subprocess

    bbox = subprocess.run(["pdftotext", "-bbox", str(out), "-"], check=True, capture_output=True, text=True).stdout
    width = float(re.search(r'<page width="([\d.]+)"', bbox).group(1))
    pieces = [(float(x1), w) for x1, w in re.findall(r'<word xMin="[\d.]+" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', bbox) if "ATGCATGC" in w]
    assert pieces and all(x1 <= width - 36 for x1, _ in pieces), max(pieces)


def test_text_past_the_right_margin_is_refused_not_written():
    html = '<html><head><style>@page { size: A4; margin: 20mm }</style></head><body><p style="white-space: nowrap">' + "word " * 200 + "</p></body></html>"
    with pytest.raises(RenderError, match="past the right margin"):
        render_raw(html)
    assert render_raw(html.replace("white-space: nowrap", "")).startswith(b"%PDF")


def _broken_within(token: str, words: list[str]) -> bool:
    """`token` (a piece of a laid-out line) is a whole word of `words`, or a piece of one cut
    only after a hyphen, slash or dash (where a line may break); else the word was broken in the middle."""
    breaks = ("-", "/", "–", "—")
    for word in words:
        if token == word:
            return False
        at = word.find(token)
        while at != -1:
            start_ok = at == 0 or word[at - 1] in breaks
            end = at + len(token)
            end_ok = end == len(word) or token.endswith(breaks)
            if start_ok and end_ok:
                return False
            at = word.find(token, at + 1)
    return True


def _layout_problems(html: str) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """(stranded, broken): each heading or lead-in that is the last text of its page, and each
    table header cell whose words were broken in the middle, as (page, text)."""
    from weasyprint import HTML
    from weasyprint.formatting_structure import boxes

    from dossier.resources import templates_dir

    document = HTML(string=html, base_url=str(templates_dir() / "_base") + "/").render()
    stranded, broken = [], []
    for number, page in enumerate(document.pages, start=1):
        last = None

        def text_of(box) -> str:
            if isinstance(box, boxes.TextBox):
                return box.text
            return "".join(text_of(c) for c in getattr(box, "children", []) or [])

        def walk(box, owner, header):
            nonlocal last
            if isinstance(box, boxes.MarginBox):
                return
            tag = getattr(box, "element_tag", None)
            element = getattr(box, "element", None)
            if tag in ("h1", "h2", "h3", "h4", "h5", "h6") or (tag == "p" and element is not None and "lead" in (element.get("class") or "")):
                owner = box
            if tag == "th" and element is not None and header is None:
                header = " ".join("".join(element.itertext()).split()).split()
            if isinstance(box, boxes.LineBox) and header is not None:
                for token in text_of(box).split():
                    if _broken_within(token, header):
                        broken.append((number, f"{token!r} of {' '.join(header)!r}"))
            if isinstance(box, boxes.TextBox) and box.text.strip():
                last = (owner, box.text)
            for child in getattr(box, "children", []) or []:
                walk(child, owner, header)

        walk(page._page_box, None, None)
        if last and last[0] is not None and number < len(document.pages):
            stranded.append((number, last[1]))
    return stranded, broken


def _stranded(html: str) -> list[tuple[int, str]]:
    return _layout_problems(html)[0]


def test_a_broken_header_word_is_found_and_a_hyphen_break_is_not():
    assert _broken_within("Screeni", ["Screening"]) and _broken_within("ng", ["Screening"])
    assert not _broken_within("KBT19-", ["KBT19-ENG-2511"]) and not _broken_within("ENG-2511", ["KBT19-ENG-2511"])
    assert not _broken_within("Month", ["Month", "2"]) and not _broken_within("Mobilisation/", ["Mobilisation/apheresis"])
    narrow = '<html><head><style>@page { size: A4; margin: 20mm } th { width: 1em; overflow-wrap: anywhere }</style></head><body><table><tr><th>Screening</th></tr></table></body></html>'
    assert _layout_problems(narrow)[1]


@pytest.mark.parametrize("name", example_names())
@pytest.mark.parametrize("target", ["ind", "impd"])
def test_no_heading_ends_a_page_and_no_header_word_is_broken(name, target, tmp_path):
    """Issue 17's layout rules on every bundled example: no heading or lead-in is the last text
    of a page, and no table header breaks a word in the middle."""
    out = tmp_path / "doc.html"
    api.build(EXAMPLES / name, target, output=out, fmt="html")
    stranded, broken = _layout_problems(out.read_text(encoding="utf-8"))
    assert stranded == [] and broken == []


def test_a_table_too_wide_for_the_page_is_laid_out_again_with_breakable_words():
    """Twelve columns of 16-letter words do not fit a portrait page: the table (and only it) is
    laid out again with its cells allowed to break inside words, so nothing is cut off."""
    words = "Pharmacokinetics"
    row = "".join(f"<td>{words}</td>" for _ in range(12))
    table = f'<table data-t="1"><tr>{row}</tr></table><table data-t="2"><tr><td>short</td></tr></table>'
    html = f'<html><head><style>@page {{ size: A4; margin: 20mm }} body {{ font: 10pt serif }} table[data-tight] td {{ overflow-wrap: anywhere; }}</style></head><body>{table}</body></html>'
    from weasyprint import HTML

    from dossier.render.pdf import overflowing, tighten

    assert {t for _, _, t in overflowing(HTML(string=html).render())} == {"1"}
    assert 'data-t="1" data-tight=""' in tighten(html, {"1"}) and 'data-t="2" data-tight' not in tighten(html, {"1"})
    pdf = render_raw(html)
    assert pdf.startswith(b"%PDF")
