"""Validate raw YAML data into a `Dossier`, turning pydantic errors into located findings."""

from __future__ import annotations

import difflib
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from dossier.findings import Finding, Severity
from dossier.io.yamlsource import PathT, SourceMap, format_path
from dossier.model import Dossier

_RULES = {
    "missing": "SCHEMA-MISSING",
    "extra_forbidden": "SCHEMA-UNKNOWN-KEY",
    "literal_error": "SCHEMA-VALUE",
    "enum": "SCHEMA-VALUE",
}


def validate(data: Any, smap: SourceMap) -> tuple[Dossier | None, list[Finding]]:
    try:
        return Dossier.model_validate(data), []
    except ValidationError as exc:
        return None, [_finding(err, smap) for err in exc.errors(include_url=False)]


def _clean_loc(loc: tuple, smap: SourceMap) -> PathT:
    """Drop the segments pydantic adds for unions and validators (they are not YAML keys).

    A segment that is a key of the YAML at that place is always kept, whatever it looks like.
    """
    out: list = []
    for part in loc:
        here = (*out, part)
        if isinstance(part, int) or here in smap.values or here in smap.keys or not _is_internal(part):
            out.append(part)
    return tuple(out)


def _is_internal(part: str) -> bool:
    # union members show up as type or model names (YAML keys in this schema are snake_case)
    return "[" in part or part.startswith("function-") or part in {"str", "int", "float", "bool", "none"} or part[:1].isupper()


def _finding(err: dict, smap: SourceMap) -> Finding:
    path = _clean_loc(err["loc"], smap)
    kind = err["type"]
    rule = _RULES.get(kind, "SCHEMA-TYPE" if kind.endswith("_type") or kind.endswith("_parsing") else "SCHEMA-VALUE")
    message = err["msg"].removeprefix("Value error, ")  # our validators' messages are complete sentences
    hint = ""
    if kind == "missing":
        location = smap.locate(path[:-1])
        message = f"required field {path[-1]!r} is missing"
        hint = f"add '{path[-1]}:' under {format_path(path[:-1]) or 'the top level'}"
    elif kind == "extra_forbidden":
        location = smap.locate(path, key=True)
        message = f"unknown key {path[-1]!r}"
        allowed = _allowed_keys(path[:-1])
        close = difflib.get_close_matches(str(path[-1]), allowed, n=1, cutoff=0.6)
        if close:
            hint = f"did you mean {close[0]!r}?"
        elif " " in str(path[-1]).strip():
            # keys are single words: this is most likely the tail of a value that a comma split in a {...} mapping
            hint = "keys are single words; if this is part of the value before it, a comma split it: put that value in quotes"
        elif allowed:
            hint = "allowed keys here: " + ", ".join(sorted(allowed))
    else:
        location = smap.locate(path)
        hint = _hint_for(err)
    return Finding(location, Severity.ERROR, rule, message, path=format_path(path), hint=hint)


def _hint_for(err: dict) -> str:
    kind = err["type"]
    if kind in {"enum", "literal_error"}:
        expected = err.get("ctx", {}).get("expected", "")
        return f"use one of: {expected}" if expected else ""
    if kind.startswith("date"):
        return "write dates as YYYY-MM-DD, e.g. 2026-03-01"
    if kind in {"float_parsing", "int_parsing"}:
        return "write a plain number, e.g. 1.0e6 (units go in the 'unit' or 'entity' field)"
    if kind in {"greater_than", "greater_than_equal"}:
        return "the value must be positive"
    if kind in {"model_type", "dict_type"}:
        return "expected a mapping (indented 'key: value' lines) here"
    if kind == "list_type":
        return "expected a list ('- item' lines) here"
    if kind == "string_type":
        return "expected text here; quote it if it looks like a number or a list"
    return ""


def _allowed_keys(path: PathT) -> list[str]:
    """Field names of the model found at `path` (aliases not used in this schema)."""
    node: Any = Dossier
    for part in path:
        node = _step(node, part)
        if node is None:
            return []
    model = _as_model(node)
    return list(model.model_fields) if model else []


def _step(annotation: Any, part: str | int) -> Any:
    model = _as_model(annotation)
    if isinstance(part, int):
        if typing.get_origin(annotation) is list:
            return typing.get_args(annotation)[0]
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        for arg in args or [annotation]:
            if typing.get_origin(arg) is list:
                return typing.get_args(arg)[0]
        return None
    if model and part in model.model_fields:
        return model.model_fields[part].annotation
    return None


def _as_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
    return None
