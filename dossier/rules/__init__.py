"""The check stage: completeness against a pack's section tree, plus the pack's rules."""

from __future__ import annotations

from dossier.rules.engine import Missing, check_dossier

__all__ = ["Missing", "check_dossier"]
