"""Hostile input and faithful output: every bad input a clear, located finding; nothing leaks."""

from __future__ import annotations

import errno
import json
import os

import pytest

from dossier import api
from dossier.io.yamlsource import load_text
from dossier.validate import validate
from tests.conftest import DATA, EXAMPLES
from tests.test_cli import run


def check_text(text: str):
    r = load_text(text, "d.yaml")
    if any(f.severity.name == "ERROR" for f in r.findings):
        return None, r.findings
    d, findings = validate(r.data, r.source_map)
    return d, r.findings + findings


# --- YAML 1.1 typing cannot silently change meaning ---------------------------------------


@pytest.mark.parametrize("word", ["yes", "no", "on", "off", "NO", "y"])
def test_yaml11_booleans_are_refused_not_guessed(minimal_text, word):
    d, findings = check_text(minimal_text.replace("  route: intravenous", f"  route: intravenous\n  contains_gmo: {word}"))
    assert d is None
    f = next(f for f in findings if f.path == "product.contains_gmo")
    assert "true or false" in f.message and f.location.line > 1


def test_yaml12_booleans_are_accepted(minimal_text):
    d, _ = check_text(minimal_text.replace("  route: intravenous", "  route: intravenous\n  contains_gmo: True"))
    assert d.product.contains_gmo is True


def test_version_like_numbers_and_dates_stay_text(minimal_text):
    text = minimal_text.replace('  phases: ["1"]', '  phases: ["1"]\n  document_version: 1.10').replace("  code: EX-101", "  code: 2024-01-05")
    d, findings = check_text(text)
    assert findings == []
    assert d.submission.document_version == "1.10" and d.product.code == "2024-01-05"


# --- limits -------------------------------------------------------------------------------


def test_very_long_value_is_refused_with_location():
    r = load_text("a: " + "x" * 200_001 + "\n", "d.yaml")
    assert [f.rule for f in r.findings] == ["YAML-LONG"] and r.findings[0].location.line == 1


def test_bidi_controls_and_zero_width_characters_are_flagged():
    r = load_text("lot: LOT\u202e21\nname: Ex\u200bample\n", "d.yaml")
    rules = [(f.rule, f.severity.name, f.path) for f in r.findings]
    assert rules == [("YAML-INVISIBLE", "ERROR", "lot"), ("YAML-INVISIBLE", "WARNING", "name")]


def test_identifiers_reject_lookalike_and_combining_characters(minimal_text):
    text = minimal_text + "quality:\n  lots:\n    - {id: \"LOT\u0301-1\", material: drug_product, process_version: '1', uses: [clinical]}\n"
    d, findings = check_text(text)
    assert d is None and any(f.path == "quality.lots[0].id" for f in findings)


# --- markup in user text is shown, never executed or fetched -------------------------------

HOSTILE = (
    '<script>alert(1)</script> <img src="file:///etc/passwd"> <link rel="attachment" href="file:///etc/hostname">\n'
    '<link href="http://169.254.169.254/latest/meta-data/"> <style>body{background:url(file:///etc/passwd)}</style>\n'
    "[a link](file:///etc/passwd) [js](javascript:alert(1)) ![img](data:image/png;base64,AAAA) {{ 7*7 }} {% raw %}\n"
)


@pytest.fixture
def hostile_dossier(tmp_path, minimal_text):
    path = tmp_path / "dossier.yaml"
    block = "".join("    " + line + "\n" for line in HOSTILE.splitlines())
    path.write_text(minimal_text + "clinical:\n  previous_human_experience: |\n" + block, encoding="utf-8")
    return path


def test_markup_is_escaped_in_html(hostile_dossier, tmp_path):
    out = tmp_path / "x.html"
    api.build(hostile_dossier, "impd", output=out, fmt="html", draft=True)
    html = out.read_text()
    body = html.split("</style>", 1)[1]  # after the tool's own stylesheet
    for tag in ("<script", "<img", "<link", "<style"):
        assert tag not in body, tag
    assert "&lt;script&gt;" in body and "{{ 7*7 }}" in body and "{% raw %}" in body
    assert 'href="file:' not in body and 'href="javascript:' not in body


def test_hostile_text_renders_to_a_pdf_without_attachments_or_foreign_links(hostile_dossier, tmp_path):
    import pikepdf

    out = tmp_path / "x.pdf"
    result = api.build(hostile_dossier, "impd", output=out, draft=True)
    assert result.output == out
    with pikepdf.open(out) as pdf:
        assert "/EmbeddedFiles" not in pdf.Root.get("/Names", {})
        for page in pdf.pages:
            for annot in page.get("/Annots", []):
                uri = str(annot.get("/A", {}).get("/URI", ""))
                assert not uri or uri.startswith(("http://", "https://")), uri


@pytest.mark.parametrize("url", ["file:///etc/passwd", "http://169.254.169.254/", "https://example.org/x.css", "data:text/css,body{}", "file:///work/../etc/hostname"])
def test_render_fetcher_refuses_everything_outside_the_bundle(url):
    from weasyprint.urls import FatalURLFetchingError

    from dossier.render.pdf import SandboxFetcher
    from dossier.resources import templates_dir

    fetcher = SandboxFetcher([templates_dir()])
    with pytest.raises(FatalURLFetchingError):
        fetcher.fetch(url)


def test_render_fetcher_serves_bundled_fonts():
    from dossier.render.pdf import SandboxFetcher
    from dossier.resources import templates_dir

    font = templates_dir() / "_base" / "fonts" / "LiberationSerif-Regular.ttf"
    response = SandboxFetcher([templates_dir()]).fetch(font.as_uri())
    assert response is not None


def test_templates_are_sandboxed():
    from jinja2.exceptions import SecurityError

    from dossier.render.env import make_env

    env = make_env()
    with pytest.raises(SecurityError):
        env.from_string("{{ x.__class__.__mro__ }}").render(x=1)


# --- output: atomic, never the input, failures leave nothing half-written -------------------


def test_unwritable_target_exits_2(capsys):
    code, _, err = run(capsys, "build", str(DATA / "minimal.yaml"), "--target", "ind", "--draft", "--format", "html", "-o", "/proc/dossier-test.html")
    assert code == 2 and "cannot write" in err and "Traceback" not in err


def test_disk_full_leaves_previous_output_intact(capsys, tmp_path, monkeypatch):
    out = tmp_path / "x.html"
    out.write_text("previous good output")

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    code, _, err = run(capsys, "build", str(DATA / "minimal.yaml"), "--target", "ind", "--draft", "--format", "html", "-o", str(out))
    assert code == 2 and "No space left" in err
    assert out.read_text() == "previous good output"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.html"]


def test_input_is_never_modified(tmp_path, minimal_text):
    src = tmp_path / "dossier.yaml"
    src.write_text(minimal_text, encoding="utf-8")
    before = (src.read_bytes(), src.stat().st_mtime_ns)
    api.build(src, "ind", fmt="html", draft=True)
    api.check(src)
    assert (src.read_bytes(), src.stat().st_mtime_ns) == before


# --- faithful output --------------------------------------------------------------------


def test_html_is_byte_identical_across_builds(tmp_path):
    a, b = tmp_path / "a.html", tmp_path / "b.html"
    api.build(EXAMPLES / "aav" / "dossier.yaml", "impd", output=a, fmt="html")
    api.build(EXAMPLES / "aav" / "dossier.yaml", "impd", output=b, fmt="html")
    assert a.read_bytes() == b.read_bytes()


def test_manifest_traces_output_to_input(tmp_path):
    import hashlib

    out = tmp_path / "ind.html"
    result = api.build(EXAMPLES / "car-t" / "dossier.yaml", "ind", output=out, fmt="html")
    manifest = json.loads(result.manifest.read_text())
    src = EXAMPLES / "car-t" / "dossier.yaml"
    root = manifest["inputs"][0]
    assert (out.parent / root["path"]).resolve() == src.resolve() and root["role"] == "dossier"
    assert root["sha256"] == hashlib.sha256(src.read_bytes()).hexdigest()
    # the example is split: every included file is an input too
    included = sorted((out.parent / e["path"]).resolve() for e in manifest["inputs"] if e["role"] == "include")
    assert included == sorted(p.resolve() for p in src.parent.rglob("*.yaml") if p != src)
    attached = sorted((out.parent / e["path"]).resolve() for e in manifest["inputs"] if e["role"] == "attachment")
    assert attached == sorted(p.resolve() for p in src.parent.rglob("*.pdf"))
    assert manifest["outputs"][0]["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert manifest["document_date"] == "2026-11-02" and manifest["target"] == "ind"
    assert len(manifest["templates_sha256"]) == 64
