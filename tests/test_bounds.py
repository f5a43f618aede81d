"""Issue 19: bounded on every path. Each input that could make the tool crash, hang or take
unbounded memory gets one located finding naming the limit; reports are deterministic."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pikepdf
import pytest

from dossier import api, attachments
from dossier.io import yamlsource
from dossier.preflight import limits, preflight
from tests.conftest import EXAMPLES
from tests.pdf_factory import new_pdf, save

DOSSIER = [sys.executable, "-c", "from dossier.cli import main; main()"]


def dossier(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*DOSSIER, *args], cwd=cwd, capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=120)


# --- decompression bomb -----------------------------------------------------------------


@pytest.fixture(scope="session")
def bomb(tmp_path_factory) -> Path:
    """A 1.2 MB PDF whose page content inflates to 1 GiB ('q Q' repeated: a valid content stream)."""
    z = zlib.compressobj(9)
    piece = b"q Q\n" * (1 << 18)  # 1 MiB
    data = b"".join([z.compress(piece) for _ in range(1024)] + [z.flush()])
    pdf = new_pdf(1)
    stream = pikepdf.Stream(pdf, b"")
    stream.write(data, filter=pikepdf.Name.FlateDecode)
    pdf.pages[0].obj.Contents = pdf.make_indirect(stream)
    return save(pdf, tmp_path_factory.mktemp("bomb") / "bomb.pdf")


def test_inflated_size_stops_counting_at_the_cap():
    raw = zlib.compress(b"\0" * (8 << 20))
    assert limits.inflated_size(raw, 1 << 30) == 8 << 20
    assert (1 << 20) < limits.inflated_size(raw, 1 << 20) <= (1 << 20) + (1 << 20)
    assert limits.inflated_size(raw[: len(raw) // 2] + b"garbage", 1 << 30) < 8 << 20  # damaged: what inflated


def test_preflight_refuses_a_decompression_bomb(bomb):
    [f] = preflight(bomb)
    assert f.rule == "PDF-SIZE" and "64 MiB" in f.message and "refused" in f.message


def test_an_attached_bomb_is_refused_and_nothing_else_is_read_from_it(tmp_path, bomb):
    root = tmp_path / "k"
    shutil.copytree(EXAMPLES / "car-t", root)
    shutil.copyfile(bomb, root / "documents" / "kbt-1901-ib.pdf")
    loaded = api.load(root)
    [f] = [f for f in loaded.findings if f.rule.startswith("ATT-")]
    assert f.rule == "ATT-PDF" and "(PDF-SIZE)" in f.message and f.path == "clinical.investigators_brochure.document.file"
    files = {a.file for a in loaded.attachments}
    assert "documents/kbt-1901-ib.pdf" not in files and {"../documents/kbt-rpt-nc-004.pdf", "../documents/kbt19-101-protocol.pdf"} <= files
    result = api.build(root, "ind", output=tmp_path / "ind.pdf")
    assert result.output is None and not (tmp_path / "ind.pdf").exists()


def _allocate(n: int) -> int:
    return len(bytearray(n))


def _sleep(seconds: float) -> str:
    time.sleep(seconds)
    return "woke"


def _fail() -> None:
    raise ValueError("a bug")


def test_run_bounded_returns_the_result_or_names_the_limit():
    assert limits.run_bounded(_allocate, 10 << 20) == 10 << 20
    with pytest.raises(limits.Exceeded) as exc:
        limits.run_bounded(_allocate, 3 << 30, memory=512 << 20)
    assert exc.value.kind == "memory" and "MiB of memory" in limits.describe(exc.value)
    with pytest.raises(limits.Exceeded) as exc:
        limits.run_bounded(_sleep, 30, seconds=0.5)
    assert exc.value.kind == "time" and "longer than" in limits.describe(exc.value)
    with pytest.raises(RuntimeError, match="ValueError: a bug"):
        limits.run_bounded(_fail)


# --- attachment limits: reported once, at the attachment that exceeds them ----------------


@pytest.fixture
def example(tmp_path) -> Path:
    shutil.copytree(EXAMPLES / "car-t", tmp_path / "k")
    return tmp_path / "k"


@pytest.mark.parametrize(
    ("name", "value", "words", "count"),
    [
        ("MAX_PAGES", 6, "pages together", 1),
        ("MAX_FILES", 1, "more than 1 attached PDFs", 1),
        ("MAX_TOTAL_BYTES", 30_000, "bytes together", 1),
        ("MAX_FILE_BYTES", 1_000, "bytes per attached PDF", None),  # per file: each attached file its own finding
    ],
)
def test_attachment_limits_are_named_once(example, monkeypatch, name, value, words, count):
    """A dossier-wide limit is one finding, at the attachment that crosses it; nothing after it is read."""
    monkeypatch.setattr(attachments, name, value)
    loaded = api.load(example)
    limited = [f for f in loaded.findings if f.rule == "ATT-LIMIT"]
    if count is None:
        from dossier.attachments import collect

        count = len(collect(loaded.dossier))
    assert len(limited) == count and all(words in f.message and f.path.endswith(".file") for f in limited), limited
    assert not [f for f in loaded.findings if f.rule == "ATT-PDF"]


# --- YAML limits -------------------------------------------------------------------------


def test_100000_nested_brackets_give_a_depth_error_without_crashing(tmp_path):
    (tmp_path / "deep.yaml").write_text("[" * 100_000 + "\n")
    proc = dossier("check", "deep.yaml", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.startswith(f"deep.yaml:1:{yamlsource.MAX_DEPTH + 2}: error YAML-DEPTH")


def test_deep_block_nesting_is_cut_at_the_limit_too():
    text = "".join(" " * i + f"k{i}:\n" for i in range(200)) + " " * 200 + "x\n"
    r = yamlsource.load_text(text, "d.yaml")
    assert [f.rule for f in r.findings] == ["YAML-DEPTH"] and r.findings[0].location.line == yamlsource.MAX_DEPTH + 2  # as for brackets: root + 64 levels


def test_a_limit_on_files_is_reported_once_and_named(tmp_path, monkeypatch):
    monkeypatch.setattr(yamlsource, "MAX_INCLUDES", 20)
    parts = tmp_path / "parts"
    parts.mkdir()
    for i in range(30):
        (parts / f"p{i}.yaml").write_text(f"value: {i}\n")
    (tmp_path / "dossier.yaml").write_text("items:\n" + "".join(f"  - {{include: parts/p{i}.yaml}}\n" for i in range(30)))
    r = yamlsource.load_file(tmp_path / "dossier.yaml", includes=True)
    assert [f.rule for f in r.findings] == ["YAML-SIZE"]
    assert "more than 20 YAML files" in r.findings[0].message and "p19.yaml" in r.findings[0].message


def test_a_list_longer_than_the_limit_is_one_finding():
    text = "lots:\n" + "".join(f"  - id: L{i}\n" for i in range(yamlsource.MAX_ITEMS + 1))
    r = yamlsource.load_text(text, "d.yaml")
    [f] = r.findings
    assert f.rule == "YAML-SIZE" and f"limit is {yamlsource.MAX_ITEMS:,} per list" in f.message and f.path == "lots"


def test_a_dossier_with_too_many_values_is_cut_once(monkeypatch):
    monkeypatch.setattr(yamlsource, "MAX_NODES", 50)
    text = "".join(f"k{i}: v\n" for i in range(100))
    r = yamlsource.load_text(text, "d.yaml")
    assert [f.rule for f in r.findings] == ["YAML-SIZE"] and "more than 50 values" in r.findings[0].message


# --- syntax errors where the construct began ---------------------------------------------


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("a: 1\nb: 2\nc: 3\nd: [1, 2\n# c\n# c\n# c\n# c\n# c\ne: 5\n", (4, 4)),
        ("a:\n  b: {x: 1\n\n\nc: 2\n", (2, 6)),
        ("a: 'unclosed\nb: 2\n\n", (1, 4)),
    ],
)
def test_an_unclosed_construct_is_reported_where_it_opens(text, where):
    [f] = yamlsource.load_text(text, "d.yaml").findings
    assert f.rule == "YAML-SYNTAX" and (f.location.line, f.location.column) == where
    assert "never closed" in f.message and "at line" in f.message  # where the parser stopped, too


def test_a_second_document_is_an_error():
    [f] = yamlsource.load_text("a: 1\n---\nb: 2\n", "d.yaml").findings
    assert f.rule == "YAML-SYNTAX" and f.location.line == 2 and "second YAML document" in f.message


# --- text hygiene ------------------------------------------------------------------------


@pytest.mark.parametrize("char", ["\\0", "\\e", "\\a", "\\b", "\\x7f", "\\x85"])
def test_control_characters_are_errors_at_their_value(minimal_text, char):
    text = minimal_text.replace("name: Example Therapeutics Inc.", f'name: "Exampl{char}e Therapeutics Inc."', 1)
    assert text != minimal_text
    r = yamlsource.load_text(text, "d.yaml")
    [f] = [f for f in r.findings if f.rule == "YAML-CONTROL"]
    assert f.severity.name == "ERROR" and f.path.endswith(".name") and "position 7" in f.message


def test_control_characters_in_keys_are_errors_too():
    r = yamlsource.load_text('"ke\\ty": 1\n"k\\x1b": 2\n', "d.yaml")
    assert [f.path for f in r.findings if f.rule == "YAML-CONTROL"] == ["k\x1b"]  # tab is allowed


# --- deterministic reports ---------------------------------------------------------------


def test_reports_are_identical_across_hash_seeds(tmp_path):
    """Many findings sharing a location (aliases, duplicate keys) come out in the same order."""
    lines = ["a: &a [x, y]"] + [f"b{i}: [*a, *a, *a]" for i in range(24)] + ["dup: 1", "dup: 2", "dup: 3"]
    (tmp_path / "d.yaml").write_text("\n".join(lines) + "\n")
    outputs = set()
    for seed in ("1", "2", "3"):
        for fmt in ("text", "json", "sarif", "junit"):
            proc = dossier("check", "d.yaml", "--format", fmt, cwd=tmp_path, env={"PYTHONHASHSEED": seed})
            assert proc.returncode == 1
            outputs.add((fmt, proc.stdout))
    assert len(outputs) == 4
    findings = json.loads(next(out for fmt, out in outputs if fmt == "json"))["findings"]
    assert len(findings) >= 72


def test_sorting_is_total():
    from dossier.findings import Finding, Location, Severity, sort_findings

    at = Location("d.yaml", 3, 1)
    a = Finding(at, Severity.ERROR, "R", "m", path="x")
    b = Finding(at, Severity.ERROR, "R", "m", path="y")
    c = Finding(at, Severity.WARNING, "R", "m", path="x", hint="other")  # equal to a: a (error) is kept
    assert sort_findings([c, b, a]) == sort_findings([a, c, b]) == [a, b]
    assert sort_findings([c, b, a])[0].severity is Severity.ERROR

