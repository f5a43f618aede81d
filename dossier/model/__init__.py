"""The dossier model: facts about a therapy, in domain terms, for every jurisdiction.

The schema fixes the *shape* of the facts. Whether a fact is required for a
given submission is decided by the pack (templates/<pack>/pack.yaml), so a
draft can be valid YAML long before it is a complete IND or IMPD.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from dossier.model.administrative import (
    CrossReference,
    EnvironmentalAnalysis,
    EUApplication,
    Forms,
    Label,
    Roles,
    Sponsor,
    Submission,
)
from dossier.model.base import Strict
from dossier.model.clinical import Clinical
from dossier.model.nonclinical import Nonclinical
from dossier.model.product import Product
from dossier.model.quality import Quality


class Dossier(Strict):
    """One therapy, described once; every pack renders its documents from this."""

    schema_version: Literal["1"] = "1"
    """Version of this file format."""
    submission: Submission
    sponsor: Sponsor
    roles: Roles = Field(default_factory=Roles)
    product: Product
    quality: Quality = Field(default_factory=Quality)
    nonclinical: Nonclinical = Field(default_factory=Nonclinical)
    clinical: Clinical = Field(default_factory=Clinical)
    labels: list[Label] = Field(default_factory=list)
    references: list[CrossReference] = Field(default_factory=list)
    """Information incorporated by reference, with letters of authorization (21 CFR 312.23(b))."""
    environmental_analysis: EnvironmentalAnalysis | None = None
    forms: Forms = Field(default_factory=Forms)
    eu: EUApplication = Field(default_factory=EUApplication)


__all__ = ["Dossier"]
