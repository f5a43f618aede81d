"""Fact paths: how packs name facts of a `Dossier`.

Syntax: dotted attribute names; ``[]`` after a list means "each item"
(``clinical.protocols[].population.inclusion``); a leading ``@`` means "the
item of the repeated section" (``@.materials``).
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel

from dossier.io.yamlsource import PathT

_SEGMENT = re.compile(r"^(?P<name>[a-z_][a-z0-9_]*)(?P<each>\[\])?$")


class FactPathError(ValueError):
    pass


def parse(path: str) -> list[tuple[str, bool]]:
    """'a.b[].c' -> [('a', False), ('b', True), ('c', False)]."""
    parts = []
    for raw in path.split("."):
        m = _SEGMENT.match(raw)
        if not m:
            raise FactPathError(f"bad fact path segment {raw!r} in {path!r}")
        parts.append((m["name"], bool(m["each"])))
    return parts


def resolve(root: Any, path: str, base: PathT = ()) -> list[tuple[PathT, Any]]:
    """Every (concrete YAML path, value) the fact path denotes; value None when absent."""
    out: list[tuple[PathT, Any]] = [(base, root)]
    for name, each in parse(path):
        step: list[tuple[PathT, Any]] = []
        for where, obj in out:
            if obj is None:
                step.append((where + (name,), None))
                continue
            if not isinstance(obj, BaseModel) or name not in type(obj).model_fields:
                raise FactPathError(f"{path!r}: {type(obj).__name__} has no field {name!r}")
            value = getattr(obj, name)
            if each:
                step.extend((where + (name, i), item) for i, item in enumerate(value or []))
            else:
                step.append((where + (name,), value))
        out = step
    return out


def split_relative(path: str) -> tuple[bool, str]:
    if path.startswith("@."):
        return True, path[2:]
    return False, path


def present(value: Any) -> bool:
    """A fact counts as present when it says something: not None/empty/False."""
    if value is None or value is False:
        return False
    if isinstance(value, (str, list, tuple, dict)) and not value:
        return False
    return True


def instances(d, cls, where: tuple = ()) -> list[tuple[tuple, object]]:
    """Every object of type `cls` in the model tree under `d`, in document order, with its YAML path."""
    if isinstance(d, cls):
        return [(where, d)]
    found: list[tuple[tuple, object]] = []
    for name in type(d).model_fields:
        value = getattr(d, name)
        if isinstance(value, BaseModel):
            found += instances(value, cls, where + (name,))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, BaseModel):
                    found += instances(item, cls, where + (name, i))
    return found


def texts(obj: Any, path: tuple = (), skip: tuple[type, ...] = ()):
    """Every text (str) under `obj` with its YAML path; records of the `skip` types are not read."""
    if isinstance(obj, str):
        yield path, obj
    elif skip and isinstance(obj, skip):
        return
    elif isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            yield from texts(getattr(obj, name), (*path, name), skip)
    elif isinstance(obj, (list, tuple)):
        for i, item in enumerate(obj):
            yield from texts(item, (*path, i), skip)
