"""Clinical: investigational plan, protocols, investigator's brochure, investigators."""


import datetime as dt
import enum
from typing import Annotated

from pydantic import Field, StringConstraints, field_validator

from dossier.model.administrative import Phase
from dossier.model.identifiers import NCTNumber
from dossier.model.base import Address, Bool, Dose, DoseBasis, DocumentRef, Duration, Id, Markdown, Narrative, Organisation, Sources, Strict, SuppliedFigure, Text, Volume, WeightBand


class InvestigationalPlan(Strict):
    """Introductory statement and general investigational plan (21 CFR 312.23(a)(3))."""

    objectives: Narrative | None = None
    """Broad objectives of the investigation."""
    planned_duration: Text | None = None
    rationale: Narrative | None = None
    indications: list[Text] = Field(default_factory=list)
    approach: Narrative | None = None
    """General approach to evaluating the drug."""
    first_year_trials: Narrative | None = None
    """Kinds of trials in the first year (or a statement that plans are not yet developed)."""
    estimated_patients: int | None = Field(default=None, gt=0)
    anticipated_risks: Narrative | None = None
    """Risks of particular severity or seriousness anticipated from animal or prior human data."""
    pediatric_plan: Narrative | None = None
    """Plans for assessing pediatric safety and effectiveness (312.23(a)(10)(iii))."""


class ObjectiveLevel(str, enum.Enum):
    primary = "primary"
    secondary = "secondary"
    exploratory = "exploratory"


class Objective(Strict):
    level: ObjectiveLevel
    objective: Text
    endpoints: list[Text] = Field(min_length=1)


class Control(str, enum.Enum):
    none = "none (single arm)"
    placebo = "placebo"
    active = "active comparator"
    standard_of_care = "standard of care"
    historical = "historical"
    crossover = "open-label comparison with crossover to the investigational product"


class Population(Strict):
    description: Markdown
    planned_subjects: int = Field(gt=0)
    age_range: Text | None = None
    min_age_years: float | None = Field(default=None, ge=0)
    """Youngest age at enrolment, in years (e.g. 2, or 0.5 for six months). Below 18 the protocol
    enrols children: the IND needs its 21 CFR 50 Subpart D safeguards (`children_safeguards`)."""
    inclusion: list[Text] = Field(min_length=1)
    exclusion: list[Text] = Field(min_length=1)


class DoseLevel(Strict):
    level: Text
    """Cohort label, e.g. 'DL1' or '-1'."""
    dose: Dose
    """The dose (a range with `up_to`); with weight bands, the dose up to the first band's weight."""
    weight_bands: list[WeightBand] = Field(default_factory=list)
    """Doses for heavier patients, e.g. per kg up to 50 kg and a flat dose above: ``[{above_kg: 50,
    dose: {value: 1.0e8, up_to: 2.5e8, entity: ..., basis: flat}}]``."""
    volume: Volume | None = None
    """Volume administered (e.g. 10–70 mL per bag, 0.3 mL per eye)."""
    total: Dose | None = None
    """The most one patient receives in all (flat), when it differs from the dose: e.g. both eyes
    (2 × 1.5 × 10¹¹ vg = 3.0 × 10¹¹ vg)."""
    population: Text | None = None
    """Who this dose is for when the protocol doses groups differently, e.g. 'paediatric and young
    adult B-ALL' or 'DLBCL'."""
    subjects: Text | None = None
    """Planned number of subjects, e.g. '3-6'."""

    @field_validator("total")
    @classmethod
    def _total_is_flat(cls, total):
        if total is not None and total.basis is not None and total.basis is not DoseBasis.flat:
            raise ValueError(f"total is what one patient receives in all: give it with basis flat (not {total.basis.value})")
        return total

    def dose_text(self) -> str:
        """The dose as a document states it, weight bands included."""
        if not self.weight_bands:
            return str(self.dose)
        bands = sorted(self.weight_bands, key=lambda b: b.above_kg)
        parts = [f"{self.dose} (up to {bands[0].above_kg:g} kg)"]
        parts += [f"above {b.above_kg:g} kg: {b.dose}" for b in bands]
        return "; ".join(parts)


class Agent(Strict):
    name: Text
    dose: Text
    """Dose with unit, e.g. '30 mg/m²/day'."""
    days: Text
    """Days relative to infusion, e.g. 'Day -5 to Day -3'."""


class SequentialAdministration(Strict):
    """Doses given to several sites one after the other: ``{sites: [first eye, second eye],
    min_interval: {value: 6, unit: days}, max_interval: {value: 18, unit: days}}``."""

    sites: list[Text] = Field(min_length=2)
    """The sites in the order treated, e.g. 'first eye (worse-seeing)', 'second eye'."""
    min_interval: Duration
    """The shortest time between two administrations."""
    max_interval: Duration | None = None
    """The longest time allowed between two administrations, if any."""
    note: Narrative | None = None
    """Conditions for treating the next site (e.g. no unresolved inflammation in the first eye)."""

    def __str__(self) -> str:
        gap = f"at least {self.min_interval}" + (f" and at most {self.max_interval}" if self.max_interval else "")
        return f"{', then '.join(self.sites)}; {gap} apart"


class Treatment(Strict):
    dose_levels: list[DoseLevel] = Field(min_length=1)
    max_dose: Dose | None = None
    """Planned maximum dose (312.23(a)(6)(iii)(e))."""
    dose_determination: Narrative | None = None
    schedule: Markdown
    exposure_duration: Text | None = None
    administration: Narrative | None = None
    administration_window: Duration | None = None
    """Longest time from thaw or preparation to the end of administration allowed by the protocol."""
    lymphodepletion: list[Agent] = Field(default_factory=list)
    conditioning: list[Agent] = Field(default_factory=list)
    """Myeloablative or reduced-intensity conditioning before haematopoietic stem-cell infusion."""
    immunosuppression: list[Agent] = Field(default_factory=list)
    """Prophylactic immunosuppression around the dose (e.g. prednisolone against an immune
    response to an AAV capsid), agent by agent."""
    conditioning_rationale: Narrative | None = None
    """Why this conditioning regimen and intensity, and how exposure is monitored (e.g. busulfan AUC targeting)."""
    bridging_therapy: Narrative | None = None
    premedication: Narrative | None = None
    sequential: SequentialAdministration | None = None
    """Administration to more than one site one after the other (e.g. one eye, then the other)."""


class Escalation(Strict):
    scheme: Markdown
    dlt_definition: Markdown
    dlt_window: Duration
    stagger_interval: Duration | None = None
    """Interval between the first subjects of a cohort (staggered/sentinel dosing)."""
    decision_body: Text | None = None
    decision_rules: Narrative | None = None


class ImmuneEffectorToxicity(Strict):
    """CRS and ICANS grading and management (FDA CAR-T guidance 2024 §VI.D)."""

    crs_grading: Text
    icans_grading: Text
    management: Markdown
    hospitalisation: Text | None = None
    proximity: Text | None = None
    tocilizumab_available: Text | None = None


class Procurement(Strict):
    """The procedure that collects the starting material from the subject (two-step autologous treatment)."""

    procedure: Markdown
    """Biopsy or apheresis procedure, setting and who performs it."""
    interval: Text
    """Time from procurement to administration, e.g. '6-8 weeks'."""
    eligibility: Narrative | None = None
    """Eligibility checks before procurement and again before administration."""
    consent: Narrative | None = None
    """How consent covers the procurement procedure as well as treatment."""


class SurgicalAdministration(Strict):
    """Surgical implantation or placement of the product (tissue-engineered and combined products)."""

    procedure: Markdown
    """The surgical procedure, standardised step by step (approach, defect preparation, fixation)."""
    surgeon_training: Markdown
    """Training and qualification of surgeons before they treat subjects."""
    rehabilitation: Narrative | None = None
    """Post-operative rehabilitation protocol."""
    anaesthesia: Text | None = None


class Assessment(Strict):
    name: Text
    visits: list[Text] = Field(min_length=1)
    """Names of the visits at which it is done (must be in the schedule's visits)."""
    note: Text | None = None
    """A footnote to the assessment (e.g. 'only in subjects seropositive for CMV'), printed under the table."""


class VisitWindow(Strict):
    """The allowed window of one visit: ``{visit: Day 28, window: ± 3 days}``."""

    visit: Text
    """A visit of the schedule."""
    window: Text


class ScheduleOfAssessments(Strict):
    visits: list[Text] = Field(min_length=1)
    """The visits in order, named as the protocol text names them (e.g. 'Day 28', 'Month 3 (Day 90)')."""
    assessments: list[Assessment] = Field(min_length=1)
    windows: list[VisitWindow] = Field(default_factory=list)
    """Visit windows, printed under each visit's name."""
    notes: list[Text] = Field(default_factory=list)
    """Footnotes to the whole schedule, e.g. visits between the listed ones that the text describes
    ('weekly visits from discharge to Day 60')."""


class LongTermFollowUp(Strict):
    duration: Duration
    protocol: Text | None = None
    """Separate LTFU protocol, if any."""
    schedule: Markdown
    rcv_monitoring: Narrative | None = None
    """Replication-competent virus monitoring of subjects."""


class DeviceStatus(str, enum.Enum):
    approved = "FDA-approved or cleared for this use"
    ide_approved = "IDE approved"
    ide_submitted = "IDE submitted"
    ide_in_this_ind = "IDE information submitted within this IND"
    nonsignificant_risk = "non-significant risk (IRB determination)"
    exempt = "exempt from the IDE requirements (21 CFR 812.2(c))"
    undetermined = "not yet determined"


class SelectionAssay(Strict):
    """An assay that decides eligibility or assignment: an investigational in vitro diagnostic unless
    approved or cleared for that use (21 CFR Part 812)."""

    name: Text
    purpose: Text
    """What the result decides, e.g. 'CD19 expression on tumour cells confirms eligibility'."""
    laboratory: Text | None = None
    device_status: DeviceStatus
    cut_off: Text | None = None
    """The result that decides, e.g. 'total anti-AAVrh74 antibody titre < 1:400'."""
    reference: Text | None = None
    """IDE number, Q-submission number, IRB determination or 510(k)/PMA number."""


class ReferenceSafetyInformation(Strict):
    """The RSI as content (Regulation (EU) No 536/2014 Annex I E point 30): what makes a serious
    adverse reaction expected for the trial."""

    version: Text
    date: dt.date | None = None
    expected_serious_adverse_reactions: list[Text] = Field(default_factory=list)
    """Each expected serious adverse reaction with its frequency; an empty list says none is
    expected (as for a first-in-human trial: every serious reaction is then reported as unexpected)."""


class Period(Strict):
    """A planned period, from `start` to `end` (either may be left out)."""

    start: dt.date | None = None
    end: dt.date | None = None


class TrialPeriod(Strict):
    """One period of a subject's course through the trial, in order: ``{name: Lymphodepletion,
    duration: {value: 3, unit: days}}``. The periods draw the trial schema."""

    name: Text
    duration: Duration | None = None
    description: Text | None = None
    """What happens, briefly (e.g. 'fludarabine and cyclophosphamide, Days −5 to −3')."""


class Protocol(Strict):
    id: Id
    """Sponsor protocol code."""
    title: Text
    short_title: Text | None = None
    version: Text
    date: dt.date | None = None
    document: DocumentRef | None = None
    """The full protocol document (a PDF can be attached through document.file)."""
    consent_form: DocumentRef | None = None
    """The informed consent document for the protocol; attach it with `file:` to file it with the protocol."""
    phase: Phase
    enrolment_period: Period | None = None
    """Planned first and last enrolment (the clinical lots and their stability must cover it,
    21 CFR 312.23(a)(7)(ii))."""
    nct_number: NCTNumber | None = None
    """ClinicalTrials.gov identifier, e.g. NCT01234567."""
    objectives: list[Objective] = Field(min_length=1)
    design: Markdown
    control: Control
    periods: list[TrialPeriod] = Field(default_factory=list)
    """The periods of the trial in order (screening, treatment, follow-up ...), drawn as the trial schema."""
    figures: list[SuppliedFigure] = Field(default_factory=list)
    """Figures of the design the sponsor supplies (shown under the study design)."""
    bias_minimisation: Narrative | None = None
    population: Population
    treatment: Treatment
    escalation: Escalation | None = None
    stopping_rules: list[Text] = Field(default_factory=list)
    observations: Narrative | None = None
    """Observations and measurements to fulfil the objectives (312.23(a)(6)(iii)(f))."""
    safety_monitoring: Markdown
    """Clinical procedures and laboratory tests to monitor effects and minimise risk."""
    adverse_event_management: Narrative | None = None
    immune_effector_toxicity: ImmuneEffectorToxicity | None = None
    procurement: Procurement | None = None
    """Collection of the starting material (biopsy, apheresis) in a two-step autologous treatment."""
    surgical_administration: SurgicalAdministration | None = None
    gvhd_monitoring: Narrative | None = None
    """Graft-versus-host disease prevention, grading and monitoring (allogeneic cells)."""
    manufacturing_failure: Narrative | None = None
    positive_culture_plan: Narrative | None = None
    """What happens when a sterility result that arrives after administration is positive."""
    secondary_malignancy_plan: Narrative | None = None
    """Surveillance for secondary malignancies / insertional oncogenesis."""
    schedule_of_assessments: ScheduleOfAssessments | None = None
    long_term_follow_up: LongTermFollowUp | None = None
    statistics: Narrative | None = None
    irbs: list[Organisation] = Field(default_factory=list)
    children_safeguards: Narrative | None = None
    """How the protocol meets the additional safeguards for children (21 CFR 50 Subpart D): the
    risk category it falls under (50.51-50.54), the permission of parents or guardians and the
    assent of the children (50.55)."""
    biosafety_committees: list[Organisation] = Field(default_factory=list)
    """Institutional Biosafety Committees that review the protocol at the sites (NIH Guidelines;
    gene therapy protocols), with their status in `biosafety_review`."""
    biosafety_review: Narrative | None = None
    """Status of the Institutional Biosafety Committee review at each site (approved, pending, date)."""
    selection_assays: list[SelectionAssay] = Field(default_factory=list)
    """Assays whose result decides who may enrol (e.g. a CD19 or HLA test): each is an
    investigational device unless cleared or approved, with its device status."""
    sources: Sources = Field(default_factory=list)


class StudyPhase(str, enum.Enum):
    phase_1 = "1"
    phase_1_2 = "1/2"
    phase_2 = "2"
    phase_2_3 = "2/3"
    phase_3 = "3"
    phase_4 = "4"
    observational = "observational"
    registry = "registry"


class StudyStatus(str, enum.Enum):
    planned = "planned"
    ongoing = "ongoing (recruiting or treating)"
    follow_up = "in follow-up (enrolment closed)"
    completed = "completed"
    terminated = "terminated early"


class RegistryId(Strict):
    """A trial's identifier in a registry: ``{registry: NCT, id: NCT03036332}``, EudraCT, CTIS, jRCT, ISRCTN ..."""

    registry: Text
    id: Text


class ClinicalStudy(Strict):
    """A clinical study of the product other than the protocols submitted here: completed, ongoing
    or long-term follow-up studies, by this sponsor or others (the evidence behind previous human
    experience, and the IND's tabular listing); or, with `product_given: false`, a study of the
    disease without the product (natural history, a registry used as an external control)."""

    id: Id
    """The sponsor's study code."""
    title: Text
    registry_ids: list[RegistryId] = Field(default_factory=list)
    phase: StudyPhase
    design: Text | None = None
    product_given: Bool | None = None
    """false for a study in which the product is not given (a natural-history study, a disease
    registry used as an external control): it is listed apart from the studies of the product."""
    sponsor: Text | None = None
    """Who sponsors it (this sponsor, a partner, an academic group)."""
    countries: list[Text] = Field(default_factory=list)
    under_us_ind: Bool | None = None
    """Whether it runs under a US IND (this one or another)."""
    ind_number: Text | None = None
    """The US IND it runs under, when it does."""
    status: StudyStatus
    enrolled: int | None = Field(default=None, ge=0)
    treated: int | None = Field(default=None, ge=0)
    follow_up: Duration | None = None
    """Planned follow-up of each subject (may be answered not yet known)."""
    results: Narrative | None = None
    """Key results with their statistics (or where they stand)."""
    sources: Sources = Field(default_factory=list)


class InvestigatorsBrochure(Strict):
    """Investigator's brochure summary (21 CFR 312.23(a)(5))."""

    document: DocumentRef | None = None
    description: Narrative | None = None
    pharmacology_toxicology: Narrative | None = None
    pharmacokinetics: Narrative | None = None
    human_experience: Narrative | None = None
    risks: Narrative | None = None
    """Anticipated risks, side effects, precautions and special monitoring."""
    reference_safety_information: Text | None = None
    rsi: ReferenceSafetyInformation | None = None
    """The reference safety information itself: version, date and the expected serious adverse reactions."""
    """Where the IB's reference safety information section is (CTR Annex I E)."""


class Investigator(Strict):
    """Form FDA 1572 data for one investigator."""

    name: Text
    degrees: Text | None = None
    address: Address
    cv: DocumentRef | None = None
    """The investigator's curriculum vitae (attach the signed CV with `file:`; its number alone
    when it is not filed with this submission)."""
    form_1572: DocumentRef | None = None
    """The investigator's signed Form FDA 1572 (eCTD 1.1); attach it with `file:`."""
    facilities: list[Organisation] = Field(min_length=1)
    laboratories: list[Organisation] = Field(default_factory=list)
    irb: Organisation | None = None
    subinvestigators: list[Text] = Field(default_factory=list)
    protocols: list[Id] = Field(min_length=1)


class Clinical(Strict):
    plan: InvestigationalPlan = Field(default_factory=InvestigationalPlan)
    previous_human_experience: Narrative | None = None
    """Summary of previous human experience; say so explicitly when there is none."""
    overview: Narrative | None = None
    """Clinical overview (2.5)."""
    benefit_risk: Narrative | None = None
    """Overall risk and benefit assessment (EU IMPD-S&E)."""
    protocols: list[Protocol] = Field(default_factory=list)
    studies: list[ClinicalStudy] = Field(default_factory=list)
    """Other clinical studies of the product (completed, ongoing, follow-up), with their results;
    an empty list says there are none."""
    investigators_brochure: InvestigatorsBrochure | None = None
    investigators: list[Investigator] = Field(default_factory=list)
