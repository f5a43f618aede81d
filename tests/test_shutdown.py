"""Issue 19: a build that is stopped (SIGTERM, SIGINT) or killed leaves no process, no
temporary file and no partial output behind; a successful one leaves no temporary folder."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES

DOSSIER = [sys.executable, "-c", "from dossier.cli import main; main()"]


def children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.append(int(entry.name))
    return out


def running(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def start_build(tmp_path: Path, out: Path) -> tuple[subprocess.Popen, list[int]]:
    """A parallel, uncached build of the CAR-T IND, once its two workers run."""
    env = {**os.environ, "TMPDIR": str(tmp_path / "tmp"), "DOSSIER_CACHE_DIR": str(tmp_path / "cache")}
    (tmp_path / "tmp").mkdir(exist_ok=True)
    proc = subprocess.Popen([*DOSSIER, "build", str(EXAMPLES / "car-t"), "--target", "ind", "--jobs", "2", "--no-cache", "-o", str(out)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        workers = [c for c in children(proc.pid) if running(c)]
        if len(workers) >= 2:
            time.sleep(1.0)  # let them start laying out (and write WeasyPrint's font folders)
            return proc, workers
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    proc.kill()
    pytest.fail(f"the build never started its workers: {proc.communicate()}")


def gone(pids: list[int], within: float = 10.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not any(running(p) for p in pids):
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_stopped_build_leaves_nothing_behind(tmp_path, sig):
    outdir = tmp_path / "out"
    outdir.mkdir()
    proc, workers = start_build(tmp_path, outdir / "ind.pdf")
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + sig, err
    assert f"stopped by {signal.Signals(sig).name}" in err and "Traceback" not in err
    assert gone(workers), "worker processes outlived the build"
    assert list(outdir.iterdir()) == []
    assert list((tmp_path / "tmp").iterdir()) == []


def test_a_killed_build_takes_its_workers_along_and_the_next_build_cleans_up(tmp_path):
    outdir = tmp_path / "out"
    outdir.mkdir()
    proc, workers = start_build(tmp_path, outdir / "ind.pdf")
    proc.kill()
    proc.communicate(timeout=60)
    assert gone(workers), "workers survived their parent's SIGKILL"
    assert [p.name for p in (tmp_path / "tmp").iterdir()] != []  # nothing could clean up after SIGKILL
    stale = outdir / f".ind.pdf.{proc.pid}-x1y2z3.tmp"
    stale.write_bytes(b"half a PDF")
    env = {**os.environ, "TMPDIR": str(tmp_path / "tmp")}
    done = subprocess.run([*DOSSIER, "build", str(EXAMPLES / "aav"), "--target", "ind", "--format", "html", "-o", str(outdir / "ind.pdf")], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert list((tmp_path / "tmp").iterdir()) == []
    assert sorted(p.name for p in outdir.iterdir()) == ["ind.pdf", "ind.pdf.manifest.json"]


def test_a_successful_parallel_build_leaves_no_temporary_folder(tmp_path):
    (tmp_path / "tmp").mkdir()
    env = {**os.environ, "TMPDIR": str(tmp_path / "tmp"), "DOSSIER_CACHE_DIR": str(tmp_path / "cache")}
    done = subprocess.run([*DOSSIER, "build", str(EXAMPLES / "aav"), "--target", "impd", "--jobs", "2", "--no-cache", "-o", str(tmp_path / "impd.pdf")], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "impd.pdf").is_file() and list((tmp_path / "tmp").iterdir()) == []


def _sleep(seconds: float) -> None:
    time.sleep(seconds)


def test_workers_are_dead_when_the_pool_unwinds_on_an_error():
    """The parent removes the scratch folder right after the pool unwinds: its workers must be
    dead by then, not left to finish their page (or to the parent's death signal)."""
    from dossier.render.parallel import _Workers

    pool = _Workers(2)
    with pytest.raises(RuntimeError):
        with pool:
            futures = [pool.submit(_sleep, 30) for _ in range(2)]
            deadline = time.monotonic() + 30
            while len(children(os.getpid())) < 2 and time.monotonic() < deadline:
                time.sleep(0.05)
            pids = [p.pid for p in pool._processes.values()]
            raise RuntimeError("stop")
    assert len(pids) == 2 and not any(running(p) for p in pids)
    assert all(f.cancelled() or f.done() for f in futures)


def test_loading_the_renderer_runs_no_compiler(tmp_path):
    """cffi's library search falls back to gcc; a build stopped during one of those runs
    left the compiler's temporary files behind (CI, stop 28). The renderer's import must
    spawn no compiler, linker or shell, whatever TMPDIR is."""
    probe = (
        "import os, subprocess\n"
        "runs = []\n"
        "real = subprocess.Popen.__init__\n"
        "def spy(self, args, *a, **k):\n"
        "    runs.append(os.path.basename(str(args[0] if isinstance(args, (list, tuple)) else args).split()[0]))\n"
        "    real(self, args, *a, **k)\n"
        "subprocess.Popen.__init__ = spy\n"
        "import dossier.render.pdf\n"
        "print(sorted(set(runs)))\n"
    )
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True).stdout
    programs = set(eval(out))  # noqa: S307 - our own printed list
    assert not programs & {"gcc", "cc", "ld", "sh", "collect2"}, programs
    assert list(tmp_path.iterdir()) == []
