"""Generate the YAML reference (docs/yaml-reference.md) from the model's field docs.

Run: ``python -m dossier.refdoc > docs/yaml-reference.md``. A test keeps the
committed file in step with the model.
"""

from __future__ import annotations

import enum
import typing

from pydantic import BaseModel

from dossier.model import Dossier


def _type_name(annotation) -> tuple[str, list[type[BaseModel]], list[type[enum.Enum]]]:
    models: list[type[BaseModel]] = []
    enums: list[type[enum.Enum]] = []

    def name(a) -> str:
        origin = typing.get_origin(a)
        args = [x for x in typing.get_args(a) if x is not type(None)]
        if origin is typing.Union or str(origin) == "<class 'types.UnionType'>":
            return " or ".join(name(x) for x in args)
        if origin is list:
            return f"list of {name(args[0])}"
        if origin is typing.Annotated:
            return name(args[0])
        if origin is typing.Literal:
            return " | ".join(repr(x) for x in typing.get_args(a))
        if isinstance(a, type) and issubclass(a, BaseModel):
            models.append(a)
            return f"[{a.__name__}](#{a.__name__.lower()})"
        if isinstance(a, type) and issubclass(a, enum.Enum):
            enums.append(a)
            return "one of: " + ", ".join(f"`{m.value}`" for m in a)
        if a is dict or origin is dict:
            return "mapping"
        return getattr(a, "__name__", str(a))

    return name(annotation), models, enums


def yaml_reference() -> str:
    lines = [
        "# Dossier YAML reference",
        "",
        "Generated from the model's field documentation by `python -m dossier.refdoc`; do not edit by hand.",
        "Every mapping rejects unknown keys. Narrative fields (marked Markdown) take the Markdown subset of",
        "[narrative-markdown.md](narrative-markdown.md) (lists, emphasis, links, tables, ^superscript^, ~subscript~;",
        "a line starting with >, #, + or 1) stays text); raw HTML is shown as text. Whether a field is *required for a submission* is decided by the pack",
        "(`dossier check --target ind|impd` names each missing fact, its section and its source).",
        "",
    ]
    queue: list[type[BaseModel]] = [Dossier]
    done: set[type[BaseModel]] = set()
    while queue:
        model = queue.pop(0)
        if model in done:
            continue
        done.add(model)
        lines += [f"## {model.__name__}", ""]
        doc = (model.__doc__ or "").strip().split("\n\n")[0]
        if doc and not doc.startswith("!!!"):
            lines += [" ".join(doc.split()), ""]
        lines += ["| key | type | schema-required | meaning |", "|---|---|---|---|"]
        for key, field in model.model_fields.items():
            tname, models, _ = _type_name(field.annotation)
            meta = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
            if "text/markdown" in str(field.metadata) or meta.get("contentMediaType") == "text/markdown":
                tname += " (Markdown)"
            desc = " ".join((field.description or "").split()).replace("|", "\\|")
            lines.append(f"| `{key}` | {tname} | {'yes' if field.is_required() else ''} | {desc} |")
            queue.extend(m for m in models if m not in done)
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(yaml_reference(), end="")
