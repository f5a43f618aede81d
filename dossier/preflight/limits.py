"""Bounds on the work one PDF from outside can cause (attachments, `dossier preflight FILE`).

A PDF of one megabyte can hold a stream that inflates to gigabytes (a "decompression bomb"),
and anything that decodes it -- text extraction, drawing its pages into another document --
then needs that much memory. Two defences, both documented in the README's limits table:

* `decoded_sizes()` measures what each stream decodes to *without* holding the result: Flate
  data is inflated in small pieces and counted, and counting stops at the limit. The preflight
  check PDF-SIZE refuses a file whose streams exceed `MAX_STREAM_BYTES` each or
  `MAX_DECODED_BYTES` together, before any other check decodes anything.
* `run_bounded()` runs the whole check of an outside PDF in a child process limited to
  `MEMORY_BYTES` more memory than its parent and `SECONDS` of time, so a file that defeats the
  measurement (a bomb in an object stream, a pathological structure) costs at most that.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import time
import zlib
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pikepdf

MAX_STREAM_BYTES = 64 * 1024 * 1024
"""Decoded size of one stream other than an image (page content, form, font, ...)."""
MAX_DECODED_BYTES = 1024 * 1024 * 1024
"""Decoded size of all such streams of one file together."""
MEMORY_BYTES = 1024 * 1024 * 1024
"""Memory the check of one outside PDF may take beyond what the tool already holds."""
SECONDS = 30.0
"""Time the check of one outside PDF may take."""

_FLATE = {"/FlateDecode", "/Fl"}
_EXPANDING = {"/LZWDecode", "/LZW", "/RunLengthDecode", "/RL"}
_PIECE = 1 << 16

T = TypeVar("T")


def _filters(stream: pikepdf.Stream) -> list[str]:
    f = stream.get("/Filter")
    if isinstance(f, pikepdf.Name):
        return [str(f)]
    if isinstance(f, pikepdf.Array):
        return [str(x) for x in f if isinstance(x, pikepdf.Name)]
    return []


def inflated_size(raw: bytes, cap: int) -> int:
    """Bytes `raw` (zlib data) inflates to, counted piece by piece; stops once over `cap`.
    Damaged data counts as what inflated before the damage."""
    d = zlib.decompressobj()
    total = 0
    view = memoryview(raw)
    try:
        for start in range(0, len(raw), _PIECE):
            chunk = view[start:start + _PIECE]
            while chunk:
                total += len(d.decompress(chunk, _PIECE * 16))
                if total > cap:
                    return total
                chunk = d.unconsumed_tail
            if d.eof:
                break
    except zlib.error:
        pass
    return total


def decoded_size(stream: pikepdf.Stream, cap: int) -> int:
    """What `stream` decodes to (at most a little over `cap`)."""
    filters = _filters(stream)
    if filters and filters[0] in _FLATE:
        return inflated_size(stream.read_raw_bytes(), cap)
    if filters and filters[0] in _EXPANDING:
        return len(stream.read_bytes())  # legacy filters: decoded under run_bounded's memory limit
    return len(stream.read_raw_bytes())


def oversized_streams(pdf: pikepdf.Pdf) -> Iterator[tuple[str, int]]:
    """(object reference, decoded size) of each non-image stream over MAX_STREAM_BYTES, then
    ("all streams", total) if they exceed MAX_DECODED_BYTES together; stops at the first."""
    total = 0
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Stream) or obj.get("/Subtype") == pikepdf.Name.Image:
            continue
        try:
            size = decoded_size(obj, MAX_STREAM_BYTES)
        except pikepdf.PdfError:
            continue  # undecodable: the other checks report damage where it matters
        if size > MAX_STREAM_BYTES:
            yield f"object {obj.objgen[0]} {obj.objgen[1]} R", size
            return
        total += size
        if total > MAX_DECODED_BYTES:
            yield "all streams", total
            return


class Exceeded(Exception):
    """The bounded run went over its memory or time limit (`kind` is 'memory' or 'time')."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


def _address_space() -> int | None:
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def run_bounded(fn: Callable[..., T], *args: Any, memory: int = MEMORY_BYTES, seconds: float = SECONDS) -> T:
    """`fn(*args)` in a forked child with `memory` bytes of address space beyond the parent's
    and `seconds` of time; its result comes back pickled. Raises Exceeded when a limit is hit
    (or the child dies), RuntimeError for an exception inside `fn` (a bug). Where fork or
    resource limits are missing, `fn` runs in this process without them."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not POSIX
        return fn(*args)
    if not hasattr(os, "fork"):  # pragma: no cover
        return fn(*args)
    base = _address_space()
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        status = 0
        try:
            os.close(r)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            if base is not None:
                resource.setrlimit(resource.RLIMIT_AS, (base + memory, base + memory))
            try:
                outcome: tuple[str, Any] = ("ok", fn(*args))
            except MemoryError:
                outcome = ("memory", None)
            except Exception as exc:  # noqa: BLE001 - reported to the parent as a bug
                outcome = ("error", f"{type(exc).__name__}: {exc}")
            data = pickle.dumps(outcome)
            view = memoryview(data)
            while view:
                view = view[os.write(w, view):]
        except BaseException:  # noqa: BLE001
            status = 1
        finally:
            os._exit(status)
    os.close(w)
    chunks: list[bytes] = []
    deadline = time.monotonic() + seconds
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Exceeded("time")
            ready, _, _ = select.select([r], [], [], left)
            if not ready:
                continue
            chunk = os.read(r, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    except BaseException:
        _kill(pid)
        raise
    finally:
        os.close(r)
    _, status = os.waitpid(pid, 0)
    if not chunks or status != 0:
        raise Exceeded("memory")  # killed or aborted: allocation failures end C++ code this way
    kind, value = pickle.loads(b"".join(chunks))
    if kind == "memory":
        raise Exceeded("memory")
    if kind == "error":
        raise RuntimeError(value)
    return value


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass


def describe(exc: Exceeded) -> str:
    if exc.kind == "time":
        return f"checking it takes longer than {SECONDS:.0f} s"
    return f"opening it needs more than {MEMORY_BYTES // (1024 * 1024):,} MiB of memory"
