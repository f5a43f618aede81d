"""Benchmark: `dossier build` against WeasyPrint alone on the same HTML, at several sizes.

    python benchmarks/build_speed.py --scales 1 3 10 --runs 3

For each scale it generates a synthetic dossier (benchmarks/generate.py), then measures in
fresh processes, with medians over --runs:
  - `dossier build --target ind --no-cache` (PDF): wall time and peak memory of the process tree;
  - a rebuild after one change (a sentence added to one study), with the piece cache warm;
  - the floor: `weasyprint` CLI on the HTML that `dossier build --format html` wrote, with the
    bundled fonts (one pass, no post-processing or preflight);
and prints a Markdown table with pages, times, memory and ratios. Memory is sampled from
/proc every 20 ms (sum of the resident sets of the process and its children).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
BIN = Path(PY).parent


def _tree_rss_kb(pid: int) -> int:
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            with open(f"/proc/{p}/task/{p}/children") as fh:
                todo += [int(c) for c in fh.read().split()]
        except (FileNotFoundError, ProcessLookupError):
            pass
    return total


def measure(cmd: list[str]) -> tuple[float, int]:
    """Wall seconds and peak resident memory (MB) of the command's process tree."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, _tree_rss_kb(proc.pid))
        time.sleep(0.02)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {proc.stderr.read().decode()[-500:]}")
    return elapsed, peak // 1024


def pages(pdf: Path) -> int:
    import pikepdf

    with pikepdf.open(pdf) as p:
        return len(p.pages)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scales", type=int, nargs="+", default=[1, 3, 10])
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="dossier-bench-"))
    rows = []
    for s in args.scales:
        src = work / f"s{s}" / "dossier.yaml"
        subprocess.run([PY, str(ROOT / "benchmarks" / "generate.py"), "--scale", str(s), "-o", str(src)], check=True, stdout=subprocess.DEVNULL)
        html = src.parent / "ind.html"
        subprocess.run([PY, "-m", "dossier", "build", str(src), "--target", "ind", "--format", "html", "-o", str(html)], check=True, capture_output=True)
        build, floor, rebuild = [], [], []
        os.environ["DOSSIER_CACHE_DIR"] = str(work / "cache")
        for i in range(args.runs):
            out = src.parent / f"ind-{i}.pdf"
            build.append(measure([PY, "-m", "dossier", "build", str(src), "--target", "ind", "--no-cache", "-o", str(out)]))
            floor.append(measure([str(BIN / "weasyprint"), "-u", str(ROOT / "templates" / "_base") + "/", "--full-fonts", str(html), str(src.parent / f"wp-{i}.pdf")]))
            edited = src.parent / f"edited-{i}" / "dossier.yaml"
            edited.parent.mkdir()
            edited.write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
            subprocess.run([PY, "-m", "dossier", "build", str(edited), "--target", "ind", "-o", str(edited.parent / "warm.pdf")], check=True, capture_output=True)
            text = edited.read_text(encoding="utf-8").replace('key_findings: "', 'key_findings: "Reviewed again (rebuild benchmark). ', 1)
            edited.write_text(text, encoding="utf-8")
            rebuild.append(measure([PY, "-m", "dossier", "build", str(edited), "--target", "ind", "-o", str(edited.parent / "again.pdf")]))
        b_t = statistics.median(t for t, _ in build)
        b_m = max(m for _, m in build)
        f_t = statistics.median(t for t, _ in floor)
        f_m = max(m for _, m in floor)
        r_t = statistics.median(t for t, _ in rebuild)
        rows.append((s, pages(src.parent / "ind-0.pdf"), b_t, b_m, f_t, f_m, r_t))
    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}; runs per figure: {args.runs}")
    print("| scale | pages | dossier build (s) | peak MB | weasyprint alone (s) | peak MB | speed-up | memory ratio | rebuild after one change (s) | rebuild / build |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for s, n, b_t, b_m, f_t, f_m, r_t in rows:
        print(f"| {s} | {n} | {b_t:.1f} | {b_m} | {f_t:.1f} | {f_m} | {f_t / b_t:.2f}× | {b_m / f_m:.2f} | {r_t:.1f} | {r_t / b_t:.0%} |")
    if len(rows) > 1:
        (s0, n0, t0, m0, *_), (s1, n1, t1, m1, *_) = rows[0], rows[-1]
        print(f"scaling {s0}→{s1}× data: pages ×{n1 / n0:.1f}, time ×{t1 / t0:.1f}, memory ×{m1 / m0:.1f}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
