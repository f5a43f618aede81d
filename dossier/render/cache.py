"""Content-addressed cache of laid-out PDF pieces, so a rebuild only lays out what changed.

A piece (one level-2 section, the front part, a folio piece) is keyed by the SHA-256 of its
HTML together with the tool and WeasyPrint versions and a digest of the bundled templates and
fonts; the same key always means the same pages. Location: $DOSSIER_CACHE_DIR, else
$XDG_CACHE_HOME/dossier, else ~/.cache/dossier. Entries are plain files (`<key>.pdf` and
`<key>.json`); deleting the folder is always safe. `dossier build --no-cache` bypasses it.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict
from functools import cache
from pathlib import Path

from dossier import __version__
from dossier.io.cachedir import cache_dir
from dossier.render.assemble import PartInfo


@cache
def _salt() -> bytes:
    from importlib.metadata import version  # not `import weasyprint`: the parent of a parallel build never imports it

    from dossier.manifest import templates_digest

    return hashlib.sha256(f"dossier {__version__} weasyprint {version('weasyprint')} templates {templates_digest()}".encode()).digest()


def key(html: str) -> str:
    return hashlib.sha256(_salt() + html.encode("utf-8")).hexdigest()


class PieceCache:
    """Get and put laid-out pieces; a disabled cache stores nothing and finds nothing."""

    def __init__(self, enabled: bool = True, root: Path | None = None) -> None:
        self.enabled = enabled
        self.root = root or cache_dir()
        self.hits = 0
        self.misses = 0

    def get(self, k: str) -> tuple[bytes, PartInfo] | None:
        if not self.enabled:
            return None
        pdf, meta = self.root / f"{k}.pdf", self.root / f"{k}.json"
        try:
            data = json.loads(meta.read_text(encoding="utf-8"))
            raw = pdf.read_bytes()
        except (OSError, ValueError):
            self.misses += 1
            return None
        info = PartInfo(
            data["pages"],
            {name: (page, params) for name, (page, params) in data["dests"].items()},
            [tuple(item) for item in data["outline"]],
            data["landscape"],
        )
        self.hits += 1
        return raw, info

    def put(self, k: str, raw: bytes, info: PartInfo) -> None:
        if not self.enabled:
            return
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            self._write(self.root / f"{k}.pdf", raw)
            self._write(self.root / f"{k}.json", json.dumps(asdict(info)).encode("utf-8"))
        except OSError:
            pass  # a cache that cannot be written only costs time

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
