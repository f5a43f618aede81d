"""One guard for every path the tool touches because of an input (CLI arguments, YAML, manifests).

* An **input** is a regular file (after following symbolic links): never a folder, a device, a
  FIFO or a socket, which could block a read forever or return endless data.
* An **output** is absent or a regular file, is none of the inputs (compared by device and
  inode, so a hard link, a symbolic link or another spelling of the same path is caught too),
  and lies in a folder that exists and is writable. A symbolic link is written through: the
  file it points to is replaced, the link stays.
* Writes are **atomic**: a temporary file in the target folder (named with the writing
  process's id), flushed, then renamed over the target. A temporary file left behind by a
  process that no longer runs (killed with SIGKILL, power loss) is removed by the next write to
  the same target.

Nothing here knows what a dossier is; `dossier.api` says which files are inputs.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from dossier.errors import InputFileError, OutputError

FileId = tuple[int, int]

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
)


def kind_of(mode: int) -> str:
    """'a folder', 'a character device', ... for a non-regular file mode ('a special file' else)."""
    return next((name for test, name in _KINDS if test(mode)), "a special file")


def file_id(path: Path) -> FileId | None:
    """(device, inode) of what `path` names after following links; None if it does not exist."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return st.st_dev, st.st_ino


def input_file(path: Path, what: str = "file") -> Path:
    """`path` if it names a readable regular file; else InputFileError saying what it is."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise InputFileError(f"{path}: no such file", hint="check the path") from None
    except (OSError, ValueError) as exc:
        raise InputFileError(f"{path}: cannot be read ({getattr(exc, 'strerror', None) or exc})") from None
    if not stat.S_ISREG(st.st_mode):
        raise InputFileError(f"{path}: is {kind_of(st.st_mode)}, not a regular file", hint=f"pass the {what} itself")
    if not os.access(path, os.R_OK):
        raise InputFileError(f"{path}: cannot be read (permission denied)")
    return path


class Inputs:
    """The files one run reads or may read, by (device, inode), with how each is shown."""

    def __init__(self, paths: Iterable[Path] = ()) -> None:
        self._ids: dict[FileId, Path] = {}
        for p in paths:
            self.add(p)

    def add(self, path: Path) -> None:
        fid = file_id(path)
        if fid is not None:
            self._ids.setdefault(fid, path)

    def which(self, path: Path) -> Path | None:
        """The input `path` is the same file as, if any."""
        fid = file_id(path)
        return self._ids.get(fid) if fid is not None else None


def output_file(out: Path, inputs: Inputs | None = None, *, protect: Callable[[Path], str | None] | None = None) -> Path:
    """The path to write `out` to, after refusing every way of losing a file.

    `protect(path)` may name a further reason to refuse replacing an existing file (e.g. a
    report never replaces a YAML or PDF file). Returns the path to write: `out`, or the file a
    symbolic link `out` points to."""
    if not str(out) or str(out).endswith(os.sep):
        raise OutputError(f"{out!s}: not a file name", hint="give a file name, e.g. -o out/ind.pdf")
    target = out
    try:
        lst = os.lstat(out)
    except FileNotFoundError:
        lst = None
    except (OSError, ValueError) as exc:
        raise OutputError(f"{out}: cannot be used as output ({getattr(exc, 'strerror', None) or exc})") from None
    if lst is not None:
        if stat.S_ISLNK(lst.st_mode):
            target = Path(os.path.realpath(out))
        try:
            st = os.stat(target)
        except FileNotFoundError:
            st = None  # a dangling link: the file it names is created
        except OSError as exc:
            raise OutputError(f"{out}: cannot be used as output ({exc.strerror or exc})") from None
        if st is not None:
            if not stat.S_ISREG(st.st_mode):
                hint = "give a file name, e.g. -o out/ind.pdf" if stat.S_ISDIR(st.st_mode) else "write to a regular file; devices, FIFOs and sockets are never replaced"
                raise OutputError(f"{out}: is {kind_of(st.st_mode)}; refusing to write there", hint=hint)
            same = inputs.which(target) if inputs is not None else None
            if same is not None:
                shown = "" if Path(os.path.abspath(same)) == Path(os.path.abspath(out)) else f" ({same})"
                raise OutputError(f"{out}: is an input of this dossier{shown}; refusing to overwrite it", hint="choose another output path")
            reason = protect(target) if protect is not None else None
            if reason:
                raise OutputError(f"{out}: {reason}; refusing to overwrite it", hint="choose another output path")
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise OutputError(f"{parent}: output folder does not exist", hint=f"create it first: mkdir -p {parent}")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(f"{parent}: output folder is not writable")
    return target


def _tmp_prefix(out: Path) -> str:
    return f".{out.name}."


def process_alive(pid: int) -> bool:
    """Whether a process with this id runs (owned by anyone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def remove_stale(out: Path) -> None:
    """Remove temporary files of earlier writes to `out` whose process no longer runs."""
    prefix = _tmp_prefix(out)
    try:
        names = os.listdir(out.parent if str(out.parent) else ".")
    except OSError:
        return
    for name in names:
        if not (name.startswith(prefix) and name.endswith(".tmp")):
            continue
        pid = name[len(prefix):].split("-", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and not process_alive(int(pid)):
            try:
                (out.parent / name).unlink()
            except OSError:
                pass


def atomic_write(out: Path, data: bytes, verify: Callable[[Path], None] | None = None) -> None:
    """Write via a temporary file in the same folder; `verify(tmp_path)` may veto before the
    rename. On any failure (or interruption) the temporary file is removed and `out` is as before."""
    remove_stale(out)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f"{_tmp_prefix(out)}{os.getpid()}-", suffix=".tmp", dir=out.parent)
    except OSError as exc:
        raise OutputError(f"{out}: cannot write ({exc.strerror or exc})", hint="choose a writable folder") from None
    tmp_path = Path(tmp)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp_path, 0o666 & ~umask)
        if verify is not None:
            verify(tmp_path)
        os.replace(tmp_path, out)
    except OSError as exc:
        tmp_path.unlink(missing_ok=True)
        raise OutputError(f"{out}: cannot write ({exc.strerror or exc})") from None
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


def write_output(out: Path, data: bytes, inputs: Inputs | None = None, *, protect: Callable[[Path], str | None] | None = None) -> Path:
    """Guard `out`, then write `data` to it atomically; returns the path written."""
    target = output_file(out, inputs, protect=protect)
    atomic_write(target, data)
    return target
