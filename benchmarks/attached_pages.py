"""Benchmark: attached pages against a plain PDF merge, and how the build scales with them.

    python benchmarks/attached_pages.py --pages 1000 3000 --runs 3

For 0 and each P in --pages it generates the CAR-T example at scale 1 with generated study
reports of P pages in all (benchmarks/generate.py --attached-pages P), then measures in fresh
processes, with medians over --runs:
  - `dossier build --target ind --no-cache`: wall time and peak memory (RSS sum and PSS sum of the
    process tree, from a second run as in build_speed.py);
  - the floor for the attached part: `qpdf --empty --pages <the same report PDFs> -- out.pdf`, a
    plain merge (no placement, footer, outline nesting, linearisation or preflight);
and prints a Markdown table: the attached part's cost (build with P pages minus build with 0)
against the floor, and the scaling from the first P to the last (time and memory).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from build_speed import PY, ROOT, measure, pages  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, nargs="+", default=[1000, 3000])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=None, help="dossier build --jobs (default: the core count)")
    args = ap.parse_args()
    qpdf = shutil.which("qpdf")
    if qpdf is None:
        raise SystemExit("attached_pages: qpdf is needed for the floor (apt-get install qpdf)")
    work = Path(tempfile.mkdtemp(prefix="dossier-attached-"))
    rows = []
    for p in [0, *args.pages]:
        src = work / f"p{p}" / "dossier.yaml"
        subprocess.run([PY, str(ROOT / "benchmarks" / "generate.py"), "--attached-pages", str(p), "-o", str(src)], check=True, stdout=subprocess.DEVNULL)
        reports = sorted((src.parent / "documents" / "generated").glob("*.pdf"))
        jobs = ["--jobs", str(args.jobs)] if args.jobs else []
        build, build_mem, floor = [], [], []
        for i in range(args.runs):
            out = src.parent / f"ind-{i}.pdf"
            cmd = [PY, "-m", "dossier", "build", str(src), "--target", "ind", "--no-cache", *jobs, "-o", str(out)]
            build.append(measure(cmd))
            build_mem.append(measure(cmd, pss=True))
            if reports:
                floor.append(measure([qpdf, "--empty", "--pages", *map(str, reports), "--", str(src.parent / f"merged-{i}.pdf")]))
        rows.append(
            {
                "attached": p,
                "pages": pages(src.parent / "ind-0.pdf"),
                "build": statistics.median(r.seconds for r in build),
                "spread": (min(r.seconds for r in build), max(r.seconds for r in build)),
                "rss": max(r.rss_mb for r in build_mem),
                "pss": max(r.pss_mb for r in build_mem),
                "floor": statistics.median(r.seconds for r in floor) if floor else 0.0,
            }
        )
    base = rows[0]
    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}; runs per figure: {args.runs} (times: median, min–max; memory: highest peak of the memory runs)")
    print()
    print("| attached pages | document pages | dossier build (s) | min–max (s) | peak RSS sum (MB) | peak PSS sum (MB) | attached part (s) | qpdf merge floor (s) | attached part / floor |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        part = r["build"] - base["build"]
        ratio = f"{part / r['floor']:.1f}×" if r["floor"] else "–"
        print(f"| {r['attached']:,} | {r['pages']:,} | {r['build']:.2f} | {r['spread'][0]:.2f}–{r['spread'][1]:.2f} | {r['rss']} | {r['pss']} | {part:.2f} | {r['floor']:.2f} | {ratio} |")
    if len(rows) > 2:
        lo, hi = rows[1], rows[-1]
        print()
        print(
            f"{lo['attached']:,} → {hi['attached']:,} attached pages (×{hi['attached'] / lo['attached']:.1f}): build time ×{hi['build'] / lo['build']:.2f}, "
            f"attached part ×{(hi['build'] - base['build']) / max(lo['build'] - base['build'], 1e-9):.2f}, peak RSS sum ×{hi['rss'] / lo['rss']:.2f}, peak PSS sum ×{hi['pss'] / lo['pss']:.2f}"
        )
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
