"""Issue 13: identifiers are checked by their published form, with messages in words."""

from __future__ import annotations

import typing

import pytest
from pydantic import BaseModel

from dossier.io.yamlsource import load_text
from dossier.model import Dossier
from dossier.model import identifiers as ids
from dossier.validate import validate


def findings_for(minimal_text: str, old: str, new: str):
    assert old in minimal_text
    r = load_text(minimal_text.replace(old, new, 1), "d.yaml")
    _, findings = validate(r.data, r.source_map)
    return findings


@pytest.mark.parametrize(
    ("code", "words"),
    [("XX", "placeholder"), ("ZZ", "placeholder"), ("QZ", "placeholder"), ("UK", "United Kingdom is GB"), ("us", "capitals (US)"), ("EL", "GR"), ("XY1", "not an ISO 3166-1")],
)
def test_country_codes_are_iso_3166_1(minimal_text, code, words):
    [f] = findings_for(minimal_text, "country: US", f"country: {code}")
    assert f.rule == "SCHEMA-VALUE" and words in f.message and f.path == "sponsor.address.country"
    assert "pattern" not in f.message and "^" not in f.message


def test_every_iso_code_is_accepted_and_the_list_is_complete():
    table = ids.countries()
    assert len(table) == 249 and {"US", "DE", "NO", "GB", "GR", "CH"} <= set(table) and "XX" not in table
    for code in table:
        assert ids._country(code) == code


def test_member_states_are_eu_or_eea():
    assert len(ids.EU_MEMBER_STATES) == 27 and ids.EEA_ONLY == {"IS", "LI", "NO"}
    assert ids._member_state("NO") == "NO"
    with pytest.raises(ValueError, match="not an EU Member State"):
        ids._member_state("CH")


@pytest.mark.parametrize(
    ("value", "ok", "words"),
    [("2025-512345-17-00", True, ""), ("2019-001234-56", False, "EudraCT number"), ("EU-CT 123", False, "year-5nnnnn-nn-nn")],
)
def test_eu_trial_numbers(value, ok, words):
    if ok:
        assert ids._eu_ct(value) == value
    else:
        with pytest.raises(ValueError, match=words):
            ids._eu_ct(value)


@pytest.mark.parametrize(("value", "ok"), [("NCT01234567", True), ("NCT0123456", False), ("nct01234567", False)])
def test_nct_numbers(value, ok):
    if ok:
        assert ids._nct(value) == value
    else:
        with pytest.raises(ValueError, match="NCT' and 8 digits"):
            ids._nct(value)


def _models(root: type[BaseModel]) -> set[type[BaseModel]]:
    seen: set[type[BaseModel]] = set()
    stack = [root]
    while stack:
        m = stack.pop()
        if m in seen:
            continue
        seen.add(m)
        for f in m.model_fields.values():
            todo = [f.annotation]
            while todo:
                a = todo.pop()
                if isinstance(a, type) and issubclass(a, BaseModel):
                    stack.append(a)
                todo.extend(typing.get_args(a))
    return seen


def test_no_field_reports_a_raw_regular_expression():
    """pydantic's pattern message quotes the regex; every pattern is a validator with words instead."""
    found = []
    for model in _models(Dossier):
        for name, f in model.model_fields.items():
            todo = [f.annotation, *f.metadata]
            while todo:
                a = todo.pop()
                if getattr(a, "pattern", None):
                    found.append(f"{model.__name__}.{name}")
                todo.extend(typing.get_args(a))
                todo.extend(getattr(a, "__metadata__", ()))
    assert found == []
