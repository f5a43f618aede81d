"""Benchmarks stay runnable: each generator at its smallest size (no timing is asserted)."""

from __future__ import annotations

import subprocess
import sys

from dossier import api
from tests.conftest import ROOT


def test_generated_dossier_at_scale_1_checks_clean(tmp_path):
    out = tmp_path / "s1" / "dossier.yaml"
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), "--scale", "1", "-o", str(out)], check=True, capture_output=True, timeout=120)
    result = api.check(out)
    assert result.ok, [f for f in result.findings if f.blocking][:3]
    example = api.load(ROOT / "examples" / "car-t")
    assert len(result.loaded.attachments) == len(example.attachments) > 3  # the example's attachments travel with it
    built = api.build(out, "ind", output=tmp_path / "ind.pdf")  # and it builds (not timed)
    assert built.output == tmp_path / "ind.pdf" and (tmp_path / "ind.pdf").stat().st_size > 0


def test_hostile_inputs_benchmark_runs_at_its_smallest_size():
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "hostile.py"), "--brackets", "1000", "--bomb-mib", "70"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count(" MiB") == 5  # the header and four measured cases
