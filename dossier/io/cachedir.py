"""Where dossier keeps what it can compute again: laid-out pieces (render/cache.py), compiled
templates (render/env.py) and the verdicts on attached PDFs (attachments.py).

$DOSSIER_CACHE_DIR, else $XDG_CACHE_HOME/dossier, else ~/.cache/dossier. Deleting it is always
safe; a cache that cannot be read or written only costs time.
"""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    if os.environ.get("DOSSIER_CACHE_DIR"):
        return Path(os.environ["DOSSIER_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "dossier"
