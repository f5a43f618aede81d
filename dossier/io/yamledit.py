"""Replace one text value in a YAML file, leaving every other byte of the file as it was.

Comments, key order, quoting and the layout of untouched lines stay; only the characters of the
one scalar change. The edited text is read back before anything is written: the value at the
path must be the new text and every other value must be unchanged, else the edit is refused.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from dossier.errors import DossierError
from dossier.io.yamlsource import PathT, format_path, load_text


class EditError(DossierError):
    pass


def _node_at(root: yaml.Node, path: PathT) -> tuple[yaml.ScalarNode, int]:
    """The scalar node at `path` and the column its block content would be indented to."""
    node, indent = root, 0
    for part in path:
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value == part:
                    node, indent = value, key.start_mark.column + 2
                    break
            else:
                raise EditError(f"{format_path(path)}: key {part!r} not found")
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            indent = node.start_mark.column
        else:
            raise EditError(f"{format_path(path)}: no such value")
    if not isinstance(node, yaml.ScalarNode):
        raise EditError(f"{format_path(path)}: not a text value")
    return node, indent


def _block(value: str, indent: int, newline: str) -> str:
    """`value` as a literal block scalar whose lines are indented by `indent` spaces."""
    chomp = "-" if not value.endswith("\n") else "" if not value.endswith("\n\n") else "+"
    body = value[:-1] if value.endswith("\n") else value
    pad = " " * indent
    lines = [(pad + line) if line.strip() else "" for line in body.split("\n")]
    lead = str(indent) if body[:1] in (" ", "\t") else ""  # an indentation indicator when the text starts with a space
    return f"|{lead}{chomp}" + newline + newline.join(lines) + (newline if not value.endswith("\n") else newline)


def _inline(value: str, style: str | None) -> str:
    """A one-line value: plain when the original was plain and YAML reads it back unchanged."""
    if not style:
        try:
            if yaml.safe_load(f"k: {value}") == {"k": value} and value.strip() == value and value:
                return value
        except yaml.YAMLError:
            pass
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def replace_value(text: str, path: PathT, new: str) -> str:
    """`text` (a YAML file) with the text value at `path` replaced by `new`."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if root is None:
        raise EditError("the file is empty")
    node, indent = _node_at(root, path)
    newline = "\r\n" if "\r\n" in text else "\n"
    start, end = node.start_mark.index, node.end_mark.index
    if node.style in ("|", ">") or "\n" in new:
        replacement = _block(new, indent, newline)
        # a block scalar's region runs to the start of the next line; keep the blank lines after it
        tail = text[start:end]
        kept = len(tail) - len(tail.rstrip("\r\n"))
        if node.style in ("|", ">"):
            extra = tail[len(tail.rstrip("\r\n")):].count("\n") - 1
            replacement += newline * max(extra, 0)
        elif kept == 0 and text[end:end + 1] in ("\n", "\r"):
            # an inline value followed by its line's end: the block brings its own line end
            end += 2 if text[end:end + 2] == "\r\n" else 1
    else:
        replacement = _inline(new, node.style)
    edited = text[:start] + replacement + text[end:]
    _verify(text, edited, path, new)
    return edited


def _verify(before: str, after: str, path: PathT, new: str) -> None:
    old = load_text(before, "before", mapping=False)
    res = load_text(after, "after", mapping=False)
    if res.data is None or any(f.blocking for f in res.findings if f.rule != "INPUT-PLACEHOLDER"):
        raise EditError(f"{format_path(path)}: the edited file would not read back as YAML")
    expected = _set(old.data, path, new)
    if res.data != expected:
        raise EditError(f"{format_path(path)}: the edit would change more than this value")


def _set(data, path: PathT, value):
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(data, dict):
        out = dict(data)
        out[head] = _set(data[head], rest, value)
        return out
    out = list(data)
    out[head] = _set(data[head], rest, value)
    return out


def backup_name(path: Path) -> Path:
    """`FILE.bak`, or `FILE.bak.N` for the first N not taken: an earlier backup is never replaced."""
    candidate = path.with_name(path.name + ".bak")
    n = 1
    while candidate.exists() or candidate.is_symlink():
        candidate = path.with_name(f"{path.name}.bak.{n}")
        n += 1
    return candidate


_BOM = "\ufeff"


def read_text(path: Path) -> tuple[str, bool]:
    raw = path.read_bytes().decode("utf-8")
    return (raw[1:], True) if raw.startswith(_BOM) else (raw, False)


def encode(text: str, bom: bool) -> bytes:
    return ((_BOM if bom else "") + text).encode("utf-8")

