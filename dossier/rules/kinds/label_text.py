"""label-text: an investigational label at the given packaging level contains a required
statement (case-insensitive, dashes and spaces normalised).

Params: ``text`` (required statement), ``packaging`` ("immediate" or "outer"; omit for any),
``region`` ("us" or "eu": the labels of that region and those shared by both; omit for all).

Passes: immediate label text includes "Caution: New Drug—Limited by Federal (or United States) law to investigational use."
Fails: no immediate label, or its text lacks the statement.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from typing import Literal

from pydantic import BaseModel, ConfigDict

from dossier.model import Dossier
from dossier.rules.violation import Violation


class Params(BaseModel):
    """Parameters of this kind, validated when a pack instance is loaded."""

    model_config = ConfigDict(extra="forbid")
    text: str
    packaging: Literal["immediate", "outer"] | None = None
    region: Literal["us", "eu"] | None = None


KIND = "label-text"


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"\s*[‐‑‒–—−-]+\s*", "-", text)).strip().lower()


def check(d: Dossier, params: dict) -> Iterator[Violation]:
    wanted = _norm(params["text"])
    level = params.get("packaging")
    region = params.get("region")
    labels = [
        (i, lb)
        for i, lb in enumerate(d.labels)
        if (level is None or (lb.packaging is not None and lb.packaging.value == level))
        and (region is None or lb.region is None or lb.region.value == region)
    ]
    if not labels:
        yield Violation(("labels",), f"no {level + ' ' if level else ''}label text{' for ' + region.upper() if region else ''} is given", "add the label text under labels:")
        return
    for i, lb in labels:
        if lb.text is None:
            continue  # not yet known: INPUT-UNKNOWN says so
        if wanted not in _norm(lb.text):
            yield Violation(("labels", i, "text"), f"{lb.packaging.value if lb.packaging else 'the'} label lacks the statement “{params['text']}”")
