"""The "not yet known" answer: ``{unknown: {reason: ..., expected: ...}}``, accepted for any field.

A fact that applies but is not known yet (a storage temperature still being qualified, the GLP
status of a published study, a country not chosen) is an answer of its own, distinct from
``not_applicable`` (the fact does not apply) and from leaving the field out (not stated):

* the schema accepts it for every field of every model, structured ones included (dates, enums,
  numbers, lists, nested objects): `Strict` wraps each field with `accept_unknown`;
* the model then holds the field's empty value (None, or an empty list / empty container), so
  nothing downstream can print it as a fact;
* the loader records where each answer stands (`SourceMap.unknowns`); `dossier check` reports
  each one as ``INPUT-UNKNOWN`` (an error, so a final build is refused; a waiver can accept it),
  readiness counts it open, and a draft shows the reason where the fact belongs.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError

KEY = "unknown"
RULE = "INPUT-UNKNOWN"


class _Reason(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
    """Why the fact is not known yet (shown in drafts and reports)."""
    expected: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)] | None = None
    """When or from what it is expected, e.g. 'stability data at 6 months, Q3 2027'."""


class NotYetKnown(BaseModel):
    """``{unknown: {reason: ..., expected: ...}}``: the fact applies but is not known yet."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    unknown: _Reason


def is_answer(value: Any) -> bool:
    """A mapping whose only key is `unknown`: the not-yet-known answer (well formed or not)."""
    return isinstance(value, dict) and len(value) == 1 and KEY in value


def parse(value: Any) -> tuple[str, str | None] | None:
    """(reason, expected) of a well-formed answer, else None."""
    try:
        answer = NotYetKnown.model_validate(value)
    except ValidationError:
        return None
    return answer.unknown.reason, answer.unknown.expected


def empty_value(info):
    """A function giving what the model holds for a field answered not yet known: an empty list
    or container where the field has one, a hollow object for a required object (every field
    empty, so reading it never fails), else None."""
    if info.default_factory is not None:
        return info.default_factory
    if isinstance(info.default, list):
        return list
    annotation = _bare(info.annotation)
    if getattr(annotation, "__origin__", None) is list:
        return list
    if info.is_required() and isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return lambda: hollow(annotation)
    return lambda: None


def _bare(annotation):
    """The type under Annotated[...] layers."""
    while getattr(annotation, "__metadata__", None) is not None:
        annotation = annotation.__origin__
    return annotation


def hollow(model: type[BaseModel]) -> BaseModel:
    """An instance of `model` with every field empty (None, [], or hollow), not validated."""
    return model.model_construct(**{name: empty_value(info)() for name, info in model.model_fields.items()})


def accept_unknown(info):
    """A wrap validator for one field: the not-yet-known answer becomes the field's empty value;
    anything else is validated as the field declares."""
    empty = empty_value(info)

    def validate(value: Any, handler):
        if is_answer(value):
            if parse(value) is None:
                raise ValueError("a not-yet-known answer is {unknown: {reason: why it is not known yet}} (optionally with expected: when or from what)")
            return empty()
        return handler(value)

    return validate
