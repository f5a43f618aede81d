"""Identifiers with a published form: ISO 3166-1 country codes, registry trial numbers.

Each type checks the form and says in words what is expected (never a regular expression).
Placeholder-like codes (``XX``, ``ZZ``: ISO 3166-1 user-assigned ranges) are not countries.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, Field

_DATA = Path(__file__).resolve().parent.parent / "data" / "iso3166-1.tsv"

EU_MEMBER_STATES = frozenset("AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split())
"""The 27 Member States of the European Union."""
EEA_ONLY = frozenset({"IS", "LI", "NO"})
"""EEA states outside the EU, to which Regulation (EU) No 536/2014 also applies (EEA Agreement)."""


@functools.cache
def countries() -> dict[str, str]:
    """ISO 3166-1 alpha-2 code -> short name."""
    out = {}
    for line in _DATA.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            code, name = line.split("\t", 1)
            out[code] = name
    return out


def _country(value: str) -> str:
    if value not in countries():
        if re.fullmatch(r"[a-z]{2}", value) and value.upper() in countries():
            raise ValueError(f"{value!r}: write the country code in capitals ({value.upper()})")
        if re.fullmatch(r"AA|Q[M-Z]|X[A-Z]|ZZ|00", value):
            raise ValueError(f"{value!r} is a placeholder, not a country: ISO 3166-1 leaves it for private use; give the real code, or {{unknown: {{reason: ...}}}} while it is not known")
        if value == "UK":
            raise ValueError("'UK' is not an ISO 3166-1 code: the United Kingdom is GB")
        if value == "EL":
            raise ValueError("'EL' is the EU's own code for Greece; ISO 3166-1 (used here) has GR")
        raise ValueError(f"{value!r} is not an ISO 3166-1 alpha-2 country code (two capital letters, e.g. US, DE, NO); a country not chosen yet is {{unknown: {{reason: ...}}}}")
    return value


CountryCode = Annotated[str, AfterValidator(_country), Field(json_schema_extra={"pattern": "^[A-Z]{2}$"})]
"""An ISO 3166-1 alpha-2 country code, e.g. US, DE, NO (GB for the United Kingdom, GR for Greece)."""


def _member_state(value: str) -> str:
    if value not in EU_MEMBER_STATES | EEA_ONLY:
        name = countries().get(value, value)
        raise ValueError(f"{value!r} ({name}) is not an EU Member State or EEA state (Iceland IS, Liechtenstein LI, Norway NO), where Regulation (EU) No 536/2014 applies")
    return value


MemberState = Annotated[str, AfterValidator(_country), AfterValidator(_member_state), Field(json_schema_extra={"pattern": "^[A-Z]{2}$"})]
"""An EU Member State or EEA state (ISO 3166-1 alpha-2; Greece is GR)."""

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,63}")


def _id(value: str) -> str:
    if not _ID.fullmatch(value):
        raise ValueError(f"{value!r} is not an identifier: start with a letter or digit, then letters, digits, '.', '_', '/' or '-' (no spaces), at most 64 characters")
    return value


Id = Annotated[str, AfterValidator(_id), Field(json_schema_extra={"pattern": "^[A-Za-z0-9][A-Za-z0-9._/-]*$", "maxLength": 64})]
"""An identifier used for cross-references (study, lot, protocol, drug substance)."""


def _rule_id(value: str) -> str:
    if not re.fullmatch(r"[A-Z]{2,6}-[A-Z]{2,5}-\d{3}|INPUT-UNKNOWN", value):
        raise ValueError(f"{value!r} is not a rule id that a waiver can name: the form IND-TOX-007, or INPUT-UNKNOWN (`dossier rules` lists them)")
    return value


RuleId = Annotated[str, AfterValidator(_rule_id), Field(json_schema_extra={"pattern": "^[A-Z]{2,6}-[A-Z]{2,5}-\\d{3}$"})]
"""A rule id such as IND-TOX-007."""


def _nct(value: str) -> str:
    if not re.fullmatch(r"NCT\d{8}", value):
        raise ValueError(f"{value!r} is not a ClinicalTrials.gov identifier: 'NCT' and 8 digits, e.g. NCT01234567")
    return value


NCTNumber = Annotated[str, AfterValidator(_nct), Field(json_schema_extra={"pattern": "^NCT\\d{8}$"})]
"""ClinicalTrials.gov identifier: NCT and 8 digits."""

_EU_CT = re.compile(r"\d{4}-5\d{5}-\d{2}-\d{2}")
_EUDRACT = re.compile(r"\d{4}-\d{6}-\d{2}")


def _eu_ct(value: str) -> str:
    if _EU_CT.fullmatch(value):
        return value
    if _EUDRACT.fullmatch(value):
        raise ValueError(f"{value!r} is a EudraCT number; an application under Regulation (EU) No 536/2014 gives the EU trial number CTIS assigns, year-5nnnnn-nn-nn, e.g. 2025-512345-17-00")
    raise ValueError(f"{value!r} is not an EU trial number: the number CTIS assigns, year-5nnnnn-nn-nn, e.g. 2025-512345-17-00")


EUTrialNumber = Annotated[str, AfterValidator(_eu_ct), Field(json_schema_extra={"pattern": "^\\d{4}-5\\d{5}-\\d{2}-\\d{2}$"})]
"""EU trial number as CTIS assigns it (form seen in CTIS: year-5nnnnn-nn-nn; the reference gives no format)."""


def _serial(value: str) -> str:
    if not re.fullmatch(r"\d{3,4}", value):
        raise ValueError(f"{value!r} is not an IND serial number: 3 or 4 digits, e.g. 0000 for the initial submission")
    return value


SerialNumber = Annotated[str, AfterValidator(_serial), Field(json_schema_extra={"pattern": "^\\d{3,4}$"})]
"""IND serial number: 3 or 4 digits (0000 for the initial submission)."""


def _atc(value: str) -> str:
    if not re.fullmatch(r"[A-V]\d{2}(?:[A-Z](?:[A-Z](?:\d{2})?)?)?", value):
        raise ValueError(f"{value!r} is not a WHO ATC code: a letter, two digits, then optionally a letter, a letter and two digits (e.g. L01XL or L01XL03)")
    return value


ATCCode = Annotated[str, AfterValidator(_atc), Field(json_schema_extra={"pattern": "^[A-V]\\d{2}([A-Z]([A-Z](\\d{2})?)?)?$"})]
"""WHO ATC code from the therapeutic subgroup down (L01, L01X, L01XL, L01XL03)."""


def _jurisdiction(value: str) -> str:
    return value if value == "EU" else _country(value)


Jurisdiction = Annotated[str, AfterValidator(_jurisdiction), Field(json_schema_extra={"pattern": "^[A-Z]{2}$"})]
"""Where a procedure took place: EU (the Union, e.g. a centralised authorisation) or an ISO 3166-1
alpha-2 country code (US, JP, GB, CH)."""


def jurisdiction_name(code: str) -> str:
    """'EU' -> 'European Union'; 'JP' -> 'Japan'; an unknown code unchanged."""
    return "European Union" if code == "EU" else countries().get(code, code)


def _ndc(value: str) -> str:
    parts = value.split("-")
    if len(parts) != 3 or not all(p.isdigit() for p in parts) or len("".join(parts)) not in (10, 11):
        raise ValueError(f"{value!r} is not a National Drug Code: labeler, product and package segments of digits separated by hyphens, 10 digits in all (e.g. 69866-1030-1) or 11 in the 5-4-2 billing form")
    return value


NDC = Annotated[str, AfterValidator(_ndc), Field(json_schema_extra={"pattern": "^\\d+-\\d+-\\d+$"})]
"""A US National Drug Code with its hyphens (labeler-product-package), e.g. 69866-1030-1."""


def _suffix(value: str) -> str:
    if not re.fullmatch(r"[a-z]{4}", value):
        raise ValueError(f"{value!r} is not a biological product suffix: four lower-case letters without the hyphen (e.g. xioi)")
    return value


ProperNameSuffix = Annotated[str, AfterValidator(_suffix), Field(json_schema_extra={"pattern": "^[a-z]{4}$"})]
"""FDA's four-letter suffix of a biological product's proper name (e.g. 'xioi' in
'onasemnogene abeparvovec-xioi')."""


def in_union(code: str | None) -> bool | None:
    """EU or an EU/EEA state (where Regulation (EU) No 536/2014 applies); None when no code is given."""
    if not code:
        return None
    return code == "EU" or code in EU_MEMBER_STATES | EEA_ONLY
