"""Hostile inputs (issue 19): time and peak memory of `dossier` on inputs built to exhaust it.

Each case runs `dossier` in a fresh process and reports its exit code, wall time and the peak
resident memory of the largest process of its tree (wait4's ru_maxrss: the command, or a child
it waited for). The floor is the same command on a small valid input.

    .venv/bin/python benchmarks/hostile.py                      # 100,000 brackets, a 1 GiB bomb
    .venv/bin/python benchmarks/hostile.py --brackets 1000 --bomb-mib 70   # smallest (the smoke test)
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOSSIER = [sys.executable, "-c", "from dossier.cli import main; main()"]


def measure(args: list[str], cwd: Path) -> tuple[int, float, float]:
    """(exit code, seconds, peak RSS in MiB) of one command."""
    start = time.perf_counter()
    proc = subprocess.Popen([*DOSSIER, *args], cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, seconds, usage.ru_maxrss / 1024


def bomb_pdf(path: Path, mib: int) -> Path:
    """A one-page PDF whose content stream inflates to `mib` MiB of 'q Q' operators."""
    sys.path.insert(0, str(ROOT))
    import pikepdf

    from tests.pdf_factory import new_pdf, save

    z = zlib.compressobj(9)
    piece = b"q Q\n" * (1 << 18)
    data = b"".join([z.compress(piece) for _ in range(mib)] + [z.flush()])
    pdf = new_pdf(1)
    stream = pikepdf.Stream(pdf, b"")
    stream.write(data, filter=pikepdf.Name.FlateDecode)
    pdf.pages[0].obj.Contents = pdf.make_indirect(stream)
    return save(pdf, path)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--brackets", type=int, default=100_000)
    ap.add_argument("--bomb-mib", type=int, default=1024)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "deep.yaml").write_text("[" * args.brackets + "\n")
        example = work / "car-t"
        shutil.copytree(ROOT / "examples" / "car-t", example)
        bomb = bomb_pdf(work / "bomb.pdf", args.bomb_mib)
        shutil.copyfile(bomb, example / "documents" / "kbt-1901-ib.pdf")
        clean = work / "clean"
        shutil.copytree(ROOT / "examples" / "car-t", clean)
        rows = [
            ("floor: dossier check, the CAR-T example", ["check", "clean"], 0),
            (f"dossier check, {args.brackets:,} nested '['", ["check", "deep.yaml"], 1),
            (f"dossier preflight, {bomb.stat().st_size / 1e6:.1f} MB PDF inflating to {args.bomb_mib:,} MiB", ["preflight", "bomb.pdf"], 1),
            ("dossier check, the CAR-T example with that PDF attached", ["check", "car-t"], 1),
        ]
        print(f"{'case':76} {'exit':>4} {'time':>8} {'peak RSS':>10}")
        failed = False
        for label, command, expected in rows:
            code, seconds, rss = measure(command, work)
            failed |= code != expected
            print(f"{label:76} {code:>4} {seconds:>7.2f}s {rss:>7.0f} MiB" + ("" if code == expected else f"   (expected exit {expected})"))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
