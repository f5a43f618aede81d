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
    """What is submitted, when, under which numbers and phases."""
    sponsor: Sponsor
    """The sponsor, its signatory, commitments and contract research organisations."""
    roles: Roles = Field(default_factory=Roles)
    """Medical monitor and safety reviewers (Form FDA 1571)."""
    product: Product
    """What the product is, how it is classified and how it acts."""
    quality: Quality = Field(default_factory=Quality)
    """Chemistry, manufacturing and controls in CTD 3.2.S / 3.2.P / 3.2.A terms."""
    nonclinical: Nonclinical = Field(default_factory=Nonclinical)
    """Nonclinical studies, their summaries and the starting-dose justification."""
    clinical: Clinical = Field(default_factory=Clinical)
    """Investigational plan, protocols, investigator's brochure, investigators."""
    labels: list[Label] = Field(default_factory=list)
    """Investigational labels as provided to investigators."""
    references: list[CrossReference] = Field(default_factory=list)
    """Information incorporated by reference, with letters of authorization (21 CFR 312.23(b))."""
    environmental_analysis: EnvironmentalAnalysis | None = None
    """Categorical exclusion claim or environmental assessment (21 CFR Part 25)."""
    forms: Forms = Field(default_factory=Forms)
    """Data for FDA forms other than 1571/1572 (Form FDA 3674)."""
    eu: EUApplication = Field(default_factory=EUApplication)
    """Facts only the EU clinical trial application needs."""


__all__ = ["Dossier"]
