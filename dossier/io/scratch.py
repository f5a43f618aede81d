"""A scratch folder for one build: every temporary file of the run (WeasyPrint's copies of the
bundled fonts in each worker process included) goes there, and it is removed when the build ends
-- on success, on error and on SIGINT/SIGTERM. A folder left by a process that was killed
outright (SIGKILL) is removed by the next build once that process no longer runs."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from dossier.io.guard import process_alive

PREFIX = "dossier-build-"
_NAME = re.compile(re.escape(PREFIX) + r"(\d+)-")


def remove_stale(base: Path) -> None:
    """Remove scratch folders in `base` whose build process no longer runs."""
    try:
        names = os.listdir(base)
    except OSError:
        return
    for name in names:
        m = _NAME.match(name)
        if m and int(m[1]) != os.getpid() and not process_alive(int(m[1])):
            shutil.rmtree(base / name, ignore_errors=True)


@contextlib.contextmanager
def scratch() -> Iterator[Path]:
    """Make a scratch folder the process's temporary folder (`tempfile.tempdir`, inherited by
    forked workers) for the duration of the block, then remove it with everything in it."""
    base = Path(tempfile.gettempdir())
    remove_stale(base)
    folder = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=base))
    saved = tempfile.tempdir
    tempfile.tempdir = str(folder)
    try:
        yield folder
    finally:
        tempfile.tempdir = saved
        shutil.rmtree(folder, ignore_errors=True)
