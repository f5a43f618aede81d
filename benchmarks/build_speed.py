"""Benchmark: `dossier build` against WeasyPrint alone on the same HTML, at several sizes.

    python benchmarks/build_speed.py --scales 1 3 10 --runs 3

For each scale it generates a synthetic dossier (benchmarks/generate.py), then measures in
fresh processes, with medians over --runs:
  - `dossier build --target ind --no-cache` (PDF): wall time and peak memory of the process tree;
  - a rebuild after one change (a sentence added to one study), with the piece cache warm;
  - the floor: `weasyprint` CLI on the HTML that `dossier build --format html` wrote, with the
    bundled fonts (one pass, no post-processing or preflight);
and prints a Markdown table with pages, times, memory and ratios, then (with several scales) the
scaling of time and memory against the first scale.

Memory is sampled from /proc every 20 ms over the process and its children, two ways:
  - RSS: the sum of their resident sets (VmRSS). Pages shared between the parent and its forked
    workers (the interpreter, WeasyPrint, fonts) are counted once per process, so this overstates
    a parallel build;
  - PSS: the sum of their proportional set sizes (Pss in /proc/<pid>/smaps_rollup), where each
    shared page is divided among the processes that map it: the tree's own footprint, each page
    counted once (pages shared with processes outside the tree count only in part).
The peak of each sum is reported. Reading smaps_rollup walks the page tables (about 2 ms for a
500 MB process; sampled every 20 ms it slowed a 2-core build by about 12 %), so each build and
each floor runs twice: a timing run sampling nothing but RSS (cheap), whose wall time is
reported, and a memory run sampling RSS and PSS, whose peaks are reported (both from the same
run, so they compare). The rebuild is timed only.
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
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
BIN = Path(PY).parent


def _field_kb(path: str, name: str) -> int:
    with open(path) as fh:
        for line in fh:
            if line.startswith(name):
                return int(line.split()[1])
    return 0


def _tree_kb(pid: int, with_pss: bool) -> tuple[int, int]:
    """Summed VmRSS and (if asked) summed Pss, in kB, of the process and all its descendants."""
    rss = pss = 0
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            rss += _field_kb(f"/proc/{p}/status", "VmRSS:")
            if with_pss:
                pss += _field_kb(f"/proc/{p}/smaps_rollup", "Pss:")
            with open(f"/proc/{p}/task/{p}/children") as fh:
                todo += [int(c) for c in fh.read().split()]
        except (FileNotFoundError, ProcessLookupError):
            pass  # the process ended between two reads
    return rss, pss


@dataclass
class Run:
    seconds: float
    rss_mb: int
    """Peak of the summed resident sets of the process tree."""
    pss_mb: int
    """Peak of the summed proportional set sizes of the process tree (0 unless sampled)."""


def measure(cmd: list[str], pss: bool = False) -> Run:
    """Wall seconds and peak memory (RSS sum and, with `pss`, PSS sum; MB) of the command's
    process tree."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak_rss = peak_pss = 0
    while proc.poll() is None:
        rss, pss_kb = _tree_kb(proc.pid, pss)
        peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss_kb)
        time.sleep(0.02)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {proc.stderr.read().decode()[-500:]}")
    return Run(elapsed, peak_rss // 1024, peak_pss // 1024)


@dataclass
class Row:
    scale: int
    pages: int
    build_s: float
    build_rss: int
    build_pss: int
    floor_s: float
    floor_rss: int
    floor_pss: int
    rebuild_s: float
    build_mem_s: float
    floor_mem_s: float
    """Wall time of the memory runs (slowed by the PSS sampling); not a result, a check on it."""


def pages(pdf: Path) -> int:
    import pikepdf

    with pikepdf.open(pdf) as p:
        return len(p.pages)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scales", type=int, nargs="+", default=[1, 3, 10])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--attached-pages", type=int, default=0, help="attach generated study reports of this many pages in all (generate.py)")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="dossier-bench-"))
    rows = []
    for s in args.scales:
        src = work / f"s{s}" / "dossier.yaml"
        subprocess.run([PY, str(ROOT / "benchmarks" / "generate.py"), "--scale", str(s), "--attached-pages", str(args.attached_pages), "-o", str(src)], check=True, stdout=subprocess.DEVNULL)
        html = src.parent / "ind.html"
        subprocess.run([PY, "-m", "dossier", "build", str(src), "--target", "ind", "--format", "html", "-o", str(html)], check=True, capture_output=True)
        build, floor, rebuild, build_mem, floor_mem = [], [], [], [], []
        os.environ["DOSSIER_CACHE_DIR"] = str(work / "cache")
        for i in range(args.runs):
            out = src.parent / f"ind-{i}.pdf"
            build_cmd = [PY, "-m", "dossier", "build", str(src), "--target", "ind", "--no-cache", "-o", str(out)]
            floor_cmd = [str(BIN / "weasyprint"), "-u", str(ROOT / "templates" / "_base") + "/", "--full-fonts", str(html), str(src.parent / f"wp-{i}.pdf")]
            build.append(measure(build_cmd))
            floor.append(measure(floor_cmd))
            build_mem.append(measure(build_cmd, pss=True))
            floor_mem.append(measure(floor_cmd, pss=True))
            edited = src.parent / f"edited-{i}" / "dossier.yaml"
            edited.parent.mkdir()
            edited.write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
            if (src.parent / "documents").is_dir():  # the attached PDFs travel with the copy
                shutil.copytree(src.parent / "documents", edited.parent / "documents")
            subprocess.run([PY, "-m", "dossier", "build", str(edited), "--target", "ind", "-o", str(edited.parent / "warm.pdf")], check=True, capture_output=True)
            text = edited.read_text(encoding="utf-8").replace('key_findings: "', 'key_findings: "Reviewed again (rebuild benchmark). ', 1)
            edited.write_text(text, encoding="utf-8")
            rebuild.append(measure([PY, "-m", "dossier", "build", str(edited), "--target", "ind", "-o", str(edited.parent / "again.pdf")]))
        rows.append(
            Row(
                s,
                pages(src.parent / "ind-0.pdf"),
                statistics.median(r.seconds for r in build),
                max(r.rss_mb for r in build_mem),
                max(r.pss_mb for r in build_mem),
                statistics.median(r.seconds for r in floor),
                max(r.rss_mb for r in floor_mem),
                max(r.pss_mb for r in floor_mem),
                statistics.median(r.seconds for r in rebuild),
                statistics.median(r.seconds for r in build_mem),
                statistics.median(r.seconds for r in floor_mem),
            )
        )
    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}; runs per figure: {args.runs} (times: median of the timing runs; memory: highest peak of the memory runs)")
    print()
    print("| scale | pages | dossier build (s) | peak RSS sum (MB) | peak PSS sum (MB) | weasyprint alone (s) | peak RSS (MB) | peak PSS (MB) | speed-up | memory ratio RSS | memory ratio PSS | rebuild after one change (s) | rebuild / build |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r.scale} | {r.pages} | {r.build_s:.1f} | {r.build_rss} | {r.build_pss} | {r.floor_s:.1f} | {r.floor_rss} | {r.floor_pss} "
            f"| {r.floor_s / r.build_s:.2f}× | {r.build_rss / r.floor_rss:.2f} | {r.build_pss / r.floor_pss:.2f} | {r.rebuild_s:.1f} | {r.rebuild_s / r.build_s:.0%} |"
        )
    print()
    print(
        "memory runs (PSS sampled) took "
        + ", ".join(f"scale {r.scale}: build {r.build_mem_s / r.build_s - 1:+.0%}, weasyprint {r.floor_mem_s / r.floor_s - 1:+.0%}" for r in rows)
        + " against the timing runs"
    )
    if len(rows) > 1:
        base = rows[0]
        print()
        print(f"Scaling of `dossier build` against scale {base.scale} (goal: 10× data ≤ 11× time):")
        print()
        print("| scale | data × | pages × | time × | peak RSS sum × | peak PSS sum × |")
        print("|---|---|---|---|---|---|")
        for r in rows:
            print(
                f"| {r.scale} | {r.scale / base.scale:.1f} | {r.pages / base.pages:.2f} | {r.build_s / base.build_s:.2f} "
                f"| {r.build_rss / base.build_rss:.2f} | {r.build_pss / base.build_pss:.2f} |"
            )
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
