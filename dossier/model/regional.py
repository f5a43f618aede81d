"""One region's view of a dossier: every ``{us:, eu:}`` text replaced by that region's variant.

A dossier is written once for both regions. Most text is shared; text that differs (an FDA
commitment, an EU import statement) is given as `Regional` and each pack sees only its own
region's text (`Pack.region`). Rules and templates run on the view, so neither ever meets a
`Regional` value: a field whose region is left out reads as not stated in that region's
documents.

The view shares every untouched object with the dossier (only the objects on the path to a
`Regional` value are copied), keeps list indexes, so findings on the view locate in the YAML
as they are, and is computed once per dossier and region.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from dossier.model.base import Regional

Region = Literal["us", "eu"]


def view(d: BaseModel, region: Region | None) -> BaseModel:
    """The dossier as the `region`'s documents see it (the dossier itself when nothing differs)."""
    if region is None:
        return d
    views = getattr(d, "_views", None)
    if views is None:
        return _resolve(d, region)
    if region not in views:
        views[region] = _resolve(d, region)
    return views[region]


def regional_paths(d: BaseModel, path: tuple = ()) -> list[tuple[tuple, Regional]]:
    """(YAML path, value) of every per-region text in the dossier."""
    out: list[tuple[tuple, Regional]] = []
    for name in type(d).model_fields:
        _collect(getattr(d, name), path + (name,), out)
    return out


def _collect(value, path: tuple, out: list) -> None:
    if isinstance(value, Regional):
        out.append((path, value))
    elif isinstance(value, BaseModel):
        out.extend(regional_paths(value, path))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _collect(item, path + (i,), out)


def _resolve(obj, region: Region):
    """`obj` with its Regional values resolved; the same object when it holds none."""
    if isinstance(obj, Regional):
        return getattr(obj, region)
    if isinstance(obj, list):
        items = [_resolve(x, region) for x in obj]
        return items if any(a is not b for a, b in zip(items, obj)) else obj
    if not isinstance(obj, BaseModel):
        return obj
    changes = {}
    for name in type(obj).model_fields:
        old = getattr(obj, name)
        new = _resolve(old, region)
        if new is not old:
            changes[name] = new
    if not changes:
        return obj
    copy = obj.model_copy(update=changes)
    for name, value in changes.items():
        if value is None:
            copy.__pydantic_fields_set__.discard(name)  # told(): not stated in this region
    return copy
