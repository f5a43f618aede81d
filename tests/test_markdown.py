"""Issue 17: narrative Markdown is a documented subset in which text stays text — a line that
starts with `>`, `#`, `+`, a number and `)` or `---` is printed as written, never turned into a
quotation, heading, list or rule; `^...^` and `~...~` are superscript and subscript."""

from __future__ import annotations

import re
import shutil

import pypdf
import pytest
import yaml

from dossier import api
from dossier.render.markdown import render_markdown
from tests.conftest import EXAMPLES

# Each line as a writer wraps it inside a sentence or a list item, and what it must read as.
LITERAL_LINES = [
    "ALT/AST\n> 3 × ULN with total bilirubin > 2 × ULN",
    "Criteria:\n# of subjects with a DLT must be 0 of 3",
    "The change was\n+ 5 % over baseline",
    "Sites were listed:\n1) Hannover, 2) Leiden",
    "Release testing\n---",
    "Release testing\n===",
    "Reference [1]\n[1]: http://example.org/report",
    "Copyright &copy; and <b>bold</b>",
]
STRUCTURE = re.compile(r"<(blockquote|h[1-6]|hr|ol|pre|code|img)\b")


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&gt;", ">").replace("&lt;", "<").replace("&amp;", "&").strip()


@pytest.mark.parametrize("line", LITERAL_LINES)
def test_a_line_that_looks_like_markup_stays_text(line):
    for text in (line, f"- first item\n- {line.replace(chr(10), chr(10) + '  ')}"):
        html = str(render_markdown(text))
        assert not STRUCTURE.search(html), html
        words = _text(html)
        assert " ".join(line.split()) in words, (words, line)


def test_the_subset_keeps_what_writers_use():
    html = str(render_markdown("Para with *emphasis*, **strong**, `code` and [a link](https://example.org).\n\n- one\n- two\n\n1. first\n2. second\n\n| a | b |\n|---|---|\n| 1 | 2 |"))
    for tag in ("<em>", "<strong>", "<code>", '<a href="https://example.org">', "<ul>", "<ol>", "<table>"):
        assert tag in html
    assert '<a href="javascript' not in str(render_markdown("[x](javascript:alert(1))"))


def test_superscript_and_subscript():
    html = str(render_markdown("NSG (NOD.Cg-Prkdc^scid^ Il2rg^tm1Wjl^/SzJ) mice, H~2~O, 10^6^ cells/cm^2^; x ^ y and a ~ b stay"))
    assert "Prkdc<sup>scid</sup>" in html and "Il2rg<sup>tm1Wjl</sup>/SzJ" in html
    assert "H<sub>2</sub>O" in html and "10<sup>6</sup> cells/cm<sup>2</sup>" in html
    assert "x ^ y and a ~ b stay" in html


@pytest.fixture
def aav(tmp_path):
    folder = tmp_path / "aav"
    shutil.copytree(EXAMPLES / "aav", folder)
    return folder / "dossier.yaml"


def test_every_narrative_kind_prints_the_line_as_written(aav, tmp_path):
    """The same risky text in a shared Markdown field, in a per-region field and in a field that
    may be not applicable, rendered in the IND."""
    risky = "Stop if ALT/AST\n> 3 × ULN; # of events\n+ 5 %; 1) first\n---"
    data = yaml.safe_load(aav.read_text(encoding="utf-8"))
    protocol = data["clinical"]["protocols"][0]
    protocol["safety_monitoring"] = "Shared: " + risky  # Markdown
    protocol["statistics"] = {"us": "Regional: " + risky, "eu": "EU text."}  # Narrative given per region
    protocol["observations"] = "Narrative: " + risky  # Narrative
    aav.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "ind.html"
    api.build(aav, "ind", output=out, fmt="html", section="5.3.5.2")
    html = out.read_text(encoding="utf-8")
    words = _text(html)
    for kind in ("Shared", "Regional", "Narrative"):
        assert f"{kind}: Stop if ALT/AST > 3 × ULN; # of events + 5 %; 1) first ---" in words, kind
    assert "<blockquote" not in html and "<hr" not in html


def test_the_pdf_keeps_the_dlt_criterion_as_written(aav, tmp_path):
    """The defect the review found: '> 3 × ULN' at the start of a wrapped line lost its '>'."""
    out = tmp_path / "protocol.pdf"
    api.build(aav, "ind", output=out, section="5.3.5.2")
    text = " ".join(" ".join(page.extract_text() for page in pypdf.PdfReader(out).pages).split())
    assert "ALT/AST > 3 × ULN with total bilirubin > 2 × ULN" in text


def test_strain_names_in_short_fields_show_superscripts(tmp_path):
    """Species and glossary entries are short text fields, not narratives, but a strain name is
    written there: its ^...^ are superscripts in both documents, and nothing else is markup."""
    for target in ("ind", "impd"):
        out = tmp_path / f"{target}.html"
        api.build(EXAMPLES / "car-t", target, output=out, fmt="html")
        html = out.read_text(encoding="utf-8")
        assert "NOD.Cg-Prkdc<sup>scid</sup> Il2rg<sup>tm1Wjl</sup>/SzJ" in html, target
        assert "^scid" not in html, target
