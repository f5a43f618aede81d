"""Shared building blocks of the dossier model: strict base, Markdown, quantities."""


import ast
import datetime as dt
import enum
import functools
import inspect
import math
import pathlib
import sys
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr, StringConstraints, WrapValidator, model_validator

from dossier.model.unknown import accept_unknown, is_answer, parse

NOT_STATED = "not stated"
"""How a fact the YAML does not give (or answers not yet known) reads in a document."""

_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}


def _yaml12_bool(value: object) -> object:
    """Booleans as YAML 1.2 writes them. YAML 1.1's yes/no/on/off/y/n are refused, not guessed:
    `NO` may be Norway and `on` may be a word."""
    if isinstance(value, str):
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        raise ValueError(f"{value!r} is not true or false (write true or false; quote it if it is text)")
    return value


Bool = Annotated[bool, BeforeValidator(_yaml12_bool)]
"""true or false (YAML 1.2); yes/no/on/off are refused rather than guessed."""

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
"""A short, non-empty, single-purpose text value (a name, a method, a criterion)."""

Prose = Annotated[
    str,
    StringConstraints(min_length=1),
    Field(json_schema_extra={"contentMediaType": "text/markdown"}),
]
"""Narrative text in the Markdown subset of docs/narrative-markdown.md: lists, emphasis, links, tables, ^superscript^ and ~subscript~; a line starting with >, #, + or 1) stays text."""

class _NAReason(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
    """Why the fact does not apply to this product (shown in the document and the report)."""


class NotApplicable(BaseModel):
    """The answer for a fact that does not apply: ``{not_applicable: {reason: ...}}``."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    not_applicable: _NAReason

    @property
    def reason(self) -> str:
        return self.not_applicable.reason

    def __str__(self) -> str:
        return f"Not applicable: {self.reason}"


class Regional(BaseModel):
    """Text that differs by region: ``{us: ..., eu: ...}``. The IND shows the `us` text, the IMPD
    and CTA documents the `eu` text (dossier/model/regional.py); a region left out is not stated
    in that region's documents. Shared text is written once, without this mapping."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    us: Prose | NotApplicable | None = None
    """The text of the US documents (IND)."""
    eu: Prose | NotApplicable | None = None
    """The text of the EU documents (IMPD, CTA)."""

    @model_validator(mode="after")
    def _one_region(self):
        if self.us is None and self.eu is None:
            raise ValueError("give the text for at least one region (us: or eu:), or write it once without the mapping")
        return self


Markdown = Prose | Regional
"""Narrative text (the Markdown subset of docs/narrative-markdown.md), shared by every region or given per region (``{us:, eu:}``)."""

Narrative = Prose | NotApplicable | Regional
"""Markdown narrative (shared or per region), or ``{not_applicable: {reason: ...}}`` when it
does not apply."""

from dossier.model.identifiers import CountryCode, Id  # noqa: E402 - identifiers needs nothing from here


@functools.cache
def _module_docstrings(filename: str) -> dict[tuple[str, str], str]:
    """(class, field) -> the docstring written under the field, read once per source file."""
    tree = ast.parse(pathlib.Path(filename).read_text(encoding="utf-8"))
    docs: dict[tuple[str, str], str] = {}
    for node in tree.body:
        if not isinstance(node, ast.ClassDef):
            continue
        body = node.body
        for stmt, nxt in zip(body, body[1:]):
            if (
                isinstance(stmt, ast.AnnAssign)
                and isinstance(stmt.target, ast.Name)
                and isinstance(nxt, ast.Expr)
                and isinstance(nxt.value, ast.Constant)
                and isinstance(nxt.value.value, str)
            ):
                docs[(node.name, stmt.target.id)] = inspect.cleandoc(nxt.value.value)
    return docs


class Strict(BaseModel):
    """Every model forbids unknown keys: a misspelt key is an error, not lost data.

    Field documentation is the docstring under each field. Pydantic's own
    `use_attribute_docstrings` re-reads the source for every class (about 40 ms at
    start-up); here each module is parsed once and the schema is built on first use.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    _unknown: dict = PrivateAttr(default_factory=dict)
    """field name -> (reason, expected) for each field the YAML answered not yet known."""

    @model_validator(mode="wrap")
    @classmethod
    def _note_unknown(cls, data, handler):
        """Remember which fields were answered not yet known (the model holds their empty value),
        so a document can say so instead of reading the empty value as "none"."""
        instance = handler(data)
        if isinstance(data, dict):
            answers = {key: parse(value) for key, value in data.items() if is_answer(value)}
            if answers:
                instance._unknown = answers
        return instance

    def told(self, field: str) -> str:
        """What the YAML says about `field`: "unknown" (answered not yet known), "given" (a value,
        an empty list included), or "not stated" (left out)."""
        if field in self._unknown:
            return "unknown"
        return "given" if field in self.model_fields_set else "not stated"

    def unknown_reason(self, field: str) -> tuple[str, str | None] | None:
        """(reason, expected) when `field` was answered not yet known."""
        return self._unknown.get(field)

    def answered(self, field: str, label: str | None = None) -> str:
        """For text composed from this fact: "<label> not yet known: <reason>" when the YAML
        answers `field` so, else "" (a part given or left out adds nothing here)."""
        if field not in self._unknown:
            return ""
        return f"{label if label is not None else field.replace('_', ' ')} {self.absent_text(field)}".lstrip()

    def absent_text(self, field: str, absent: str = NOT_STATED) -> str:
        """What text composed from this fact says where `field` has no value: "not yet known:
        <reason>" when the YAML answers so, else `absent` ("not stated")."""
        answer = self._unknown.get(field)
        if answer is None:
            return absent
        reason, expected = answer
        return f"not yet known: {reason}" + (f" (expected: {expected})" if expected else "")

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        module = sys.modules.get(cls.__module__)
        filename = getattr(module, "__file__", None)
        if not filename:
            return
        docs = _module_docstrings(filename)
        for name, info in cls.model_fields.items():
            doc = docs.get((cls.__name__, name))
            if doc and not info.description:
                info.description = doc
            _accept_unknown(info)


def _accept_unknown(info) -> None:
    """Let the field take the not-yet-known answer (dossier/model/unknown.py). Constraints move
    into the annotation, so they apply to a real value, never to the answer."""
    annotation = Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation
    info.annotation = Annotated[annotation, WrapValidator(accept_unknown(info))]
    info.metadata = []


class TimeUnit(str, enum.Enum):
    minutes = "minutes"
    hours = "hours"
    days = "days"
    weeks = "weeks"
    months = "months"
    years = "years"


_HOURS = {
    TimeUnit.minutes: 1 / 60,
    TimeUnit.hours: 1.0,
    TimeUnit.days: 24.0,
    TimeUnit.weeks: 168.0,
    TimeUnit.months: 730.5,  # 365.25 d / 12
    TimeUnit.years: 8766.0,
}


class Duration(Strict):
    """A length of time with its unit, e.g. ``{value: 12, unit: months}``."""

    value: float = Field(gt=0)
    """Amount of time (positive)."""
    unit: TimeUnit
    """Unit of `value`."""

    def hours(self) -> float | None:
        """In hours; None when a part is not stated (answered not yet known)."""
        if self.value is None or self.unit is None:
            return None
        return self.value * _HOURS[self.unit]

    def __str__(self) -> str:
        if self.value is None or self.unit is None:
            return self.absent_text("value" if self.value is None else "unit")
        v = int(self.value) if float(self.value).is_integer() else self.value
        unit = self.unit.value[:-1] if v == 1 else self.unit.value
        return f"{v} {unit}"


class TemperatureUnit(str, enum.Enum):
    celsius = "°C"


class TemperatureRange(Strict):
    """A storage or handling temperature, e.g. ``{max: -150, unit: °C}``."""

    min: float | None = None
    """Lowest allowed temperature (omit for "at or below `max`")."""
    max: float | None = None
    """Highest allowed temperature (omit for "at or above `min`")."""
    unit: TemperatureUnit
    """Temperature unit (degrees Celsius)."""

    def __str__(self) -> str:
        u = self.unit.value if self.unit is not None else f"(unit {self.absent_text('unit')})"
        if self.min is not None and self.max is not None:
            return f"{_num(self.min)} to {_num(self.max)} {u}"
        if self.max is not None:
            return f"≤ {_num(self.max)} {u}"
        if self.min is not None:
            return f"≥ {_num(self.min)} {u}"
        return u


def _num(x: float) -> str:
    s = f"{x:g}"
    return s.replace("-", "−")


class DoseEntity(str, enum.Enum):
    """What a dose counts (REFERENCE §6.3)."""

    car_positive_viable_t_cells = "CAR-positive viable T cells"
    viable_cells = "viable cells"
    cd34_positive_cells = "CD34+ cells"
    vector_genomes = "vector genomes"
    transducing_units = "transducing units"
    plaque_forming_units = "plaque-forming units"
    spheroids = "spheroids"
    cells = "cells"
    viable_nucleated_cells = "viable nucleated cells"
    genome_copies = "genome copies"
    infectious_units = "infectious units"
    mg = "mg"


class DoseBasis(str, enum.Enum):
    per_kg = "per kg"
    flat = "flat"
    per_cm2_defect = "per cm² of defect"
    per_cm2_matrix = "per cm² of matrix"
    per_cm2_graft = "per cm² of graft"
    per_eye = "per eye"
    per_m2 = "per m² body surface area"
    per_animal = "per animal"


_ABBREV = {
    DoseEntity.car_positive_viable_t_cells: "CAR+ viable T cells",
    DoseEntity.vector_genomes: "vg",
    DoseEntity.transducing_units: "TU",
    DoseEntity.genome_copies: "GC",
    DoseEntity.infectious_units: "IU",
    DoseEntity.plaque_forming_units: "PFU",
}
_BASIS_SUFFIX = {
    DoseBasis.per_kg: "/kg",
    DoseBasis.flat: "",
    DoseBasis.per_cm2_defect: "/cm² defect",
    DoseBasis.per_cm2_matrix: "/cm² matrix",
    DoseBasis.per_cm2_graft: "/cm² graft",
    DoseBasis.per_eye: "/eye",
    DoseBasis.per_m2: "/m²",
    DoseBasis.per_animal: "/animal",
}


class Dose(Strict):
    """A dose as a structured quantity: value × counted entity × basis.

    Example: ``{value: 1.0e6, entity: CAR-positive viable T cells, basis: per kg}``.
    """

    value: float = Field(gt=0)
    """Amount (positive; scientific notation such as 1.0e6 is fine); the lower end of a range."""
    up_to: float | None = Field(default=None, gt=0)
    """Upper end when the dose is a range (e.g. value 0.2e6, up_to 5.0e6: 0.2–5.0 × 10⁶ per kg)."""
    entity: DoseEntity
    """What is counted."""
    basis: DoseBasis
    """How the amount scales (per kg body weight, flat, per eye, ...)."""
    cap: float | None = Field(default=None, gt=0)
    """Maximum total amount regardless of weight (same entity), if any."""

    @model_validator(mode="after")
    def _range_in_order(self):
        if self.up_to is not None and self.value is not None and self.up_to < self.value:
            raise ValueError(f"up_to ({self.up_to:g}) is below value ({self.value:g}): give the lower end as value and the upper end as up_to")
        return self

    @property
    def highest(self) -> float | None:
        """The largest amount the dose allows (the upper end of a range)."""
        return self.up_to if self.up_to is not None else self.value

    def unit(self) -> str:
        entity = _ABBREV.get(self.entity, self.entity.value) if self.entity is not None else f"({self.absent_text('entity')})"
        basis = _BASIS_SUFFIX[self.basis] if self.basis in _BASIS_SUFFIX else f" ({self.absent_text('basis')})"
        return f"{entity}{basis}"

    def amount(self) -> str:
        """'2.0 × 10⁶' or, for a range, '0.2–5.0 × 10⁶' (one power of ten when both ends share it)."""
        if self.up_to is None:
            return sci(self.value)
        high = sci(self.up_to)
        if "×" not in high:
            return f"{sci(self.value)}–{high}" if "×" not in sci(self.value) else f"{sci(self.value)} to {high}"
        exponent = math.floor(math.log10(self.up_to))
        low = self.value / 10**exponent
        if low < 0.01:  # magnitudes too far apart to share a power of ten
            return f"{sci(self.value)} to {high}"
        mantissa = high.split(" ×")[0]
        places = max(len(mantissa.partition(".")[2]), len(f"{low:.3g}".partition(".")[2]))
        return f"{low:.{places}f}–{high}"

    def __str__(self) -> str:
        text = f"{self.amount()} {self.unit()}"
        if self.cap and self.entity is not None:
            text += f" (maximum {sci(self.cap)} {_ABBREV.get(self.entity, self.entity.value)})"
        return text

    def comparable(self, other: "Dose") -> bool:
        return self.entity == other.entity and self.basis == other.basis


class VolumeUnit(str, enum.Enum):
    ml = "mL"
    ul = "µL"


class Volume(Strict):
    """A volume given or administered: ``{value: 10, up_to: 70, unit: mL}``."""

    value: float = Field(gt=0)
    up_to: float | None = Field(default=None, gt=0)
    """Upper end when the volume is a range."""
    unit: VolumeUnit

    def __str__(self) -> str:
        amount = f"{self.value:g}" if self.up_to is None else f"{self.value:g}–{self.up_to:g}"
        return f"{amount} {self.unit.value if self.unit else self.absent_text('unit')}"


class WeightBand(Strict):
    """The dose for patients above a body weight: ``{above_kg: 50, dose: {value: 1.0e8, up_to: 2.5e8,
    entity: CAR-positive viable T cells, basis: flat}}`` (the level's own dose applies up to the
    first band)."""

    above_kg: float = Field(gt=0)
    dose: Dose

    def per_kg_highest(self) -> float | None:
        """The highest dose per kg this band gives: a flat dose divided by the lightest weight in the band."""
        if self.dose.basis is DoseBasis.per_kg:
            return self.dose.highest
        if self.dose.basis is DoseBasis.flat and self.dose.highest is not None:
            return self.dose.highest / self.above_kg
        return None


def sci(x: float) -> str:
    """1000000.0 -> '1.0 × 10⁶'; 50 -> '50'; None (not stated) -> 'not stated'."""
    if x is None:
        return NOT_STATED
    if x == 0 or 1e-3 <= abs(x) < 1e4:
        return f"{x:g}"
    mantissa, exp = f"{x:.2e}".split("e")
    mantissa = mantissa.rstrip("0").rstrip(".")
    if "." not in mantissa:
        mantissa += ".0"
    sup = str(int(exp)).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))
    return f"{mantissa} × 10{sup}"


class Address(Strict):
    """A postal address."""

    lines: list[Text] = Field(min_length=1)
    """Street address lines."""
    city: Text
    region: Text | None = None
    """State, province or county."""
    postal_code: Text | None = None
    country: CountryCode
    """ISO 3166-1 alpha-2 country code, e.g. US, DE, NO."""

    def one_line(self) -> str:
        parts = [*(self.lines or []), self._part("city")]
        local = [self.region or self.answered("region"), self.postal_code or self.answered("postal_code")]
        if any(local):
            parts.append(" ".join(p for p in local if p))
        parts.append(self._part("country"))
        return ", ".join(parts)

    def _part(self, field: str) -> str:
        """The city or country; when absent, its name and "not stated" or the not-yet-known answer."""
        value = getattr(self, field)
        if value:
            return value
        return f"{field} {self.absent_text(field)}"


class Person(Strict):
    """A named person with a role title."""

    name: Text
    title: Text
    """Job title or function, e.g. 'Medical Monitor, VP Clinical Development'."""
    qualifications: Text | None = None
    """Degrees and relevant qualifications, e.g. 'MD, PhD; board-certified haematologist'."""
    organisation: Text | None = None
    email: Text | None = None
    phone: Text | None = None


class Organisation(Strict):
    """A company, site or laboratory with its address."""

    name: Text
    address: Address


class DocumentStatus(str, enum.Enum):
    final = "final"
    draft = "draft, not yet quality-assured"


class DocumentRef(Strict):
    """A reference to a document that exists outside the dossier (report, protocol, SOP). Where
    only its number is known, the number alone may stand for it: ``cv: CV-2026-10``."""

    @model_validator(mode="before")
    @classmethod
    def _number_alone(cls, data: Any) -> Any:
        return {"number": data} if isinstance(data, str) else data

    number: Text
    """Document or report number."""
    title: Text | None = None
    version: Text | None = None
    status: DocumentStatus | None = None
    """final, or a draft not yet quality-assured (a report whose audited final version follows)."""
    date: dt.date | None = None
    """ISO date, YYYY-MM-DD."""
    file: Text | None = None
    """The document as a PDF, relative to the YAML file that names it (inside the dossier's folder):
    it is checked, recorded in the build manifest and included in the compiled document."""
    ectd: Text | None = None
    """eCTD section the document belongs to when filed as its own leaf, e.g. 4.2.3.2 or 1.14.4.1."""

    def __str__(self) -> str:
        bits = [self.number or f"number {self.absent_text('number')}"]
        bits.append(f"version {self.version}" if self.version else self.answered("version"))
        if self.status is DocumentStatus.draft:
            bits.append(self.status.value)
        bits.append(self.date.isoformat() if self.date else self.answered("date"))
        return ", ".join(b for b in bits if b)


class SourceKind(str, enum.Enum):
    publication = "publication"
    label = "label or product information"
    assessment_report = "assessment report"
    study_report = "study report"
    registry = "trial registry"
    company_document = "company document"
    other = "other"


class Source(Strict):
    """Where a fact came from: ``{citation: "EPAR EMEA/H/C/004480", locator: "section 2.5.2", kind:
    assessment report}``. Shown with the record in the documents and by `dossier map PATH`."""

    citation: Text
    """The document cited: a report number, a label, a publication (authors, year, journal)."""
    locator: Text | None = None
    """Where in it: a section, table, page or figure."""
    kind: SourceKind | None = None
    url: Text | None = None
    """A link or DOI, e.g. 'https://doi.org/10.1056/NEJMoa1709866'."""

    def __str__(self) -> str:
        return ", ".join(x for x in (self.citation or self.answered("citation"), self.locator or self.answered("locator")) if x)


Sources = Annotated[
    list[Source],
    Field(description="Where the facts of this record came from (report, label section, publication): shown with the record in the documents and by `dossier map PATH`."),
]
"""The `sources:` list a record may carry."""


class SuppliedFigure(Strict):
    """A figure the sponsor supplies: ``{file: figures/vector-map.svg, caption: Map of the transfer
    plasmid}``. A PNG or SVG inside the dossier's folder (relative to the YAML file that names it);
    it is checked (dossier/figure_files.py), numbered and listed like the figures drawn from data."""

    file: Text
    caption: Text
    sources: Sources = Field(default_factory=list)


class Table(Strict):
    """A small data table (e.g. a tabulation of study results)."""

    caption: Text | None = None
    columns: list[Text] = Field(min_length=1)
    rows: list[list[str]] = Field(min_length=1)
    """Each row has exactly one cell per column (quote a cell that contains a comma)."""

    @model_validator(mode="after")
    def _rectangular(self) -> "Table":
        if not self.columns or not self.rows:
            return self  # columns or rows answered not yet known: nothing to compare
        for i, row in enumerate(self.rows):
            if len(row) != len(self.columns):
                raise ValueError(
                    f"row {i + 1} has {len(row)} cells but the table has {len(self.columns)} columns"
                    " (a comma inside an unquoted cell splits it)"
                )
        return self
