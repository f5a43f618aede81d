"""The pack manifest (templates/<pack>/pack.yaml): a numbered section tree as data.

A pack maps the facts of a `Dossier` onto one jurisdiction's document: which
sections exist, in which order and nesting, which requirement each answers
(`cite`), which facts each draws on (`show` / `template`), and which facts are
required, possibly only when a product condition holds (`requires[].when`).
"""

from __future__ import annotations

import enum
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from dossier.findings import Severity

SectionId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9.()\-/]*$", max_length=40)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Verification(str, enum.Enum):
    """How well the cited source was verified (REFERENCE.md §0.1)."""

    verified = "V"
    third_party = "V3P"
    unverified = "R"


UNVERIFIED = " [unverified reference]"
"""Appended to a citation in reports (findings, explain, SARIF) when its source was not verified;
never printed in a document."""


RuleId = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2,6}-[A-Z]{2,5}-\d{3}$")]


def _as_list(v: object) -> object:
    return [v] if isinstance(v, str) else v


def _as_severity(v: object) -> object:
    return Severity[v.upper()] if isinstance(v, str) else v


Conditions = Annotated[list[str], BeforeValidator(_as_list)]
"""Condition names from `dossier.facts` (one name or a list; all must hold; `!name` negates)."""
SeverityField = Annotated[Severity, BeforeValidator(_as_severity)]


class KindCite(_Strict):
    """The source of a requirement for one kind of product. In a list, the first entry whose
    conditions hold applies; the last entry has none (every other product), and where the
    domain reference names no source for those products it says so instead of borrowing one."""

    when: Conditions = Field(default_factory=list)
    cite: str
    basis: Verification | None = None
    """How well this source was verified (default: the requirement's `basis`)."""


def _ends_with_fallback(value: str | list[KindCite]) -> str | list[KindCite]:
    if isinstance(value, list):
        if not value:
            raise ValueError("a list of sources needs at least one entry")
        if value[-1].when:
            raise ValueError("the last source of a list has no `when`: it is the source for every other product")
    return value


Cite = Annotated[str | list[KindCite], AfterValidator(_ends_with_fallback)]
"""A source for every product (a string), or sources by product kind (a list of KindCite)."""


def source(cite: Cite, basis: "Verification", d) -> tuple[str, "Verification"]:
    """(citation, basis) of a requirement or rule for this dossier's product."""
    if isinstance(cite, str):
        return cite, basis
    from dossier import facts

    for entry in cite:
        if facts.holds(entry.when, d):
            return entry.cite, entry.basis or basis
    raise AssertionError("unreachable: the last source has no conditions")


def sources(cite: Cite, basis: "Verification") -> list[tuple[list[str], str, "Verification"]]:
    """(conditions, citation, basis) of every source, for `dossier explain` and the catalogue."""
    if isinstance(cite, str):
        return [([], cite, basis)]
    return [(entry.when, entry.cite, entry.basis or basis) for entry in cite]


class Requirement(_Strict):
    """One fact a section needs before the document is complete."""

    id: RuleId
    """Stable rule id reported with the finding (several facts of one regulatory item share it)."""
    path: str
    """Fact path: absolute (`sponsor.name`) or, in a repeated section, relative to the item (`@.materials`).
    `[]` means "every item": `clinical.protocols[].population`."""
    label: str
    """What is missing, in the writer's words ("control of materials")."""
    cite: Cite
    """The source of the requirement (CFR section, guideline and section)."""
    basis: Verification = Verification.verified
    when: Conditions = Field(default_factory=list)
    """Conditions (all must hold), by name from `dossier.facts`; prefix `!` negates."""
    severity: SeverityField = Severity.ERROR
    otherwise: str | None = None
    """Another fact path that meets the requirement when `path` is not given, e.g. the nonclinical
    studies or, for a product with none, their omissions stated with reasons."""
    none_is_an_answer: bool = False
    """A list the YAML gives empty meets the requirement: the regulation asks for a list that may
    be empty (countries where marketed), so "none" is an answer; left out is still missing."""


class ItemTitle(_Strict):
    """A repeated section's title for the items that meet `when` (item conditions included)."""

    when: Conditions
    title: str
    """May use {name}, as repeat_title does."""


class Section(_Strict):
    id: SectionId
    title: str
    label: str | None = None
    """How the number is printed before the title (default: the id), e.g. 'Module 3'."""
    cite: Cite = ""
    """The requirement this section answers, e.g. '21 CFR 312.23(a)(7)(iv)(a)' (or by product kind)."""
    template: str | None = None
    """Jinja template (relative to templates/) that presents this section's facts."""
    show: list[str] = Field(default_factory=list)
    """Narrative fact paths rendered in order when no template is given."""
    repeat: str | None = None
    """Render this section once per item of a list fact (e.g. one 3.2.S per drug substance)."""
    repeat_title: str | None = None
    """Title for each repetition; `{name}` is replaced by the item's name."""
    repeat_titles: list[ItemTitle] = Field(default_factory=list)
    """Titles for the items a condition picks out (the first whose `when` holds for the item),
    e.g. an EU vector for ex vivo modification headed as a starting material."""
    when: Conditions = Field(default_factory=list)
    """Include the section only when these conditions hold (else it is shown as not applicable)."""
    omit_when_not_applicable: bool = False
    """A heading the regulation does not name (a part of a protocol the tool adds for some
    products): left out of the document, rather than shown as not applicable, when `when` fails."""
    requires: list[Requirement] = Field(default_factory=list)
    params: dict[str, str | list[str]] = Field(default_factory=dict)
    """Template parameters (e.g. which study types a Module 4 heading lists)."""
    sections: list[Section] = Field(default_factory=list)
    attach: list[str] = Field(default_factory=list)
    """Fact paths of documents (DocumentRef) whose PDF file, when given, is included after this
    section's content as a child section of its own (cover sheet, then the document's pages)."""


class RuleInstance(_Strict):
    """A rule kind (Python, `dossier.rules.kinds`) applied with this pack's parameters and citation."""

    id: RuleId
    use: str
    """Rule kind name, e.g. 'dose-units-consistent'."""
    severity: SeverityField = Severity.ERROR
    cite: Cite
    basis: Verification = Verification.verified
    when: Conditions = Field(default_factory=list)
    params: dict = Field(default_factory=dict)


class FrontMatter(_Strict):
    """A generated page placed after the table of contents (e.g. the 312.23 cross-reference)."""

    title: str
    template: str


class ItemReference(_Strict):
    """One item of the governing regulation and where the document answers it (cross-reference table)."""

    item: str
    """e.g. '312.23(a)(7)'."""
    title: str
    sections: list[SectionId] = Field(default_factory=list)
    note: str = ""
    """Shown instead of (or after) the section links, e.g. for a reserved paragraph."""


class PageSetup(_Strict):
    size: str
    """CSS page size: 'letter' or 'A4'."""
    preflight_size: str
    """Size name for `dossier preflight --page-size`: letter or a4."""


class EctdLeaf(_Strict):
    section: SectionId
    """A section id of the pack's tree; a repeated section gives one leaf per item."""
    folder: str
    """Folder relative to the sequence folder; {item} is the repeated item's id, {code} the product code."""
    file: str
    """File name without .pdf (same placeholders)."""
    ctd: str = ""
    """The eCTD heading the document is filed under in the backbone, when it is not the section id
    (IND Module 1 sections carry form numbers: '1.1-1571' is filed under 1.1)."""
    tag: str = ""
    """The document's file-tag in its study's tagging file (a protocol leaf: 'synopsis'), or its
    document type (CTIS)."""
    split_by: str = ""
    """One document per value of a field of a top-level list, e.g. 'labels[].language': each holds
    the section with only the list's items of that value (the items the pack's region shows);
    `{value}` in `file` is the value."""

    @property
    def heading(self) -> str:
        return self.ctd or self.section


class EctdDocument(_Strict):
    """Where the attached documents a fact path names are filed in the backbone."""

    fact: str
    """A fact path of attached documents, e.g. 'us.references[].letter'."""
    ctd: str
    """The eCTD heading, e.g. '1.4.1'; '{type}' for a nonclinical study report: the Module 4
    heading whose section reports the study's type."""
    tag: str = ""
    """The document's file-tag in its study tagging file ('pre-clinical-study-report')."""


class EctdLayout(_Strict):
    sequence: str = ""
    """Sequence folder, e.g. '0000'; '{serial}' is the submission's serial number (empty: the
    documents go directly into OUTDIR)."""
    basis: str
    """Where the folder and file names come from, and how sure that is."""
    backbone: bool = False
    """Write the eCTD v3.2.2 backbone (index.xml, regional XML, study tagging files)."""
    leaves: list[EctdLeaf] = Field(min_length=1)
    documents: list[EctdDocument] = Field(default_factory=list)


class SharedFact(_Strict):
    """A fact more than one heading of the document would show. Its owner (the heading where ICH
    M4 or the regulation places it) shows it; every other heading prints a linked reference to
    the owner instead, so an amendment changes it in one place. Templates name the fact:
    ``{% call m.once("comparability", node, "...") %}...{% endcall %}``."""

    fact: str
    owner: SectionId
    """The section that shows the fact (of a repeated section: its first item's)."""
    referred_from: list[str] = Field(min_length=1)
    """The headings (section ids, or front-matter titles) that point to the owner instead of
    repeating it (documentation, checked)."""
    cite: str
    """Why the owner holds it."""


class Pack(_Strict):
    name: str
    title: str
    """Document title, e.g. 'Investigational New Drug Application'."""
    short_title: str
    """Used in running headers and default file names, e.g. 'IND'."""
    jurisdiction: str
    region: Literal["us", "eu"]
    """Whose text the documents show where the YAML gives text per region (``{us:, eu:}``) and
    which labels (dossier/model/regional.py)."""
    rule_prefix: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2,6}$")]
    page: PageSetup
    language: Literal["en-GB", "en-US"] = "en-GB"
    """Language variant of the template text (the templates are written in en-GB; en-US replaces
    the words of dossier/data/spelling-en-US.tsv). The sponsor's own text is printed as written."""
    date_format: str = "%-d %B %Y"
    """strftime format for dates in the document (US: 'November 2, 2026'; EU: '2 November 2026')."""
    vocabulary: dict[str, str] = Field(default_factory=dict)
    """Words that differ by jurisdiction (drug substance / active substance, ...)."""
    aliases: dict[str, list[SectionId]] = Field(default_factory=dict)
    """Alternative ids that select several sections, e.g. '312.23(a)(7)' -> CMC sections."""
    alias_titles: dict[str, str] = Field(default_factory=dict)
    front_matter: list[FrontMatter] = Field(default_factory=list)
    cross_reference: list[ItemReference] = Field(default_factory=list)
    """The regulation's items in its own order, mapped to sections (front-matter table)."""
    """Templates rendered after the table of contents (e.g. the 312.23 cross-reference)."""
    sections: list[Section]
    rules: list[RuleInstance] = Field(default_factory=list)
    shared_facts: list[SharedFact] = Field(default_factory=list)
    """Facts shown once, under their owner; referred to elsewhere."""
    ectd: EctdLayout | None = None
    """Leaf documents and their folders for `dossier build --layout ectd`."""
