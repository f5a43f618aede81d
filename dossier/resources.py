"""Where the bundled templates, packs and fonts are.

In an installed wheel they live in ``dossier/_templates`` (the build copies the
top-level ``templates/`` there); in a source checkout they are ``templates/``
beside the package.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path


@cache
def templates_dir() -> Path:
    here = Path(__file__).resolve().parent
    for candidate in (here / "_templates", here.parent / "templates"):
        if (candidate / "_base").is_dir():
            return candidate
    raise FileNotFoundError("dossier templates not found (broken installation)")
