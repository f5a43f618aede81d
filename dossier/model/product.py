"""The product: what it is, how it is classified, how it acts."""


import datetime as dt
import enum

from pydantic import Field

from dossier.model.base import Bool, DocumentRef, Dose, Markdown, Narrative, Sources, Strict, Text
from dossier.model.identifiers import ATCCode, NDC, Jurisdiction, ProperNameSuffix


class EUClass(str, enum.Enum):
    """EU ATMP class (Regulation (EC) No 1394/2007 Art 2; Directive 2001/83/EC Annex I Part IV)."""

    GTMP = "GTMP"
    sCTMP = "sCTMP"
    TEP = "TEP"
    cATMP = "cATMP"


class Origin(str, enum.Enum):
    autologous = "autologous"
    allogeneic = "allogeneic"
    xenogeneic = "xenogeneic"
    not_cell_based = "not cell-based"


class Modality(str, enum.Enum):
    car_t = "CAR-T cells"
    tcr_t = "TCR-T cells"
    gene_modified_hsc = "gene-modified haematopoietic stem cells"
    in_vivo_viral_vector = "in vivo viral vector gene therapy"
    non_viral_gene_therapy = "non-viral gene therapy"
    somatic_cell_therapy = "somatic cell therapy"
    tissue_engineered = "tissue-engineered product"


class VectorType(str, enum.Enum):
    lentiviral = "lentiviral"
    gammaretroviral = "gammaretroviral"
    retroviral = "retroviral (other)"
    aav = "AAV"
    adenoviral = "adenoviral"
    hsv = "HSV"
    transposon = "transposon"
    plasmid = "plasmid"
    mrna = "mRNA"
    non_viral = "non-viral (other)"


INTEGRATING = {VectorType.lentiviral, VectorType.gammaretroviral, VectorType.retroviral, VectorType.transposon}


class Vector(Strict):
    type: VectorType
    name: Text | None = None
    """Vector name or code."""
    generation: Text | None = None
    """e.g. 'third-generation, self-inactivating'."""
    pseudotype_or_serotype: Text | None = None
    """Envelope pseudotype (VSV-G) or capsid serotype (AAV9)."""
    integrating: Bool
    """Whether the vector integrates into the host genome (drives RCR/RCL testing and 15-year follow-up)."""
    replication_competent: Bool | None = None
    promoter: Text | None = None
    transgene: Text | None = None
    """Expression cassette / transgene description."""
    description: Narrative | None = None
    sequence_document: DocumentRef | None = None
    """The annotated vector (or expression-cassette) sequence as a document; attach it with `file:`
    to file it with the structure of the drug substance."""


class Editing(Strict):
    nuclease: Text
    targets: list[Text] = Field(min_length=1)
    delivery: Text


class CAR(Strict):
    """Chimeric antigen receptor construct."""

    target: Text
    binder: Text
    """Antigen-binding domain, e.g. 'murine FMC63-derived scFv'."""
    hinge_transmembrane: Text | None = None
    costimulatory_domain: Text | None = None
    signalling_domain: Text | None = None
    generation: Text | None = None


class GeneticModification(Strict):
    method: Text
    """How the genetic material is introduced (ex vivo transduction, in vivo vector administration, ...)."""
    vector: Vector | None = None
    editing: Editing | None = None
    car: CAR | None = None


class IntendedAction(str, enum.Enum):
    pharmacological_immunological_metabolic = "pharmacological, immunological or metabolic"
    regenerate_repair_replace = "regenerate, repair or replace tissue"


class ClassificationBasis(Strict):
    """Facts from which the EU ATMP class follows (REFERENCE §3.1)."""

    recombinant_nucleic_acid: Bool | None = None
    """Declared; must agree with `product.genetic_modification` (the class is derived from that)."""
    substantially_manipulated: Bool | None = None
    homologous_use: Bool | None = None
    intended_action: IntendedAction | None = None
    integral_device: Bool | None = None
    viable_cells: Bool | None = None
    cat_recommendation: Text | None = None
    """Reference of a CAT classification recommendation, if obtained."""


class Route(str, enum.Enum):
    intravenous = "intravenous"
    subretinal = "subretinal"
    intravitreal = "intravitreal"
    intrathecal = "intrathecal"
    intracerebral = "intracerebral"
    intra_articular = "intra-articular"
    intralesional = "intralesional"
    intramuscular = "intramuscular"
    intradermal = "intradermal"
    subcutaneous = "subcutaneous"
    surgical_implantation = "surgical implantation"
    ocular_surface_implantation = "ocular surface implantation"
    """Graft placed on the ocular surface (e.g. limbal stem-cell sheet after pannus removal)."""


SURGICAL_ROUTES = {Route.surgical_implantation, Route.ocular_surface_implantation, Route.subretinal, Route.intracerebral}
"""Routes given in an operating theatre: a subretinal injection follows a pars plana vitrectomy,
an intracerebral one is a stereotactic neurosurgical procedure."""


class Storage(str, enum.Enum):
    cryopreserved = "cryopreserved"
    fresh = "fresh"
    frozen = "frozen"
    refrigerated = "refrigerated"
    room_temperature = "room temperature"


class DeviceRole(str, enum.Enum):
    integral = "integral part of the product"
    administration = "used to administer the product"


class Device(Strict):
    """A medical device that is part of the product (combined ATMP) or used to administer it.

    An integral device with viable cells makes the product a combined ATMP
    (Regulation (EC) No 1394/2007 Art 2(1)(d)); a device only used for administration
    (an applicator, a catheter) does not.
    """

    name: Text
    role: DeviceRole
    description: Markdown
    """What the device is and how it is combined with the cells or used with the product."""
    manufacturer: Text | None = None
    material: Text | None = None
    """Materials in contact with cells or patient, e.g. 'porcine type I/III collagen'."""
    sterilisation: Text | None = None
    """Sterilisation method and sterility assurance level, e.g. 'gamma irradiation, SAL 10⁻⁶'."""
    biocompatibility: Narrative | None = None
    """Biocompatibility evaluation (ISO 10993 series endpoints assessed)."""
    conformity: Narrative | None = None
    """Conformity evidence: CE certificate or notified-body opinion (EU), 510(k)/PMA or master file (US)."""
    regulatory_status: Text | None = None


class WithdrawnCountry(Strict):
    country: Text
    reason: Text


class AuthorisationType(str, enum.Enum):
    standard = "standard"
    conditional = "conditional"
    exceptional_circumstances = "under exceptional circumstances"
    accelerated = "accelerated approval"
    other = "other"


class AuthorisationStatus(str, enum.Enum):
    valid = "valid"
    suspended = "suspended"
    withdrawn = "withdrawn"
    expired = "expired"
    refused = "refused"


class MarketingAuthorisation(Strict):
    """A marketing authorisation (or licence) of this product anywhere: its regulatory history."""

    jurisdiction: Jurisdiction
    """Who granted it: EU (a Union authorisation) or the country code (US, JP, CH, GB ...)."""
    procedure: Text | None = None
    """e.g. 'centralised', 'BLA', 'national'."""
    number: Text | None = None
    """e.g. 'EU/1/18/1297', 'BLA 125646'."""
    date: dt.date | None = None
    holder: Text | None = None
    """The marketing authorisation holder (who may not be the sponsor)."""
    indication: Text | None = None
    dose: Dose | None = None
    """The authorised dose for this indication, when the dose differs by indication."""
    type: AuthorisationType | None = None
    status: AuthorisationStatus
    status_date: dt.date | None = None
    """When the status took effect (for a suspension, withdrawal or expiry)."""
    status_reason: Text | None = None
    """Why it was suspended, withdrawn, expired or refused (commercial, safety, efficacy, ...)."""
    additional_monitoring: Bool | None = None
    """EU: on the list of medicinal products subject to additional monitoring (the black triangle;
    Regulation (EC) No 726/2004 Art 23)."""
    ndc: list[NDC] = Field(default_factory=list)
    """US: the National Drug Codes of the listed packages, e.g. 69866-1030-1."""
    sources: Sources = Field(default_factory=list)

    def __str__(self) -> str:
        from dossier.model.identifiers import jurisdiction_name

        bits = [jurisdiction_name(self.jurisdiction), self.number]
        return " ".join(b for b in bits if b)


class OrphanDesignation(Strict):
    """An orphan designation, one per condition and jurisdiction."""

    jurisdiction: Jurisdiction
    """EU or the country code (US, JP ...)."""
    number: Text | None = None
    """e.g. 'EU/3/19/2145', 'DRU-2019-6912'."""
    date: dt.date | None = None
    condition: Text
    sources: Sources = Field(default_factory=list)


class RegulatoryProcedure(Strict):
    """An earlier regulatory procedure or designation other than a marketing authorisation or an
    orphan designation: scientific advice, PRIME, RMAT or breakthrough designation, a paediatric
    investigation plan, an application withdrawn or refused."""

    jurisdiction: Jurisdiction
    kind: Text
    """What it was, e.g. 'PRIME eligibility', 'RMAT designation', 'scientific advice', 'MAA'."""
    reference: Text | None = None
    """Procedure number, e.g. 'EMEA/H/SA/4321/1/2020/III'."""
    date: dt.date | None = None
    outcome: Text | None = None
    """e.g. 'granted', 'withdrawn by the applicant before opinion', 'advice followed'."""
    sources: Sources = Field(default_factory=list)


class PartnerRole(str, enum.Enum):
    licensor = "licensor"
    licensee = "licensee"
    co_developer = "co-developer"
    marketing_authorisation_holder = "marketing authorisation holder"
    distributor = "distributor"
    contract_manufacturer = "contract manufacturer"


class Partner(Strict):
    """A company with rights or duties in the product besides the sponsor (licensor, licensee,
    co-developer, the holder of an authorisation elsewhere)."""

    name: Text
    role: PartnerRole
    territories: list[Jurisdiction] = Field(default_factory=list)
    """Where the role holds (EU, US, JP ...); an empty list: worldwide or not territorial."""
    scope: Text | None = None
    """What the agreement covers, e.g. 'development and commercialisation in Japan'."""
    since: dt.date | None = None
    sources: Sources = Field(default_factory=list)


class Product(Strict):
    """The investigational product, described once for every jurisdiction."""

    code: Text
    """Sponsor's product code (used in headers and file names)."""
    name: Text
    """Full proper or descriptive name."""
    inn: Text | None = None
    """INN / USAN, if assigned."""
    proper_name_suffix: ProperNameSuffix | None = None
    """US: FDA's four-letter suffix of the proper name (e.g. 'xioi'); US documents show the
    proper name as the INN with the suffix ('... abeparvovec-xioi')."""
    trade_name: Text | None = None
    pharmacological_class: Text | None = None
    description: Narrative | None = None
    modality: Modality
    origin: Origin
    cell_type: Text | None = None
    genetic_modification: GeneticModification | None = None
    mechanism_of_action: Narrative | None = None
    route: Route
    """The route of administration (the main one when there are several)."""
    other_routes: list[Route] = Field(default_factory=list)
    """Further routes or approaches used in the same treatment, e.g. intra-articular injection
    beside surgical implantation. Any surgical one makes the administration surgical."""
    dosage_form: Text | None = None
    """e.g. 'suspension for intravenous infusion'."""
    storage: Storage | None = None
    devices: list[Device] = Field(default_factory=list)
    """Medical devices that are an integral part of the product or are used to administer it."""
    eu_class: EUClass | None = None
    """Declared EU ATMP class."""
    classification_basis: ClassificationBasis | None = None
    contains_gmo: Bool | None = None
    """Whether the IMP consists of or contains genetically modified organisms (CTR Annex I B)."""
    withdrawn_countries: list[WithdrawnCountry] = Field(default_factory=list)
    """Countries where withdrawn from investigation or marketing for safety or effectiveness reasons."""
    contraindications: list[Text] = Field(default_factory=list)
    """Who must not receive the product (e.g. hypersensitivity to DMSO or to an excipient); an empty list: none."""
    marketing_authorisations: list[MarketingAuthorisation] = Field(default_factory=list)
    """Marketing authorisations anywhere, with their status (an empty list: none)."""
    orphan_designations: list[OrphanDesignation] = Field(default_factory=list)
    """Orphan designations, one per condition and jurisdiction (an empty list: none)."""
    procedures: list[RegulatoryProcedure] = Field(default_factory=list)
    """Earlier regulatory procedures and designations (scientific advice, PRIME, RMAT, a withdrawn
    application); an empty list: none."""
    partners: list[Partner] = Field(default_factory=list)
    """Licensors, licensees, co-developers and authorisation holders other than the sponsor."""
    atc_code: ATCCode | None = None
    """WHO ATC code, any level (e.g. 'L01XL', 'L01XL03')."""
    marketed_countries: list[Text] = Field(default_factory=list)
    sources: Sources = Field(default_factory=list)

    def nonproprietary_name(self, region: str | None) -> str | None:
        """The INN as the region's documents print it: in the US with FDA's suffix, when given."""
        if self.inn and region == "us" and self.proper_name_suffix:
            return f"{self.inn}-{self.proper_name_suffix}"
        if self.inn and region == "us" and self.told("proper_name_suffix") == "unknown":
            return f"{self.inn}-({self.answered('proper_name_suffix', 'suffix')})"
        return self.inn or self.answered("inn", "") or None

