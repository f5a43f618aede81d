"""CLI contract: exit codes 0/1/2, finding format, no tracebacks, no partial output."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from dossier.cli import main
from tests.conftest import DATA, EXAMPLES

LINE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<sev>error|warning|info) (?P<rule>[A-Z0-9.-]+) ")


def run(capsys, *args: str) -> tuple[int, str, str]:
    sys.argv = ["dossier", *args]
    with pytest.raises(SystemExit) as exc:
        main()
    out, err = capsys.readouterr()
    code = exc.value.code if isinstance(exc.value.code, int) else (0 if exc.value.code is None else 2)
    return code, out, err


def test_version(capsys):
    code, out, _ = run(capsys, "--version")
    assert code == 0 and re.fullmatch(r"dossier \d+\.\d+\.\d+\n", out)


def test_check_incomplete_dossier_exits_1_with_located_findings(capsys):
    code, out, err = run(capsys, "check", str(DATA / "minimal.yaml"), "--target", "ind")
    assert code == 1
    lines = out.splitlines()
    assert lines and all(LINE.match(line) for line in lines)
    assert any(" IND-FORM-002 " in line and "21 CFR 312.23(a)(1)(iv)" in line for line in lines)
    assert "required items present" in err


def test_broken_yaml_exits_1_with_location(capsys, write, minimal_text):
    path = write(minimal_text.replace("  route: intravenous", "  route: [intravenous"))
    code, out, err = run(capsys, "check", str(path))
    assert code == 1
    m = LINE.match(out.splitlines()[0])
    assert m and m["rule"] == "YAML-SYNTAX" and m["file"] == str(path)
    assert "Traceback" not in out + err


def test_schema_error_exits_1_and_names_the_field(capsys, write, minimal_text):
    path = write(minimal_text.replace("origin: autologous", "origin: autologus"))
    code, out, _ = run(capsys, "check", str(path))
    assert code == 1 and "SCHEMA-VALUE" in out and "product.origin" in out


def test_missing_file_exits_2(capsys, tmp_path):
    code, out, err = run(capsys, "check", str(tmp_path / "nope.yaml"))
    assert code == 2 and "no such file" in err and out == ""


def test_bad_option_exits_2(capsys):
    code, _, err = run(capsys, "check", str(DATA / "minimal.yaml"), "--target", "bla")
    assert code == 2 and "bla" in err


def test_json_format_is_parseable(capsys):
    code, out, _ = run(capsys, "check", str(DATA / "minimal.yaml"), "--format", "json")
    doc = json.loads(out)
    assert code == 1 and doc["version"] == 1 and doc["status"] == "fail"
    assert {r["target"] for r in doc["readiness"]} == {"ind", "impd"}
    first = doc["findings"][0]
    assert {"rule", "severity", "file", "line", "column", "path", "message", "citation"} <= set(first)


def test_build_refuses_incomplete_dossier_without_draft_and_writes_nothing(capsys, tmp_path):
    out_pdf = tmp_path / "ind.pdf"
    code, out, err = run(capsys, "build", str(DATA / "minimal.yaml"), "--target", "ind", "-o", str(out_pdf))
    assert code == 1 and not out_pdf.exists()
    assert "--draft" in err
    assert list(tmp_path.iterdir()) == []


def test_build_refuses_to_overwrite_its_input(capsys, write, minimal_text):
    path = write(minimal_text)
    before = path.read_bytes()
    code, _, err = run(capsys, "build", str(path), "--target", "ind", "--draft", "--format", "html", "-o", str(path))
    assert code == 2 and "input" in err
    assert path.read_bytes() == before


def test_build_into_missing_folder_exits_2(capsys, tmp_path):
    code, _, err = run(capsys, "build", str(DATA / "minimal.yaml"), "--target", "ind", "--draft", "--format", "html", "-o", str(tmp_path / "no" / "x.html"))
    assert code == 2 and "does not exist" in err


def test_unknown_section_exits_2_with_suggestion(capsys, tmp_path):
    code, _, err = run(capsys, "build", str(DATA / "minimal.yaml"), "--target", "ind", "--draft", "--format", "html", "--section", "3.2.P.55", "-o", str(tmp_path / "x.html"))
    assert code == 2 and "3.2.P.5" in err


def test_draft_html_marks_missing_items(capsys, tmp_path):
    out = tmp_path / "draft.html"
    code, _, err = run(capsys, "build", str(DATA / "minimal.yaml"), "--target", "ind", "--draft", "--format", "html", "-o", str(out))
    assert code == 0, err
    html = out.read_text()
    assert html.count('class="placeholder"') >= 20
    assert "us.commitments.irb_review" in html
    assert 'class="draft-mark"' in html


def test_default_output_is_beside_the_input(capsys, write, minimal_text):
    path = write(minimal_text)
    code, _, err = run(capsys, "build", str(path), "--target", "impd", "--draft", "--format", "html")
    assert code == 0, err
    assert (path.parent / "ex-101-impd-draft.html").is_file()


def test_schema_command_writes_json_schema(capsys, tmp_path):
    target = tmp_path / "dossier.schema.json"
    code, _, _ = run(capsys, "schema", "-o", str(target))
    schema = json.loads(target.read_text())
    assert code == 0
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert schema["additionalProperties"] is False
    assert {"submission", "sponsor", "product", "quality", "nonclinical", "clinical"} <= set(schema["properties"])


def test_sections_lists_ids_and_aliases(capsys):
    code, out, _ = run(capsys, "sections", "--target", "ind")
    assert code == 0 and "3.2.P.5.1" in out and "312.23(a)(7)" in out


def test_internal_errors_exit_2_without_traceback(tmp_path):
    """Run as a real process: an unexpected exception becomes a one-line message and exit 2."""
    code = "import dossier.api as a\ndef boom(*x, **k): raise RuntimeError('kaboom')\na.check = boom\nfrom dossier.cli import main\nimport sys\nsys.argv=['dossier','check','x.yaml']\nmain()\n"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, env={"PATH": "/usr/bin:/bin"})
    assert proc.returncode == 2
    assert "internal error" in proc.stderr and "kaboom" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_preflight_command_on_a_non_pdf(capsys, write):
    path = write("not a pdf", name="x.pdf")
    code, out, _ = run(capsys, "preflight", str(path))
    assert code == 1 and "PDF-OPEN" in out


def test_build_treats_its_own_preflight_failure_as_a_bug(capsys, tmp_path, monkeypatch):
    """A PDF failing preflight is never moved into place; the tool exits 2."""
    import dossier.preflight as pf
    from dossier.findings import Finding, Location, Severity

    monkeypatch.setattr(pf, "preflight", lambda path, page_size=None, bounded=True: [Finding(Location(str(path)), Severity.ERROR, "PDF-FONT-EMB", "font X not embedded")])
    out = tmp_path / "x.pdf"
    code, _, err = run(capsys, "build", str(DATA / "minimal.yaml"), "--target", "ind", "--draft", "-o", str(out))
    assert code == 2 and "PDF-FONT-EMB" in err and "bug" in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("args", [["check", str(DATA / "minimal.yaml"), "--format", "json"], ["--help"], ["build", "--help"]], ids=["check", "help", "build-help"])
def test_check_never_imports_the_rendering_stack(args):
    """Nor the progress bar (rich): check and --help stay fast."""
    code = (
        "import sys, io, contextlib\n"
        "from dossier.cli import main\n"
        f"sys.argv=['dossier',*{args!r}]\n"
        "try:\n"
        "    with contextlib.redirect_stdout(io.StringIO()): main()\n"
        "except SystemExit: pass\n"
        "print(sorted(m for m in ('weasyprint','jinja2','pikepdf','markdown_it','rich') if m in sys.modules))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "[]"


def test_a_draft_build_is_quiet_and_verbose_lists_the_findings(capsys, tmp_path):
    """Issue 13: stdout stays clean; stderr has the readiness and the count, findings only with --verbose."""
    args = ["build", str(DATA / "minimal.yaml"), "--target", "ind", "--draft", "--format", "html", "-o", str(tmp_path / "d.html")]
    code, out, err = run(capsys, *args)
    assert code == 0 and out == ""
    assert re.search(r"^ind: \d+/\d+ required items present", err, re.M) and "error(s)" in err
    assert not [line for line in err.splitlines() if LINE.match(line)]
    code, out, err = run(capsys, *args, "--verbose")
    assert code == 0 and out == ""
    assert len([line for line in err.splitlines() if LINE.match(line)]) > 50


def test_a_refused_build_shows_its_first_errors_on_stderr(capsys, tmp_path):
    code, out, err = run(capsys, "build", str(DATA / "minimal.yaml"), "--target", "ind", "-o", str(tmp_path / "x.pdf"))
    located = [line for line in err.splitlines() if LINE.match(line)]
    assert code == 1 and out == "" and len(located) == 20 and all(" error " in line for line in located)
    assert "more error(s): dossier check" in err and "not built (use --draft" in err


def test_check_ends_quickly_with_its_whole_report_and_exit_code(tmp_path, minimal_text):
    """`dossier check` skips the interpreter's teardown (cli.run): the report must still be
    complete on a pipe and the exit code the findings'."""
    import json

    clean = subprocess.run([sys.executable, "-m", "dossier", "check", str(EXAMPLES / "car-t"), "--format", "json"], capture_output=True, text=True, timeout=120)
    assert clean.returncode == 0 and json.loads(clean.stdout)["status"] == "pass"
    broken = tmp_path / "dossier.yaml"
    broken.write_text(minimal_text.replace("product:", "product:\n  nonsense_field: 1", 1), encoding="utf-8")
    failing = subprocess.run([sys.executable, "-m", "dossier", "check", str(broken), "--format", "json"], capture_output=True, text=True, timeout=120)
    assert failing.returncode == 1 and json.loads(failing.stdout)["status"] == "fail"
