"""Quality / CMC in CTD 3.2.S, 3.2.P and 3.2.A terms."""


import datetime as dt
import enum

from pydantic import Field

from dossier.model.base import sci, Bool, Address, DocumentRef, DoseBasis, DoseEntity, Duration, Id, TimeUnit, Markdown, Narrative, Organisation, Sources, Strict, SuppliedFigure, Table, TemperatureRange, Text


class Manufacturer(Strict):
    name: Text
    address: Address
    responsibilities: list[Text] = Field(min_length=1)
    """e.g. 'drug substance manufacture', 'release testing', 'storage'."""
    gmp_status: Text | None = None
    """GMP status or authorisation, e.g. 'FDA-registered; EU MIA UK/MIA 31207'."""


class InProcessControl(Strict):
    test: Text
    acceptance: Text
    """Acceptance criterion or action limit."""


class ParameterRange(Strict):
    """A process parameter's target and proven or normal operating range, with its unit."""

    min: float | None = None
    max: float | None = None
    target: float | None = None
    unit: Text
    """e.g. '°C', 'h', 'cells/mL', 'MOI', '% CO₂'."""

    def __str__(self) -> str:
        low = sci(self.min) if self.min is not None else self.answered("min", "lower limit")
        high = sci(self.max) if self.max is not None else self.answered("max", "upper limit")
        if self.min is not None and self.max is not None:
            span = f"{low}–{high}"
        elif low and high:  # a limit answered not yet known is named, never read as an open end
            span = f"{low} to {high}"
        elif self.min is not None:
            span = f"≥ {low}"
        elif self.max is not None:
            span = f"≤ {high}"
        else:
            span = low or high
        target = f"target {sci(self.target)}" if self.target is not None else self.answered("target")
        unit = self.unit or self.answered("unit")
        return " ".join(x for x in (target + ("; range " if target and span else "") + span, unit) if x)


class ProcessParameter(Strict):
    """A process parameter of a step, its range and the quality attributes it affects."""

    name: Text
    range: ParameterRange
    critical: Bool | None = None
    """A critical process parameter (its variability affects a critical quality attribute)."""
    attributes: list[Text] = Field(default_factory=list)
    """The quality attributes it affects, e.g. 'VCN', 'CAR expression', 'viability'."""


class ProcessStep(Strict):
    step: Text
    """Step number or short label, e.g. '3'."""
    name: Text
    description: Markdown
    controls: list[InProcessControl] = Field(default_factory=list)
    critical: Bool | None = None
    """Critical step (3.2.S.2.4 / 3.2.P.3.4)."""
    hold_time: Duration | None = None
    hold_condition: Text | None = None
    parameters: list[ProcessParameter] = Field(default_factory=list)
    """Process parameters with their ranges (critical ones linked to the attributes they affect)."""
    sources: Sources = Field(default_factory=list)


class Process(Strict):
    version: Text
    """Process version; lots record which version made them."""
    description: Markdown
    batch_definition: Text | None = None
    scale: Text | None = None
    steps: list[ProcessStep] = Field(default_factory=list)
    figures: list[SuppliedFigure] = Field(default_factory=list)
    """Figures of the process the sponsor supplies (beside the flow drawn from the steps)."""


class MaterialRole(str, enum.Enum):
    starting_material = "starting material"
    raw_material = "raw material"
    reagent = "reagent"
    excipient = "excipient"
    ancillary = "ancillary material"


class MaterialOrigin(str, enum.Enum):
    human = "human"
    animal = "animal"
    recombinant = "recombinant"
    synthetic = "synthetic"
    microbial = "microbial"
    plant = "plant"


class Material(Strict):
    name: Text
    role: MaterialRole
    origin: MaterialOrigin
    species: Text | None = None
    """Species or tissue source for human/animal materials, e.g. 'bovine (US-sourced serum)'."""
    supplier: Text | None = None
    grade: Text | None = None
    """e.g. 'GMP grade', 'Ph. Eur.', 'research grade with qualification'."""
    step: Text | None = None
    """Process step in which it is used."""
    safety: Text | None = None
    """Adventitious agent / TSE controls (testing, CoA, certificate of suitability)."""
    live_animal_cells: Bool | None = None
    """Viable non-human animal cells in contact with the product (e.g. irradiated murine 3T3 feeder cells)."""
    from_patient: Bool | None = None
    """true for the patient's own cells or tissue (the starting material of an autologous product):
    they are not tested like a donor's or a supplier's material of human origin."""
    sources: Sources = Field(default_factory=list)


class DonorTest(Strict):
    """One infectious-disease or other donor test."""

    marker: Text
    """What is tested, e.g. 'anti-HIV-1/2', 'HBsAg', 'HCV NAT', 'Treponema pallidum'."""
    method: Text | None = None
    """Assay, e.g. 'licensed donor-screening NAT'."""
    timing: Text | None = None
    """When the sample is taken, e.g. 'within 7 days of donation'."""


class DonorEligibility(Strict):
    """Screening, testing and eligibility determination of an allogeneic donor.

    US: 21 CFR Part 1271 Subpart C (applies to HCT/Ps regulated as biologics through
    1271.1(b)(2)); EU: Directive 2004/23/EC and Directive 2006/17/EC (Regulation (EC)
    No 1394/2007 Art 3).
    """

    donor: Text
    """Who the donor is, e.g. 'one healthy adult donor, 18-45 years, undergoing elective liposuction'."""
    screening: Markdown
    """Medical and social history, physical assessment, risk-factor exclusion."""
    tests: list[DonorTest] = Field(min_length=1)
    testing_laboratory: Text | None = None
    """e.g. 'CLIA-certified, FDA-registered donor testing laboratory'."""
    determination: Markdown
    """Who determines eligibility, on which records, and how the material is quarantined until then."""
    consent: Text | None = None
    """Donor consent and anonymisation."""
    hla_typing: Text | None = None


class CellSource(Strict):
    """Where the cells or tissue come from and how they are procured (3.2.S.2.3 starting material)."""

    tissue: Text
    """Starting tissue, e.g. 'leukapheresis', 'lipoaspirate', 'articular cartilage biopsy'."""
    procurement: Markdown
    """Procurement procedure, where and by whom, and transport to the manufacturer."""
    transport: Text | None = None
    """Container, medium, temperature and maximum time to the manufacturer."""
    acceptance: list[Text] = Field(default_factory=list)
    """Acceptance criteria at receipt (volume, cell count, time since collection, ...)."""
    donor_eligibility: DonorEligibility | None = None
    """Allogeneic donors only."""
    infectious_marker_testing: list[DonorTest] = Field(default_factory=list)
    """Infectious-disease markers tested on the patient's own starting material (autologous)."""
    reactive_material_handling: Narrative | None = None
    """What happens to starting material that is reactive or untested for an infectious marker."""


class CellBankType(str, enum.Enum):
    mcb = "master cell bank"
    wcb = "working cell bank"
    mvb = "master virus bank"
    bacterial = "bacterial cell bank"


class CellBank(Strict):
    name: Text
    type: CellBankType
    cell_line: Text
    tests: list[Text] = Field(default_factory=list)
    """Qualification tests performed (ICH Q5A/Q5D)."""
    passage_limit: Text | None = None
    """Limit of in vitro cell age, e.g. 'passage 2; product at ≤ passage 5 (≤ 20 population doublings)'."""
    vials: Text | None = None
    """Number of vials and cells per vial, e.g. '120 vials × 5 × 10⁶ cells'."""


class Plasmid(Strict):
    name: Text
    description: Text
    manufacturer: Text | None = None
    tests: list[Text] = Field(default_factory=list)


class TestCategory(str, enum.Enum):
    """Release test categories for CGT products (REFERENCE §2.1.1)."""

    sterility = "sterility"
    mycoplasma = "mycoplasma"
    endotoxin = "endotoxin"
    adventitious_agents = "adventitious agents"
    replication_competent_virus = "replication-competent virus"
    identity = "identity"
    purity = "purity"
    potency = "potency"
    strength = "strength"
    viability = "viability"
    vcn = "vector copy number"
    general = "general"


class MethodStatus(str, enum.Enum):
    compendial = "compendial"
    validated = "validated"
    qualified = "qualified"
    in_development = "in development"


class SpecTest(Strict):
    """One line of a release specification."""

    test: Text
    category: TestCategory
    method: Text
    acceptance: Text
    """Acceptance criterion, e.g. '≥ 70 % viable cells'."""
    stage: Text | None = None
    """Where the sample is taken when not the final container, e.g. 'unprocessed bulk', 'cells at harvest', 'post-thaw'."""
    method_status: MethodStatus | None = None
    result_before_release: Bool | None = None
    """true when the result is known before release; false when it comes after release (e.g. 14-day
    sterility of a fresh product). Not stated: the document says so."""


class Procedure(Strict):
    """An analytical procedure (3.2.S.4.2 / 3.2.P.5.2)."""

    id: Id
    name: Text
    principle: Markdown
    status: MethodStatus
    validation_summary: Narrative | None = None
    sources: Sources = Field(default_factory=list)


class Impurity(Strict):
    name: Text
    kind: Text
    """'product-related' or 'process-related' (free text allows e.g. 'process-related (reagent)')."""
    control: Text
    """How it is controlled or cleared."""


class EditingCharacterisation(Strict):
    """Characterisation of a genome edit (FDA genome-editing guidance, 2024)."""

    on_target: Markdown
    """On-target editing frequency and outcome (indel spectrum, knock-out/knock-in efficiency)."""
    off_target: Markdown
    """How off-target sites were nominated (in silico, empirical) and what was found."""
    genomic_integrity: Narrative | None = None
    """Translocations, large deletions, chromosomal rearrangements."""
    residual_nuclease: Narrative | None = None
    """Residual nuclease protein, mRNA or guide RNA in the product."""


class PotencyAssurance(Strict):
    """How potency is measured and assured as development goes on: the assays that reflect the
    mechanism of action, how far they are developed, and what links them to clinical effect
    (21 CFR 600.3(s) and 610.10; FDA Potency Tests for Cellular and Gene Therapy Products (2011)
    and the draft Potency Assurance for Cellular and Gene Therapy Products (2023))."""

    mechanism: Markdown
    """The mechanism of action (or the biological activity) the assays measure."""
    assays: list[Text] = Field(min_length=1)
    """The assays of the potency strategy, one or a matrix, e.g. 'IFN-γ release on CD19+ target
    cells', 'transgene expression in HEK293 cells'."""
    development: Markdown
    """Where the assays stand and how they got there: qualification or validation, reference
    material, changes between clinical phases, the plan to validate before confirmatory trials."""
    clinical_correlation: Narrative | None = None
    """What links the assay result to clinical effect (correlation analyses, exposure-response),
    or why none is available yet."""
    sources: Sources = Field(default_factory=list)


class Characterisation(Strict):
    structure: Markdown
    """Elucidation of structure and other characteristics (3.2.S.3.1)."""
    impurities: list[Impurity] = Field(default_factory=list)
    editing: EditingCharacterisation | None = None
    """Genome-edited products only."""
    potency: PotencyAssurance | None = None
    """Biological activity and the development of the potency assays."""


class StudyKind(str, enum.Enum):
    long_term = "long-term"
    accelerated = "accelerated"
    shipping = "shipping"
    in_use = "in-use"
    freeze_thaw = "freeze-thaw"


class StabilityPoint(Strict):
    """One result: ``{time: 6, value: 82.5, lot: KBT19-ENG-2511}``."""

    time: float = Field(ge=0)
    """Time point, in the series' time unit (0 = release)."""
    value: float
    lot: Id | None = None
    """The lot tested (points of one lot are joined in the plot)."""


class StabilitySeries(Strict):
    """The numeric results of one attribute over time, plotted against its acceptance limits."""

    attribute: Text
    """What is measured, e.g. 'Viability (post-thaw)'."""
    unit: Text
    """e.g. '%', 'vg/mL', 'CAR+ cells/mL'."""
    time_unit: TimeUnit
    lower_limit: float | None = None
    """Acceptance criterion's lower limit, if any."""
    upper_limit: float | None = None
    """Acceptance criterion's upper limit, if any."""
    points: list[StabilityPoint] = Field(min_length=1)


class StabilityStudy(Strict):
    kind: StudyKind
    condition: Text
    duration: Duration
    lots: list[Id] = Field(default_factory=list)
    timepoints: list[Text] = Field(default_factory=list)
    status: Text
    """e.g. 'ongoing, 12 months completed', 'complete'."""
    results: Narrative | None = None
    data: list[StabilitySeries] = Field(default_factory=list)
    """Numeric results per attribute, plotted in the stability data section with their limits."""
    sources: Sources = Field(default_factory=list)


class InUseCondition(Strict):
    """One stage of use after release: where the product is, under what condition, for how long."""

    stage: Text
    """e.g. 'after thaw, in the infusion bag', 'in the syringe', 'opened vial'."""
    condition: Text
    """e.g. '2–8 °C', 'room temperature (15–25 °C)'."""
    period: Duration


class Stability(Strict):
    shelf_life: Duration | None = None
    """Proposed shelf life (or hold time) under the storage condition."""
    storage: TemperatureRange | None = None
    storage_description: Text | None = None
    in_use_period: Duration | None = None
    """Maximum time from thaw / preparation to end of administration."""
    in_use: list[InUseCondition] = Field(default_factory=list)
    """Each in-use stage with its condition and period, e.g. 14 days refrigerated after opening,
    8 hours in the syringe at room temperature."""
    studies: list[StabilityStudy] = Field(default_factory=list)
    summary: Narrative | None = None
    protocol: Narrative | None = None
    """Post-approval / ongoing stability protocol and commitment."""


class ContainerClosure(Strict):
    description: Markdown
    materials: Text | None = None
    supplier: Text | None = None


class DrugSubstanceKind(str, enum.Enum):
    vector = "vector"
    cells = "cells"
    tissue = "tissue"
    other = "other"


class DrugSubstance(Strict):
    """One drug substance (active substance); a product may define more than one."""

    id: Id
    name: Text
    kind: DrugSubstanceKind | None = None
    """What it is: a vector, cells, tissue or other. A vector used to modify cells ex vivo is a
    starting material in the EU (the IMPD heads it so) while an IND may present it as a drug substance."""
    definition: Markdown
    """What the sponsor defines as this drug substance, and why (FDA CMC-GT 2020 §IV)."""
    nomenclature: Narrative | None = None
    structure: Narrative | None = None
    figures: list[SuppliedFigure] = Field(default_factory=list)
    """Figures of its structure the sponsor supplies, e.g. a vector or plasmid map (shown under Structure)."""
    general_properties: Narrative | None = None
    manufacturers: list[Manufacturer] = Field(default_factory=list)
    process: Process | None = None
    materials: list[Material] = Field(default_factory=list)
    cell_banks: list[CellBank] = Field(default_factory=list)
    plasmids: list[Plasmid] = Field(default_factory=list)
    cell_source: CellSource | None = None
    """Cell or tissue starting material: procurement and, for allogeneic cells, the donor."""
    process_validation: Narrative | None = None
    process_development: Narrative | None = None
    characterisation: Characterisation | None = None
    specification: list[SpecTest] = Field(default_factory=list)
    procedures: list[Procedure] = Field(default_factory=list)
    specification_justification: Narrative | None = None
    reference_standards: Narrative | None = None
    container_closure: ContainerClosure | None = None
    stability: Stability | None = None
    sources: Sources = Field(default_factory=list)

    @property
    def lot_key(self) -> str:
        """What `Lot.material` says for lots of this drug substance."""
        return self.id


class DoseUnit(Strict):
    """What a dose counts and how it scales, e.g. viable cells per kg."""

    entity: DoseEntity
    basis: DoseBasis


class Component(Strict):
    name: Text
    function: Text
    amount: Text | None = None
    """Quantity per unit or concentration, e.g. '7.5 % (v/v)'."""
    standard: Text | None = None
    """Quality standard, e.g. 'USP/Ph. Eur.'."""
    origin: MaterialOrigin | None = None


class PharmaceuticalDevelopment(Strict):
    components: Narrative | None = None
    formulation: Narrative | None = None
    process_development: Narrative | None = None
    container_closure: Narrative | None = None
    microbiological_attributes: Narrative | None = None
    compatibility: Narrative | None = None


class DrugProduct(Strict):
    name: Text
    description: Markdown
    strength: Text | None = None
    """How strength / dose is expressed and calculated."""
    dosed_as: DoseUnit | None = None
    """The entity and basis every dose of this product is expressed in (checked against protocols and nonclinical)."""
    composition: list[Component] = Field(default_factory=list)
    process_components: list[Text] = Field(default_factory=list)
    """Components used in manufacture but not present in the final product."""
    pharmaceutical_development: PharmaceuticalDevelopment | None = None
    manufacturers: list[Manufacturer] = Field(default_factory=list)
    batch_formula: Narrative | None = None
    process: Process | None = None
    process_validation: Narrative | None = None
    excipients: Narrative | None = None
    """Control of excipients, incl. those of human or animal origin (3.2.P.4)."""
    specification: list[SpecTest] = Field(default_factory=list)
    procedures: list[Procedure] = Field(default_factory=list)
    impurities: list[Impurity] = Field(default_factory=list)
    specification_justification: Narrative | None = None
    reference_standards: Narrative | None = None
    container_closure: ContainerClosure | None = None
    stability: Stability | None = None
    site_handling: Narrative | None = None
    """Handling at the clinical site: thaw, dilution, transport to bedside, hold times."""
    sources: Sources = Field(default_factory=list)

    @property
    def lot_key(self) -> str:
        """What `Lot.material` says for drug product lots."""
        return "drug_product"


class LotUse(str, enum.Enum):
    clinical = "clinical"
    nonclinical = "nonclinical"
    stability = "stability"
    engineering = "engineering"
    development = "development"


class LotResult(Strict):
    test: Text
    result: Text


class Lot(Strict):
    id: Id
    material: Id
    """`drug_substances[].id` or 'drug_product'."""
    process_version: Text
    manufacture_date: dt.date | None = None
    expiry_date: dt.date | None = None
    """Expiry or re-test date assigned at release (for a product made ahead of use)."""
    site: Text | None = None
    scale: Text | None = None
    uses: list[LotUse] = Field(min_length=1)
    results: list[LotResult] = Field(default_factory=list)
    certificate_of_analysis: DocumentRef | None = None
    """The lot's certificate of analysis; attach it with `file:` to file it with the batch analyses."""
    batch_record: DocumentRef | None = None
    """The executed batch record; attach it with `file:` (IND: 3.2.R)."""
    sources: Sources = Field(default_factory=list)


class Appendices(Strict):
    facilities: Narrative | None = None
    """3.2.A.1 facilities and equipment."""
    adventitious_agents: Narrative | None = None
    """3.2.A.2 adventitious agents safety evaluation."""
    novel_excipients: Narrative | None = None
    """3.2.A.3 novel excipients (state 'none' with reason if none)."""
    solvents_and_diluents: Narrative | None = None
    """EU IMPD A.4 solvents for reconstitution and diluents."""


class Quality(Strict):
    summary: Narrative | None = None
    """Quality overall summary introduction (2.3)."""
    drug_substances: list[DrugSubstance] = Field(default_factory=list)
    drug_product: DrugProduct | None = None
    lots: list[Lot] = Field(default_factory=list)
    comparability: Narrative | None = None
    """Comparability of lots made by different process versions (nonclinical vs clinical)."""
    chain_of_identity: Narrative | None = None
    """Chain of identity and custody from collection to administration (required for autologous products); for allogeneic products, donor-to-recipient traceability."""
    appendices: Appendices = Field(default_factory=Appendices)
    regional_information: Narrative | None = None
    placebo: Narrative | None = None
    testing_sites: list[Organisation] = Field(default_factory=list)
    batch_analyses_summary: Narrative | None = None
    batch_table: Table | None = None
