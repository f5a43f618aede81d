"""`dossier explain ID`: a rule's documentation with a passing and a failing YAML example.

Requirement ids get examples generated from the facts they cover (the fact present, the fact
absent); rule kinds carry hand-written examples (`EXAMPLES` in the kind's module), which the
test suite runs, so the documentation cannot drift from the behaviour.
"""

from __future__ import annotations

import difflib
import textwrap
import typing

from pydantic import BaseModel

from dossier.errors import UsageError
from dossier.model import Dossier
from dossier.rules.catalog import INPUT_RULES, catalog
from dossier.rules.kinds import REGISTRY, examples


def explain(rule_id: str) -> str:
    rules = catalog()
    info = rules.get(rule_id.upper())
    if info is None:
        close = difflib.get_close_matches(rule_id.upper(), list(rules), n=3)
        raise UsageError(f"no rule {rule_id!r}", hint=f"did you mean {', '.join(close)}?" if close else "see 'dossier rules'")
    out = [f"{info.id} ({info.severity.label}; {info.origin}; packs: {', '.join(info.packs) or 'all'})", "", info.title, f"Source: {info.source}", ""]
    if info.id in INPUT_RULES:
        out += ["This rule is checked while reading the YAML, before any pack is applied.", ""]
    if info.facts:
        out += ["Facts this rule requires (section: YAML path — what):"]
        out += [f"  {sid}: {path} — {label}" for sid, path, label in info.facts]
        out += ["", "Passing example (the first fact present):", _indent(_fact_yaml(info.facts[0][1], info.facts[0][0]))]
        out += ["Failing example: the same YAML without that key (or with an empty value).", ""]
    if info.kind:
        module = REGISTRY[info.kind]
        out += [f"Rule kind {info.kind}" + (f" with parameters {info.params}" if info.params else "") + (f", when {' and '.join(info.when)}" if info.when else "") + ":", ""]
        out += [textwrap.indent((module.__doc__ or "").strip(), "  "), ""]
        documented = examples(info.kind)
        for label in ("passes", "fails"):
            out += [f"{'Passing' if label == 'passes' else 'Failing'} example:", _indent(documented[label].strip() + "\n")]
    return "\n".join(out).rstrip() + "\n"


def _indent(text: str) -> str:
    return textwrap.indent(text, "    ")


def _fact_yaml(path: str, section_id: str) -> str:
    """A minimal YAML fragment in which the fact at `path` is present."""
    import yaml

    parts = path.replace("@.", _repeat_prefix(section_id)).split(".")
    model: typing.Any = Dossier
    annotations = []
    for raw in parts:
        field = model.model_fields.get(raw.rstrip("[]")) if model else None
        annotations.append(field.annotation if field else None)
        model = _inner_model(field.annotation) if field else None
    value: typing.Any = _placeholder(annotations[-1])
    for raw in reversed(parts):
        value = {raw.rstrip("[]"): [value] if raw.endswith("[]") else value}
    return yaml.safe_dump(value, sort_keys=False, allow_unicode=True, default_flow_style=False)


def _repeat_prefix(section_id: str) -> str:
    if section_id.startswith(("3.2.S", "S.")) or section_id == "S":
        return "quality.drug_substances[]."
    if section_id.startswith(("3.2.P", "P.")) or section_id == "P":
        return "quality.drug_product."
    if section_id.startswith("5.3.5.2"):
        return "clinical.protocols[]."
    return ""


def _inner_model(annotation) -> type[BaseModel] | None:
    for arg in [annotation, *typing.get_args(annotation)]:
        for inner in [arg, *typing.get_args(arg)]:
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                return inner
    return None


def _placeholder(annotation) -> typing.Any:
    text = str(annotation)
    if annotation is bool or text == "bool":
        return True
    if "list[" in text:
        return ["..."]
    if "date" in text:
        return "2026-11-02"
    return "..."
