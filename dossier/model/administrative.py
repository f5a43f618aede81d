"""Submission metadata, sponsor, roles, forms, labels and cross-references."""


import datetime as dt
import enum
from typing import Annotated

from pydantic import Field, StringConstraints

from dossier.model.identifiers import CountryCode, EUTrialNumber, MemberState, NCTNumber, SerialNumber
from dossier.model.base import Bool, Address, DocumentRef, Id, Markdown, Narrative, Organisation, Person, Regional, Strict, Text



class Phase(str, enum.Enum):
    phase_1 = "1"
    phase_1_2 = "1/2"
    phase_2 = "2"
    phase_3 = "3"


class SubmissionType(str, enum.Enum):
    initial = "initial"
    amendment = "amendment"


class INDCategory(str, enum.Enum):
    commercial = "commercial"
    research = "research"


class Indication(Strict):
    text: Text | Regional
    """The indication as it appears on Form FDA 1571 and in the protocol; where the US and EU
    wordings differ, ``{us: ..., eu: ...}`` (each document shows its own)."""
    snomed_ct: Text | None = None
    """SNOMED CT concept id of the disease term (Form FDA 1571)."""


class CoverLetter(Strict):
    """The cover letter (eCTD 1.2)."""

    addressee: list[Text] = Field(min_length=1)
    """Address block, one line per item, as the sponsor addresses the agency."""
    subject: Text
    body: Markdown
    contact: Person
    """Person FDA should contact about the submission."""


class Submission(Strict):
    """What is being submitted and when (shared by every jurisdiction)."""

    type: SubmissionType | None = None
    date: dt.date | None = None
    """Date of the submission (also the document date on every page)."""
    document_version: Text | None = None
    """Version printed in the running header of every document."""
    phases: list[Phase] = Field(default_factory=list)
    """Clinical phase(s) to be conducted (21 CFR 312.23(a)(1)(ii); EU application form)."""
    indication: Indication | None = None


class Commitments(Strict):
    """The sponsor commitments of Form FDA 1571 (21 CFR 312.23(a)(1)(iii)-(v))."""

    no_start_before_effective: Bool | None = None
    """Not to begin clinical investigations until the IND is in effect."""
    irb_review: Bool | None = None
    """An IRB complying with 21 CFR Part 56 reviews and approves each study."""
    comply_with_regulations: Bool | None = None
    """To conduct the investigation in accordance with all other applicable regulatory requirements."""


class CRO(Strict):
    """A contract research organisation to which obligations are transferred (21 CFR 312.52)."""

    name: Text
    address: Address
    studies: list[Id] = Field(default_factory=list)
    """Protocol ids the transfer covers."""
    all_obligations: Bool | None = None
    obligations: list[Text] = Field(default_factory=list)
    """Each obligation transferred (when not all)."""


class Sponsor(Strict):
    name: Text
    address: Address
    phone: Text | None = None
    email: Text | None = None
    signatory: Person | None = None
    """Person who signs Form FDA 1571 / the EU application for the sponsor."""
    cros: list[CRO] = Field(default_factory=list)


class Roles(Strict):
    medical_monitor: Person | None = None
    """Person responsible for monitoring the conduct and progress of the investigations (312.23(a)(1)(vi))."""
    safety_reviewers: list[Person] = Field(default_factory=list)
    """Person(s) responsible for review and evaluation of safety information (312.23(a)(1)(vii))."""


class Form3674Status(str, enum.Enum):
    applicable_trial_registered = "applicable clinical trial, registered"
    applicable_trial_not_yet_registered = "applicable clinical trial, not yet registered"
    not_applicable_trial = "not an applicable clinical trial"


class Form3674(Strict):
    """ClinicalTrials.gov certification (42 U.S.C. 282(j)(5)(B))."""

    status: Form3674Status
    nct_numbers: list[NCTNumber] = Field(default_factory=list)


class PackagingLevel(str, enum.Enum):
    immediate = "immediate"
    outer = "outer"


class LabelRegion(str, enum.Enum):
    us = "us"
    eu = "eu"


class AnnexVIItem(Strict):
    """Where one Annex VI particular is on the label: the words that give it, or why it is not there."""

    text: Text | None = None
    """The words on the label that give the particular (they must appear in the label text);
    phrases from different places on the label are joined by " … " (e.g. the name and the strength)."""
    omitted: Text | None = None
    """Why the particular is not on this label, as Annex VI allows (e.g. the contact's address is on
    the patient card; the product is not taken home)."""


class AnnexVI(Strict):
    """The particulars of Regulation (EU) No 536/2014 Annex VI A.1 on an EU label, item by item."""

    a_main_contact: AnnexVIItem | None = None
    """(a) name, address and telephone number of the main contact for information and emergency unblinding."""
    b_substance_strength: AnnexVIItem | None = None
    """(b) name of the substance and its strength or potency."""
    c_form_route_quantity: AnnexVIItem | None = None
    """(c) pharmaceutical form, route of administration, quantity of dosage units."""
    d_batch: AnnexVIItem | None = None
    """(d) batch or code number identifying the contents and packaging operation."""
    e_trial_reference: AnnexVIItem | None = None
    """(e) clinical trial reference code identifying the trial, site, investigator and sponsor."""
    f_subject_number: AnnexVIItem | None = None
    """(f) subject identification number and/or treatment number and, where relevant, visit number."""
    g_investigator: AnnexVIItem | None = None
    """(g) name of the investigator (if not in (a) or (e))."""
    h_directions: AnnexVIItem | None = None
    """(h) directions for use (a reference to a leaflet may do)."""
    i_clinical_trial_use: AnnexVIItem | None = None
    """(i) "For clinical trial use only" or similar wording."""
    j_storage: AnnexVIItem | None = None
    """(j) storage conditions."""
    k_period_of_use: AnnexVIItem | None = None
    """(k) period of use (expiry or re-test date), month and year."""
    l_keep_out_of_reach: AnnexVIItem | None = None
    """(l) "Keep out of reach of children", unless the product is not taken home by subjects."""


class Label(Strict):
    """Text of an investigational label, as provided to investigators."""

    packaging: PackagingLevel
    region: LabelRegion | None = None
    """The region whose label this is: us (the IND shows it) or eu (the IMPD and CTA show it).
    Left out: one label text used in both regions."""
    language: Text | None = None
    """Language of the label text (an ISO 639-1 code, e.g. en, de); the language of an EU label is
    the one each Member State concerned asks for (Regulation (EU) No 536/2014 Art 69)."""
    text: Text
    """Label text, one line per printed line."""
    annex_vi: AnnexVI | None = None
    """For an EU label: where each Annex VI A.1 particular is on it (checked against the text)."""


class ReferenceType(str, enum.Enum):
    letter_of_authorization = "letter of authorization"
    right_of_reference = "right of reference"
    own_file = "sponsor's own file"


class CrossReference(Strict):
    """Information incorporated by reference (21 CFR 312.23(b))."""

    type: ReferenceType
    file: Text
    """File identifier, e.g. 'BB-MF 21874' or 'IND 31552'."""
    holder: Text
    subject: Text
    """What the referenced file provides (e.g. 'lentiviral vector manufacture')."""
    authorisation_date: dt.date | None = None
    """Date of the letter of authorization / right of reference."""
    location: Text | None = None
    """Where in the referenced file (volume, section, page)."""
    letter: DocumentRef | None = None
    """The holder's signed letter of authorization or statement of right of reference (eCTD
    1.4.1 / 1.4.2); attach it with `file:`."""


class EnvironmentalClaim(str, enum.Enum):
    categorical_exclusion = "categorical exclusion"
    environmental_assessment = "environmental assessment"


class EnvironmentalAnalysis(Strict):
    """21 CFR 312.23(a)(7)(iv)(e); 21 CFR Part 25."""

    claim: EnvironmentalClaim
    cfr_citation: Text | None = None
    """Exclusion relied on, e.g. '21 CFR 25.31(e)'."""
    statement: Markdown
    """The claim text, including that no extraordinary circumstances are known (21 CFR 25.15)."""


class CoverLetterFlags(Strict):
    """Particulars the EU cover letter must state (CTR Annex I B)."""

    first_in_human: Bool | None = None
    special_populations: list[Text] = Field(default_factory=list)
    scientific_advice: list[Text] = Field(default_factory=list)
    paediatric_investigation_plan: Text | None = None
    orphan_designation: Text | None = None
    narcotic_psychotropic_or_radiopharmaceutical: Bool | None = None
    """Whether any IMP or auxiliary product is a narcotic, psychotropic or radiopharmaceutical."""
    investigated_devices: list[Text] = Field(default_factory=list)
    """Medical devices investigated in the trial that are not part of the IMP, with CE-mark status."""


class AuxiliaryProduct(Strict):
    """An auxiliary medicinal product (CTR Art 2(2)(8)), e.g. lymphodepleting chemotherapy."""

    name: Text
    purpose: Text
    authorised_in_eu: Bool | None = None
    dossier_reference: Text | None = None
    """SmPC (authorised) or auxiliary medicinal product dossier (unauthorised) reference."""


class GMOProcedure(str, enum.Enum):
    contained_use = "contained use (Directive 2009/41/EC)"
    deliberate_release = "deliberate release (Directive 2001/18/EC Part B)"


class QPDeclaration(Strict):
    """A Qualified Person's declaration that sites outside the EU/EEA work to GMP at least
    equivalent to the EU's (CTA Part I, section F)."""

    sites: list[Text] = Field(min_length=1)
    """The manufacturer names it covers, as written under quality.*.manufacturers."""
    qualified_person: Text
    """Who declares: name, and the EU manufacturing or import authorisation holder they act for."""
    date: dt.date
    basis: Text | None = None
    """What it rests on, e.g. 'on-site audit of 12 March 2026 by the QP's delegate'."""
    document: Text | None = None
    """Document number or file of the signed declaration."""


class GMOApplication(Strict):
    """The national GMO application for one Member State concerned."""

    member_state: MemberState
    procedure: GMOProcedure
    status: Text
    """e.g. 'submitted 2026-09-14', 'authorised 2026-10-02 (ref ...)'."""
    era_reference: Text | None = None
    """Reference of the environmental risk assessment / common application form submitted."""


class SimplifiedScenario(str, enum.Enum):
    """Situations of Regulation (EU) No 536/2014 Annex I, Table 1 (simplified IMPD)."""

    authorised_within_smpc = "authorised, used within the SmPC"
    authorised_outside_smpc = "authorised, used outside the SmPC"
    authorised_modified = "authorised, modified (e.g. blinded)"
    other_form_authorised = "other form or strength authorised, supplied by the MAH"
    substance_authorised_same_manufacturer = "not authorised; active substance in an authorised product, same manufacturer"
    substance_authorised_other_manufacturer = "not authorised; active substance in an authorised product, other manufacturer"


class FDAMeeting(Strict):
    """A meeting or written exchange with FDA about this product (eCTD 1.6)."""

    type: Text
    """e.g. 'INTERACT', 'pre-IND (Type B)', 'Type C'."""
    date: dt.date
    reference: Text | None = None
    """FDA's reference number for the meeting or its minutes."""
    fda_advice: Markdown
    """What FDA advised, as the minutes record it."""
    sponsor_response: Narrative | None = None
    """How this IND follows the advice (or why not)."""
    minutes: DocumentRef | None = None


class ForeignSites(Strict):
    """Sites outside the United States (21 CFR 312.120; 21 CFR 312.53(c))."""

    under_ind: Bool
    """true: the sites conduct the study under this IND (each investigator signs Form FDA 1572);
    false: they do not, and their data will be submitted as foreign studies not conducted under an
    IND (21 CFR 312.120)."""
    statement: Markdown
    """Which sites, and how (for sites outside the IND: GCP, independent ethics committee review
    and the supporting information 312.120(b) asks for)."""


class SignedForms(Strict):
    """The signed FDA forms of this submission, as the sponsor's PDFs (eCTD 1.1). dossier renders
    the information each form asks for; the signed form itself comes from the sponsor."""

    form_1571: DocumentRef | None = None
    form_3674: DocumentRef | None = None


class USApplication(Strict):
    """Facts only the FDA IND needs (21 CFR 312.23 and the FDA forms)."""

    ind_number: Text | None = None
    """FDA IND number; blank for an initial IND unless pre-assigned by CBER."""
    serial_number: SerialNumber | None = None
    """Submission serial number, 0000 for the initial IND (21 CFR 312.23(e))."""
    ind_category: INDCategory | None = None
    """Commercial or research (non-commercial) IND (Form FDA 1571)."""
    place_of_business: Bool | None = None
    """Whether the sponsor has a US residence or place of business (Form FDA 1571). Not stated: derived
    from the sponsor's address (a sponsor whose address is outside the US has none)."""
    agent: Person | None = None
    """US attorney, agent or official who countersigns for a foreign sponsor (21 CFR 312.23(a)(1)(ix))."""
    agent_address: Address | None = None
    commitments: Commitments = Field(default_factory=Commitments)
    cover_letter: CoverLetter | None = None
    form_3674: Form3674 | None = None
    signed_forms: SignedForms = Field(default_factory=SignedForms)
    """The signed Forms FDA 1571 and 3674 (each investigator's 1572 is with the investigator)."""
    combination_product: Bool | None = None
    """Form FDA 1571 combination-product indicator."""
    environmental_analysis: EnvironmentalAnalysis | None = None
    """Categorical exclusion claim or environmental assessment (21 CFR Part 25)."""
    references: list[CrossReference] = Field(default_factory=list)
    """Information incorporated by reference, with letters of authorization (21 CFR 312.23(b))."""
    meetings: list[FDAMeeting] = Field(default_factory=list)
    """Meetings with FDA before this submission (pre-IND, INTERACT), with FDA's advice (eCTD 1.6)."""
    foreign_sites: ForeignSites | None = None
    """Whether sites outside the US conduct the study under this IND."""


class GlossaryEntry(Strict):
    """An abbreviation or term and what it means."""

    term: Text
    meaning: Text


class EUApplication(Strict):
    """Facts only the EU clinical trial application needs (Regulation (EU) No 536/2014)."""

    trial_number: EUTrialNumber | None = None
    """EU CT number assigned by CTIS (YYYY-NNNNNN-NN-NN)."""
    member_states: list[MemberState] = Field(default_factory=list)
    """EU/EEA Member States concerned (ISO codes; NO stays Norway)."""
    reporting_member_state: MemberState | None = None
    cover_letter: CoverLetterFlags = Field(default_factory=CoverLetterFlags)
    imp_authorised: Bool | None = None
    """Whether the IMP holds an EU marketing authorisation."""
    simplified_impd: SimplifiedScenario | None = None
    """Annex I Table 1 scenario when a simplified IMPD is submitted; omit for a full IMPD (the norm for ATMPs)."""
    smpc_reference: Text | None = None
    """The SmPC submitted in place of IMPD parts in a simplified IMPD, with the reason for choosing it."""
    auxiliary_products: list[AuxiliaryProduct] = Field(default_factory=list)
    gmp_manufacturing_authorisation: Text | None = None
    """Manufacturing/import authorisation number of the EU site releasing the IMP."""
    qp_declarations: list[QPDeclaration] = Field(default_factory=list)
    """QP declarations of GMP equivalence for manufacturing and testing sites outside the EU/EEA
    (an IMP without an EU marketing authorisation)."""
    legal_representative: Organisation | None = None
    """The sponsor's legal representative in the Union when the sponsor is established outside
    the EU/EEA."""
    gmo_procedures: Narrative | None = None
    """National GMO procedures (contained use / deliberate release): the approach in prose."""
    gmo_applications: list[GMOApplication] = Field(default_factory=list)
    """One entry per Member State concerned when the IMP contains GMOs."""
    traceability: Narrative | None = None
    """ATMP traceability system (GCP for ATMPs §7)."""
    procurement: Narrative | None = None
    """Donation, procurement and testing of the human cells or tissues collected in the EU/EEA
    (tissue establishments authorised under Directive 2004/23/EC, donor testing under Directive
    2006/17/EC) and, when the product is made outside the EU/EEA, their export and the return of
    the product."""
    manufacturing_sites: list[Organisation] = Field(default_factory=list)
