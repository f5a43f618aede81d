"""The dossier model: facts about a therapy, in domain terms, for every jurisdiction.

The schema fixes the *shape* of the facts. Whether a fact is required for a
given submission is decided by the pack (templates/<pack>/pack.yaml), so a
draft can be valid YAML long before it is a complete IND or IMPD.
"""


from typing import Literal

from pydantic import Field, PrivateAttr

from dossier.model.administrative import (
    EUApplication,
    GlossaryEntry,
    Label,
    Roles,
    Sponsor,
    Submission,
    USApplication,
)
import datetime as dt
from typing import Annotated

from pydantic import StringConstraints

from dossier.model.base import Strict, Text
from dossier.model.identifiers import RuleId
from dossier.model.clinical import Clinical
from dossier.model.nonclinical import Nonclinical
from dossier.model.product import Product
from dossier.model.quality import Quality


class Waiver(Strict):
    """An accepted deviation from a rule, with who approved it and why (never a command-line switch)."""

    rule: RuleId
    """The rule id the waiver covers, e.g. IND-TOX-007."""
    path: str | None = None
    """Limit the waiver to findings at this YAML path or below (e.g. nonclinical.studies[2])."""
    reason: Text
    approved_by: Text
    """Name and role of the person who accepted the deviation."""
    date: dt.date | None = None


class Dossier(Strict):
    """One therapy, described once; every pack renders its documents from this."""

    schema_version: Literal["1"] = "1"
    """Version of this file format."""
    submission: Submission
    """What is submitted, when, and for which clinical phases (numbers are in us: and eu:)."""
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
    glossary: list[GlossaryEntry] = Field(default_factory=list)
    """Abbreviations and terms the documents use (the IMPD is prefaced by a glossary, Regulation
    (EU) No 536/2014 Annex I G)."""
    waivers: list[Waiver] = Field(default_factory=list)
    """Accepted deviations from rules; waived findings stay in the report and the document."""
    us: USApplication = Field(default_factory=USApplication)
    """Facts only the FDA IND needs: numbers, commitments, US agent, forms, environmental analysis, references."""
    eu: EUApplication = Field(default_factory=EUApplication)
    """Facts only the EU clinical trial application needs: trial number, Member States, CTA Part I particulars."""

    _views: dict = PrivateAttr(default_factory=dict)
    """region -> this dossier as that region's documents see it (dossier/model/regional.py)."""


__all__ = ["Dossier"]
