from __future__ import annotations

from dataclasses import dataclass

from dossier.io.yamlsource import PathT


@dataclass(frozen=True)
class Violation:
    """What a rule kind reports: where (YAML path) and what is wrong."""

    path: PathT
    message: str
    hint: str = ""
    cite: str | None = None
    """The source of this finding when it is not the rule's own (e.g. one expectation of several)."""
