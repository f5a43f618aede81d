"""Benchmark: `dossier check` on the CAR-T example against the floor `python -c "import yaml, pydantic"`.

Usage:  python benchmarks/check_speed.py [--runs 9] [--dossier examples/car-t/dossier.yaml]

Each command runs in a fresh process (as CI and pre-commit run it); the report gives the
median and spread of wall time and the ratio of medians. Goal (issue 5): ratio <= 2.5.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed(cmd: list[str], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        out.append(time.perf_counter() - start)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--dossier", default=str(ROOT / "examples" / "car-t" / "dossier.yaml"))
    args = ap.parse_args()
    py = sys.executable
    cases = {
        "floor: python -c 'import yaml, pydantic'": [py, "-c", "import yaml, pydantic"],
        "dossier check --target all --format json": [py, "-m", "dossier", "check", args.dossier, "--target", "all", "--format", "json"],
    }
    timed(list(cases.values())[1], 1)  # warm the file cache and the .pyc files
    medians = {}
    for name, cmd in cases.items():
        samples = timed(cmd, args.runs)
        medians[name] = statistics.median(samples)
        print(f"{name:45} median {medians[name] * 1000:7.1f} ms  (min {min(samples) * 1000:.1f}, max {max(samples) * 1000:.1f}, n={args.runs})")
    floor, check = medians.values()
    print(f"ratio check/floor: {check / floor:.2f} (goal <= 2.5)")


if __name__ == "__main__":
    main()
