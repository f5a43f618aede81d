"""Benchmarks stay runnable: each generator at its smallest size (no timing is asserted)."""

from __future__ import annotations

import subprocess
import sys

import pikepdf

from dossier import api
from tests.conftest import ROOT


def test_generated_dossier_at_scale_1_with_generated_reports_checks_clean_and_builds(tmp_path):
    out = tmp_path / "s1" / "dossier.yaml"
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), "--scale", "1", "--attached-pages", "30", "-o", str(out)], check=True, capture_output=True, timeout=120)
    result = api.check(out)
    assert result.ok, [f for f in result.findings if f.blocking][:3]
    example = api.load(ROOT / "examples" / "car-t")
    generated = [a for a in result.loaded.attachments if "/generated/" in a.file]
    studies = [s for s in example.dossier.nonclinical.studies if s.report]
    assert len(generated) == len(studies) and sum(a.pages for a in generated) == 30  # every study report, 30 pages in all
    kept = {a.file.rsplit("/", 1)[-1] for a in result.loaded.attachments} - {a.file.rsplit("/", 1)[-1] for a in generated}
    assert kept == {a.file.rsplit("/", 1)[-1] for a in example.attachments} - {s.report.file.rsplit("/", 1)[-1] for s in studies if s.report.file}
    plain = api.build(ROOT / "examples" / "car-t", "ind", output=tmp_path / "example.pdf", section="4")
    built = api.build(out, "ind", output=tmp_path / "ind.pdf", section="4")  # and it builds (not timed)
    assert built.output == tmp_path / "ind.pdf"
    replaced = sum(a.pages for a in example.attachments if a.file in {s.report.file for s in studies})
    with pikepdf.open(plain.output) as a, pikepdf.open(built.output) as b:
        assert len(b.pages) - len(a.pages) >= 30 - replaced  # the generated reports' pages are in the document


def test_attached_pages_benchmark_runs_at_its_smallest_size():
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "attached_pages.py"), "--pages", "10", "--runs", "1"], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rows = [line for line in proc.stdout.splitlines() if line.startswith("| ") and line[2].isdigit()]
    assert [row.split("|")[1].strip() for row in rows] == ["0", "10"]


def test_hostile_inputs_benchmark_runs_at_its_smallest_size():
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "hostile.py"), "--brackets", "1000", "--bomb-mib", "70"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count(" MiB") == 5  # the header and four measured cases
