"""Load WeasyPrint's native libraries without running a compiler.

WeasyPrint asks cffi for pango, harfbuzz, fontconfig and GLib under several platform
names. For each name that is not a file, cffi calls `ctypes.util.find_library`, which on
Linux falls back to running gcc and ld when the loader cache has no match: 16 compiler
runs per import, about 0.3 s of a 0.7 s import. A build stopped while one runs leaves the
compiler's temporary files in TMPDIR (issue 19). WeasyPrint also tries the sonames
themselves (libpango-1.0.so.0, ...), which the dynamic loader finds on its own, so the
fallback adds only time: while WeasyPrint is imported, `find_library` consults the loader
cache and nothing else.
"""

from __future__ import annotations

import ctypes.util
import sys
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def loader_cache_only() -> Iterator[None]:
    cache_lookup = getattr(ctypes.util, "_findSoname_ldconfig", None)
    if not sys.platform.startswith("linux") or cache_lookup is None:
        yield
        return
    original = ctypes.util.find_library
    ctypes.util.find_library = cache_lookup
    try:
        yield
    finally:
        ctypes.util.find_library = original
