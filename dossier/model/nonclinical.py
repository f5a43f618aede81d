"""Nonclinical pharmacology, pharmacokinetics / biodistribution and toxicology."""


import enum

from pydantic import Field

from dossier.model.base import Bool, Dose, DocumentRef, Duration, Id, Markdown, Narrative, Organisation, Person, Sources, Strict, Table, Text


class StudyType(str, enum.Enum):
    """Study types, grouped by CTD Module 4 heading (4.2.1 / 4.2.2 / 4.2.3)."""

    primary_pharmacodynamics = "primary pharmacodynamics"
    secondary_pharmacodynamics = "secondary pharmacodynamics"
    safety_pharmacology = "safety pharmacology"
    pharmacokinetics = "pharmacokinetics"
    biodistribution = "biodistribution"
    shedding = "shedding"
    single_dose_toxicity = "single-dose toxicity"
    repeat_dose_toxicity = "repeat-dose toxicity"
    genotoxicity = "genotoxicity"
    tumorigenicity = "tumorigenicity"
    integration_site = "integration site analysis"
    reproductive_toxicity = "reproductive and developmental toxicity"
    local_tolerance = "local tolerance"
    immunotoxicity = "immunotoxicity"
    other_toxicity = "other toxicity"


PHARMACOLOGY = {StudyType.primary_pharmacodynamics, StudyType.secondary_pharmacodynamics, StudyType.safety_pharmacology}
PHARMACOKINETICS = {StudyType.pharmacokinetics, StudyType.biodistribution, StudyType.shedding}


class GLP(str, enum.Enum):
    compliant = "compliant"
    non_compliant = "non-compliant"
    not_applicable = "not applicable"


class TestArticle(str, enum.Enum):
    clinical = "the clinical product (clinical process)"
    earlier_process = "the product of an earlier process version"
    earlier_construct = "an earlier construct"
    surrogate = "a species-specific surrogate"
    research_grade = "research-grade material"
    other_developer = "a related product of another developer"


class StudyReport(DocumentRef):
    """The study's report; attach it (`file:`) to file it in Module 4 with the submission."""

    individual_data: Bool | None = None
    """The report includes individual-animal data listings."""


class Study(Strict):
    id: Id
    title: Text
    type: StudyType
    species: Text
    """Species and strain, e.g. 'NSG mouse (NOD.Cg-Prkdc^scid^ Il2rg^tm1Wjl^/SzJ)' (^...^ is superscript)."""
    model: Text | None = None
    """Disease model, e.g. 'Nalm-6 disseminated leukaemia xenograft'."""
    route: Text
    glp: GLP
    glp_statement: Text | None = None
    """GLP compliance statement, or the reason for non-compliance (312.23(a)(8)(iii))."""
    pivotal: Bool | None = None
    """Pivotal safety study supporting the clinical starting dose."""
    facility: Organisation | None = None
    test_article_lots: list[Id] = Field(default_factory=list)
    dose_levels: list[Dose] = Field(default_factory=list)
    duration: Duration | None = None
    animals: Text | None = None
    """Number and sex of animals per group."""
    noael: Dose | None = None
    """No-observed-adverse-effect level, where determined."""
    model_justification: Narrative | None = None
    """Why the species or model is relevant (responsiveness to the transgene/target, permissiveness, immune status)."""
    key_findings: Markdown
    tabulation: Table | None = None
    """Tabulated results (full tabulation for toxicology studies, 312.23(a)(8)(ii)(b))."""
    report: StudyReport | None = None
    publication: Text | None = None
    """The published source when the study is evidence from the literature (authors, journal,
    year, DOI); its GLP status is then usually "not applicable"."""
    test_article: TestArticle | None = None
    """What was tested, when it matters that it is or is not the clinical product."""
    test_article_differences: Narrative | None = None
    """How the test article differs from the clinical product and why the data still apply."""
    sources: Sources = Field(default_factory=list)


class OmittedStudy(Strict):
    """A study type deliberately not conducted, with the justification reviewers expect."""

    type: StudyType
    reason: Text


class DoseJustification(Strict):
    supported_dose: Dose
    """Highest clinical dose supported by the nonclinical data."""
    rationale: Markdown


class Nonclinical(Strict):
    overview: Narrative | None = None
    """Integrated nonclinical overview (2.4)."""
    pharmacology_summary: Narrative | None = None
    pharmacokinetics_summary: Narrative | None = None
    toxicology_summary: Narrative | None = None
    """Integrated summary of toxicological effects (312.23(a)(8)(ii)(a))."""
    critical_analysis: Narrative | None = None
    """Critical analysis incl. justification of omitted studies (EU IMPD-S&E)."""
    dose_justification: DoseJustification | None = None
    evaluators: list[Person] = Field(default_factory=list)
    """Who evaluated the results and concluded the trial is reasonably safe (312.23(a)(8))."""
    records_location: Text | None = None
    """Where records of the studies are available for inspection."""
    studies: list[Study] = Field(default_factory=list)
    omitted_studies: list[OmittedStudy] = Field(default_factory=list)
    """Study types not conducted and why (justification of omissions)."""
