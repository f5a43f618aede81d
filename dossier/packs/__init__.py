"""Pack discovery and loading: a pack is a folder under templates/ with a pack.yaml.

Section lists may include shared section files (``- include: _base/sections/x.yaml``
with ``vars:``), so the CTD Module 3 tree is written once and used by every pack
with its own numbering prefix, vocabulary and citations.
"""

from __future__ import annotations

import copy
import re
from functools import cache
from string import Template
from typing import Any

from pydantic import ValidationError

from dossier.errors import PackError, UsageError
from dossier.io.yamlsource import load_file
from dossier.packs.manifest import Pack, Section
from dossier.resources import templates_dir

__all__ = ["Pack", "Section", "available", "load_pack", "rule_ids"]


def rule_ids(pack: Pack) -> set[str]:
    """Every rule id a pack can report: requirement ids and rule instance ids."""
    ids = {r.id for r in pack.rules}

    def walk(sections: list[Section]) -> None:
        for s in sections:
            ids.update(req.id for req in s.requires)
            walk(s.sections)

    walk(pack.sections)
    return ids


def available() -> list[str]:
    root = templates_dir()
    return sorted(p.parent.name for p in root.glob("*/pack.yaml") if not p.parent.name.startswith("_"))


def _read(relpath: str) -> Any:
    path = templates_dir() / relpath
    if not path.is_file():
        raise PackError(f"pack file {relpath} not found")
    result = load_file(path, display=relpath, mapping=False)
    if result.findings:
        raise PackError(f"{result.findings[0].location}: {result.findings[0].message}")
    return result.data


def _substitute(data: Any, variables: dict[str, Any], origin: str) -> Any:
    if isinstance(data, str):
        whole = re.fullmatch(r"\$\{(\w+)\}", data)
        if whole and whole.group(1) in variables and not isinstance(variables[whole.group(1)], str):
            return copy.deepcopy(variables[whole.group(1)])  # a structured value, e.g. sources by product kind
        try:
            return Template(data).substitute(variables)
        except (KeyError, ValueError) as exc:
            raise PackError(f"{origin}: undefined variable {exc} in {data!r}") from None
    if isinstance(data, list):
        return [_substitute(x, variables, origin) for x in data]
    if isinstance(data, dict):
        return {k: _substitute(v, variables, origin) for k, v in data.items()}
    return data


def _expand_includes(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _expand_includes(v) for k, v in data.items()}
    if isinstance(data, list):
        out: list[Any] = []
        for item in data:
            if isinstance(item, dict) and "include" in item:
                included = _read(item["include"])
                if not isinstance(included, list):
                    raise PackError(f"{item['include']}: an included section file must be a list of sections")
                out.extend(_expand_includes(_substitute(included, item.get("vars") or {}, item["include"])))
            else:
                out.append(_expand_includes(item))
        return out
    return data


@cache
def load_pack(name: str) -> Pack:
    names = available()
    if name not in names:
        raise UsageError(f"unknown target {name!r}", hint=f"choose one of: {', '.join(names)}")
    data = _expand_includes(_read(f"{name}/pack.yaml"))
    try:
        pack = Pack.model_validate(data)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        where = ".".join(map(str, err["loc"]))
        raise PackError(f"{name}/pack.yaml: {err['msg']} at {where}") from None
    _check_rules(name, pack)
    _check_shared_facts(name, pack)
    return pack


def _section_ids(sections: list[Section]) -> set[str]:
    out: set[str] = set()
    for s in sections:
        out.add(s.id)
        out |= _section_ids(s.sections)
    return out


def _check_shared_facts(name: str, pack: Pack) -> None:
    """Each shared fact is declared once and names sections of the pack's tree."""
    ids = _section_ids(pack.sections)
    places = ids | {fm.title for fm in pack.front_matter}
    seen: set[str] = set()
    for f in pack.shared_facts:
        if f.fact in seen:
            raise PackError(f"{name}/pack.yaml: shared fact {f.fact!r} is declared twice")
        seen.add(f.fact)
        if f.owner not in ids:
            raise PackError(f"{name}/pack.yaml: shared fact {f.fact!r} is owned by section {f.owner!r}, which the pack does not have")
        for where in f.referred_from:
            if where not in places:
                raise PackError(f"{name}/pack.yaml: shared fact {f.fact!r} is referred to from {where!r}, which is neither a section nor front matter of the pack")


def _check_rules(name: str, pack: Pack) -> None:
    """Every rule instance names a known kind and gives it valid parameters."""
    from dossier.rules.kinds import REGISTRY

    for rule in pack.rules:
        kind = REGISTRY.get(rule.use)
        if kind is None:
            raise PackError(f"{name}/pack.yaml: rule {rule.id} uses unknown kind {rule.use!r}")
        try:
            kind.Params.model_validate(rule.params)
        except ValidationError as exc:
            raise PackError(f"{name}/pack.yaml: rule {rule.id}: bad params: {exc.errors(include_url=False)[0]['msg']}") from None
