"""Safe YAML loading that remembers where every value came from.

PyYAML's composer (the C one when libyaml is present) builds a node graph with
marks; we construct plain Python data from it ourselves so that we control:

* typing: plain scalars stay strings (only ``null``/``~``/empty become None), so
  YAML 1.1 surprises (``NO`` -> False, ``1.10`` -> 1.1, dates -> date objects)
  cannot happen; pydantic converts strings to the declared field types;
* safety: only the standard tags are accepted, anchors/aliases are refused (a
  node reached twice is an alias; refusing them makes alias bombs impossible),
  and size and nesting depth are capped;
* duplicate keys: reported, never silently "last one wins";
* locations: a ``SourceMap`` from YAML path to (line, column) of every value and
  every key, so a pydantic error can point at the exact spot;
* includes: a mapping ``{include: relative/path.yaml}`` is replaced by that file's content, so a
  dossier can be split across files; locations then name the included file. Includes stay
  inside the root file's folder (after resolving symbolic links), are YAML files, do not form
  cycles, and count against the same size limits.
"""

from __future__ import annotations

import re

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from dossier.findings import Finding, Location, Severity

try:  # libyaml is 3-5x faster; fall back to the pure-Python parser.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_TOTAL_BYTES = 50 * 1024 * 1024
"""All files of one dossier together (the root and everything it includes)."""
MAX_INCLUDES = 2000
MAX_DEPTH = 64
"""Nesting depth, enforced on the parser's event stream before anything recurses."""
MAX_SCALAR_CHARS = 200_000
MAX_ITEMS = 1000
"""Items in one list (lots, studies, rows, ...)."""
MAX_NODES = 200_000
"""Values (scalars, lists, mappings) in one dossier, all files together."""

# Characters that change how text displays without being visible: bidirectional controls can
# make "LOT-12" look like another id (the "Trojan source" trick); zero-width characters make two
# equal-looking names differ.
_BIDI = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C)}
_ZERO_WIDTH = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"}

# C0 and C1 control characters other than tab and line feed: invisible, and some (NUL, ESC) change
# what a terminal or a PDF viewer shows.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SUSPECT = re.compile("[" + "".join(sorted(_BIDI | _ZERO_WIDTH)) + "\x00-\x08\x0b-\x1f\x7f-\x9f]")

_STD = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_STD + t for t in ("str", "int", "float", "bool", "null", "timestamp")}
_NULL_WORDS = {"", "~", "null", "Null", "NULL"}

PathT = tuple[str | int, ...]


def format_path(path: PathT) -> str:
    """``("quality", "lots", 2, "id")`` -> ``quality.lots[2].id``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


@dataclass
class SourceMap:
    """Where each value (and each mapping key) sits in the source file."""

    file: str
    values: dict[PathT, tuple[int, int]] = field(default_factory=dict)
    keys: dict[PathT, tuple[int, int]] = field(default_factory=dict)
    value_files: dict[PathT, str] = field(default_factory=dict)
    """Paths whose value sits in an included file (absent: the root file)."""
    key_files: dict[PathT, str] = field(default_factory=dict)
    placeholders: set[PathT] = field(default_factory=set)
    """Paths whose value is placeholder text (<...>, TBD, XX, ...): they count as open, not present."""
    unknowns: dict[PathT, tuple[str, str | None]] = field(default_factory=dict)
    """Paths answered {unknown: {reason, expected}}: (reason, expected)."""

    def unknown_at(self, path: PathT) -> tuple[str, str | None] | None:
        """The not-yet-known answer given for `path` or for an object that holds it."""
        for n in range(len(path), 0, -1):
            if path[:n] in self.unknowns:
                return self.unknowns[path[:n]]
        return None

    def locate(self, path: PathT, *, key: bool = False) -> Location:
        """Location of `path`, or of its longest existing prefix."""
        table, files = (self.keys, self.key_files) if key else (self.values, self.value_files)
        if path in table:
            line, col = table[path]
            return Location(files.get(path, self.file), line, col)
        for n in range(len(path) - 1, -1, -1):
            prefix = path[:n]
            if prefix in self.values:
                line, col = self.values[prefix]
                return Location(self.value_files.get(prefix, self.file), line, col)
        return Location(self.file, 1, 1)


@dataclass
class LoadResult:
    data: Any
    source_map: SourceMap
    findings: list[Finding]
    files: list[Path] = field(default_factory=list)
    """Every file read (the root first, then each included file once), resolved."""


class _Builder:
    def __init__(self, smap: SourceMap, origin: Path | None = None, includes: bool = False) -> None:
        self.includes = includes
        self.smap = smap
        self.findings: list[Finding] = []
        self.file = smap.file  # display name of the file being built
        self.root_dir = origin.resolve().parent if origin else None
        self.dir = self.root_dir
        self.stack: list[Path] = [origin.resolve()] if origin else []
        self.files: list[Path] = list(self.stack)
        self.total = origin.stat().st_size if origin else 0
        self.nodes = 0
        self.over: str | None = None
        """The first dossier-wide limit exceeded: reported once, then nothing more is read."""

    def error(self, node: yaml.Node, rule: str, message: str, hint: str = "", path: PathT = ()) -> None:
        mark = node.start_mark
        self.findings.append(
            Finding(
                Location(self.file, mark.line + 1, mark.column + 1),
                Severity.ERROR,
                rule,
                message,
                path=format_path(path),
                hint=hint,
            )
        )

    def build(self, node: yaml.Node, path: PathT, depth: int = 0) -> Any:
        if self.over is not None:
            return None
        if depth > MAX_DEPTH:
            self.error(node, "YAML-DEPTH", f"nesting deeper than {MAX_DEPTH} levels (counting included files)", "flatten the structure", path)
            return None
        if isinstance(node, _AliasNode):
            self.error(node, "YAML-ALIAS", "anchors and aliases (&name / *name) are not supported", "write the value out in full; a dossier states each fact explicitly", path)
            return None
        self.nodes += 1
        if self.nodes > MAX_NODES:
            self.limit(node, f"more than {MAX_NODES:,} values in one dossier (all files together)", "move bulk data (raw results, listings) into attached documents", path)
            return None
        self.smap.values[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if self.file != self.smap.file:
            self.smap.value_files[path] = self.file
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _STD + "seq":
                self.error(node, "YAML-TAG", f"tag {node.tag!r} is not allowed", "remove the tag", path)
            if len(node.value) > MAX_ITEMS:
                self.error(node, "YAML-SIZE", f"a list of {len(node.value):,} items; the limit is {MAX_ITEMS:,} per list", "move bulk data (raw results, listings) into attached documents", path)
                return None
            return [self.build(item, path + (i,), depth + 1) for i, item in enumerate(node.value)]
        return self._scalar(node, path)

    def limit(self, node: yaml.Node, message: str, hint: str, path: PathT) -> None:
        """A dossier-wide limit: one finding naming it; everything after it is left unread."""
        if self.over is None:
            self.over = message
            self.error(node, "YAML-SIZE", message, hint, path)

    def _mapping(self, node: yaml.MappingNode, path: PathT, depth: int) -> dict[str, Any]:
        if node.tag != _STD + "map":
            self.error(node, "YAML-TAG", f"tag {node.tag!r} is not allowed", "remove the tag", path)
        include = self._include_directive(node, path) if self.includes else None
        if include is not None:
            return self._include(include, path, depth)
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or (key_node.value == "<<" and not key_node.style):
                self.error(key_node, "YAML-KEY", "keys must be plain names", "use a simple word as key", path)
                continue
            key = key_node.value
            child = path + (key,)
            self._invisible(key_node, key, child)
            if key in out:
                first = self.smap.keys.get(child, (0, 0))
                self.error(
                    key_node,
                    "YAML-DUPLICATE-KEY",
                    f"duplicate key {key!r} (first defined on line {first[0]})",
                    "remove one of the two; YAML would silently keep only the last",
                    child,
                )
                continue
            self.smap.keys[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            if self.file != self.smap.file:
                self.smap.key_files[child] = self.file
            out[key] = self.build(value_node, child, depth + 1)
        if len(out) == 1 and "unknown" in out:
            from dossier.model.unknown import parse

            answer = parse(out)
            if answer is not None:
                self.smap.unknowns[path] = answer
        return out

    def _include_directive(self, node: yaml.MappingNode, path: PathT) -> yaml.ScalarNode | None:
        """The path node of ``{include: path}``, or None if the mapping is ordinary data."""
        keys = [k.value for k, _ in node.value if isinstance(k, yaml.ScalarNode)]
        if INCLUDE_KEY not in keys:
            return None
        if len(node.value) != 1 or not isinstance(node.value[0][1], yaml.ScalarNode):
            self.error(node, "YAML-INCLUDE", "'include:' must be the only key of its mapping and name one file", "write the other keys inside the included file", path)
            return None
        return node.value[0][1]

    def _include(self, node: yaml.ScalarNode, path: PathT, depth: int) -> Any:
        """Build the content of an included file in place of the directive."""
        target = self._include_target(node, path)
        if target is None:
            return None
        display = str(Path(self.smap.file).parent / target.relative_to(self.root_dir))
        size = target.stat().st_size
        if size > MAX_FILE_BYTES:
            self.error(node, "YAML-SIZE", f"{display} is {size:,} bytes; the limit is {MAX_FILE_BYTES:,} per file", "split it, or move long narrative into attached documents", path)
            return None
        if target not in self.files:
            if len(self.files) >= MAX_INCLUDES:
                self.limit(node, f"more than {MAX_INCLUDES:,} YAML files in one dossier (at {display})", "merge small files", path)
                return None
            self.total += size
            if self.total > MAX_TOTAL_BYTES:
                self.limit(node, f"the YAML files of one dossier exceed {MAX_TOTAL_BYTES:,} bytes together (at {display})", "move long narrative into attached documents", path)
                return None
            self.files.append(target)
        text, findings = _decode(target.read_bytes(), display)
        self.findings += findings
        if text is None:
            return None
        root, problem = compose(text, display)
        if problem is not None:
            self.findings.append(problem)
            return None
        if root is None:
            self.error(node, "YAML-EMPTY", f"included file {display} is empty", "remove the include or fill the file", path)
            return None
        saved = (self.file, self.dir)
        self.file, self.dir = display, target.parent
        self.stack.append(target)
        try:
            return self.build(root, path, depth + 1)
        finally:
            self.stack.pop()
            self.file, self.dir = saved

    def _include_target(self, node: yaml.ScalarNode, path: PathT) -> Path | None:
        from dossier.io.paths import UnsafePath, resolve_inside

        if self.dir is None or self.root_dir is None:
            self.error(node, "YAML-INCLUDE", "includes are only possible in a dossier read from a file", "", path)
            return None
        try:
            target = resolve_inside(self.root_dir, self.dir, node.value, {".yaml", ".yml"}, "include")
        except UnsafePath as exc:
            self.error(node, "YAML-INCLUDE", exc.message, exc.hint, path)
            return None
        if target in self.stack:
            chain = self.stack[self.stack.index(target):] + [target]
            self.error(node, "YAML-INCLUDE", "include cycle: " + " → ".join(str(p.relative_to(self.root_dir)) for p in chain), "remove one of these includes", path)
            return None
        return target

    def _invisible(self, node: yaml.Node, text: str, path: PathT) -> None:
        """Control characters (error), bidirectional controls (error), invisible characters (warning)."""
        m = _SUSPECT.search(text)
        if m is None:
            return
        ch, i = m.group(), m.start()
        if _CONTROL.match(ch):
            rule, severity, kind, hint = "YAML-CONTROL", Severity.ERROR, "control", "delete it: only tab and line feed may appear in text"
        else:
            rule, severity = "YAML-INVISIBLE", Severity.ERROR if ch in _BIDI else Severity.WARNING
            kind = "bidirectional control" if ch in _BIDI else "invisible"
            hint = "delete it: it can make two different values look the same"
        shown = text[:40]  # repr() below shows control characters as escapes
        self.findings.append(
            Finding(
                Location(self.file, node.start_mark.line + 1, node.start_mark.column + 1),
                severity,
                rule,
                f"{kind} character U+{ord(ch):04X} at position {i + 1} of {shown!r}",
                path=format_path(path),
                hint=hint,
            )
        )

    def _scalar(self, node: yaml.ScalarNode, path: PathT) -> str | None:
        if node.tag not in _SCALAR_TAGS:
            self.error(
                node,
                "YAML-TAG",
                f"tag {node.tag!r} is not allowed",
                "dossier files hold plain data; language-specific tags are refused",
                path,
            )
            return None
        # plain style is None in the pure parser and '' in libyaml's
        if not node.style and node.tag == _STD + "null" and node.value in _NULL_WORDS:
            return None
        if len(node.value) > MAX_SCALAR_CHARS:
            self.error(node, "YAML-LONG", f"value of {len(node.value):,} characters; the limit is {MAX_SCALAR_CHARS:,}", "move long text to a referenced document", path)
            return None
        self._invisible(node, node.value, path)
        problem = placeholder_problem(node.value)
        if problem is not None:
            self.smap.placeholders.add(path)
            self.error(node, "INPUT-PLACEHOLDER", problem[0], problem[1], path)
        return node.value


INCLUDE_KEY = "include"

# A whole value written as <lower-case words>, as the starters of `dossier init` write them.
PLACEHOLDER = re.compile(r"^<[a-z][^<>\n]*>$")
# Text that stands in for a fact nobody has given yet: a whole value, or (for the TBD family) the
# start of one ("TBD - not in public sources"). "unknown" and "n/a" only as the whole value. A dash
# is not on the list: in a table cell it is the usual mark for "not done / none".
_TBD_START = re.compile(r"^\s*(?:t\.?b\.?[dca]\.?|to be (?:determined|confirmed|decided|defined|announced|added|completed))(?:\W|$)", re.IGNORECASE)
_TBD_WHOLE = re.compile(r"^\s*(?:unknown|not known|n/a|n\.a\.?|none yet|pending|todo|fixme|\?+|x{2,}|z{2,})\s*$", re.IGNORECASE)


def placeholder_problem(value: str) -> tuple[str, str] | None:
    """(message, hint) when `value` is placeholder text rather than a fact, else None."""
    if PLACEHOLDER.match(value):
        return (f"placeholder {value!r} has not been filled in", "replace it with the real value (starters from `dossier init` mark what to fill in this way)")
    if _TBD_START.match(value) or _TBD_WHOLE.match(value):
        shown = value if len(value) <= 40 else value[:37] + "..."
        if re.match(r"^\s*(?:n/a|n\.a\.?)\s*$", value, re.IGNORECASE):
            hint = "if the fact does not apply, answer {not_applicable: {reason: ...}}; otherwise give the fact"
        else:
            hint = "give the fact; if it applies but is not known yet, answer {unknown: {reason: ...}}"
        return (f"{shown!r} is placeholder text, not a fact; it counts as open", hint)
    return None


def _decode(raw: bytes, file: str) -> tuple[str | None, list[Finding]]:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        return None, [
            Finding(
                Location(file, line, col),
                Severity.ERROR,
                "YAML-ENCODING",
                f"byte 0x{raw[exc.start]:02x} is not valid UTF-8",
                hint="save the file as UTF-8",
            )
        ]


class _AliasNode:
    """An alias (``*name``) as it stands in the event stream: refused where it is written."""

    def __init__(self, mark: yaml.Mark) -> None:
        self.start_mark = self.end_mark = mark


_PLAIN_NULL = _STD + "null"
_PLAIN_STR = _STD + "str"


def compose(text: str, file: str) -> tuple[yaml.Node | None, Finding | None]:
    """The node graph of `text`, built from the parser's event stream without recursion.

    PyYAML's composers recurse once per level of nesting (the C one overflows the C stack and
    crashes the interpreter at some 30,000 levels of ``[``); here the depth is counted as the
    events arrive and parsing stops at the first level beyond MAX_DEPTH, so any input is
    handled in time proportional to what was read. Aliases become `_AliasNode`s (refused by
    the builder at their own location); plain scalars are tagged str or null only (typing is
    the schema's job). Returns (root or None for an empty stream, a finding or None)."""
    stack: list[list] = []  # [node, pending key]
    root = None
    try:
        for ev in yaml.parse(text, Loader=_Loader):
            kind = type(ev)
            if kind is yaml.ScalarEvent:
                tag = ev.tag
                if tag is None or tag == "!" or ev.implicit[0]:
                    tag = _PLAIN_NULL if (not ev.style and ev.value in _NULL_WORDS) else (tag if tag not in (None, "!") else _PLAIN_STR)
                node = yaml.ScalarNode(tag, ev.value, ev.start_mark, ev.end_mark, ev.style)
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                if len(stack) >= MAX_DEPTH + 1:
                    mark = ev.start_mark
                    return None, Finding(Location(file, mark.line + 1, mark.column + 1), Severity.ERROR, "YAML-DEPTH", f"nesting deeper than {MAX_DEPTH} levels", hint="flatten the structure")
                if kind is yaml.MappingStartEvent:
                    node = yaml.MappingNode(ev.tag or _STD + "map", [], ev.start_mark, ev.end_mark, ev.flow_style)
                else:
                    node = yaml.SequenceNode(ev.tag or _STD + "seq", [], ev.start_mark, ev.end_mark, ev.flow_style)
                stack.append([node, None])
                continue
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                node = stack.pop()[0]
                node.end_mark = ev.end_mark
            elif kind is yaml.AliasEvent:
                node = _AliasNode(ev.start_mark)
            elif kind is yaml.DocumentStartEvent and root is not None:
                mark = ev.start_mark
                return None, Finding(Location(file, mark.line + 1, mark.column + 1), Severity.ERROR, "YAML-SYNTAX", "a second YAML document in the same file", hint="a dossier file holds one document: remove the '---' line and what follows, or move it to a file of its own")
            else:
                continue
            if not stack:
                root = node
                continue
            top = stack[-1]
            parent = top[0]
            if type(parent) is yaml.SequenceNode:
                parent.value.append(node)
            elif top[1] is None:
                top[1] = node
            else:
                parent.value.append((top[1], node))
                top[1] = None
    except yaml.YAMLError as exc:
        return None, _syntax_finding(exc, file)
    return root, None


# Constructs that must be closed: when one is not, where it began is the place to look.
_OPENED = ("flow sequence", "flow mapping", "quoted scalar", "block scalar")


def _syntax_finding(exc: yaml.YAMLError, file: str) -> Finding:
    if not isinstance(exc, yaml.MarkedYAMLError):  # e.g. composer errors without marks
        return Finding(Location(file, 1, 1), Severity.ERROR, "YAML-SYNTAX", str(exc))
    problem = exc.problem or "invalid YAML"
    start, stop = exc.context_mark, exc.problem_mark
    if start is not None and stop is not None and exc.context and any(k in exc.context for k in _OPENED) and (start.line, start.column) != (stop.line, stop.column):
        construct = exc.context.removeprefix("while ").removeprefix("parsing ").removeprefix("scanning ").removeprefix("a ")
        message = f"this {construct} is never closed: {problem} at line {stop.line + 1}, column {stop.column + 1}"
        hint = "close it (] } or the quote) where it should end; everything after the opening was read as part of it"
        return Finding(Location(file, start.line + 1, start.column + 1), Severity.ERROR, "YAML-SYNTAX", message, hint=hint)
    mark = stop or start
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    if exc.context:
        problem = f"{problem} ({exc.context})"
    hint = "YAML indents with spaces, never tabs" if "\t" in problem or "tab" in problem else (
        "check indentation and quoting on this line and the one before"
    )
    return Finding(Location(file, line, col), Severity.ERROR, "YAML-SYNTAX", problem, hint=hint)


def load_text(text: str, file: str, *, mapping: bool = True, origin: Path | None = None, includes: bool = False) -> LoadResult:
    """Parse YAML text; never raises for bad input, returns findings instead.

    With `includes` (dossier files), ``{include: path}`` mappings are replaced by the named
    file; `origin` is the file the text was read from: includes resolve relative to it and may
    not leave its folder. Text without an origin cannot include files. (Pack manifests have
    their own `include:` with variables and read YAML without this.)
    """
    smap = SourceMap(file)
    root, problem = compose(text, file)
    if problem is not None:
        return LoadResult(None, smap, [problem], [origin.resolve()] if origin else [])
    if root is None:
        return LoadResult(
            None,
            smap,
            [Finding(Location(file, 1, 1), Severity.ERROR, "YAML-EMPTY", "the file is empty", hint="start from examples/car-t/dossier.yaml")],
        )
    builder = _Builder(smap, origin, includes)
    data = builder.build(root, ())
    if mapping and not isinstance(root, yaml.MappingNode):
        kind = "a list" if isinstance(root, yaml.SequenceNode) else "a single value"
        builder.error(root, "YAML-ROOT", f"the top level is {kind}, not a mapping of keys to values", "the file must start with keys such as 'submission:'")
        data = None
    return LoadResult(data, smap, builder.findings, builder.files)


def load_file(path: Path, display: str | None = None, *, mapping: bool = True, includes: bool = False) -> LoadResult:
    """Read and parse a YAML file. OSError propagates (the caller maps it to exit 2)."""
    file = display or str(path)
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        return LoadResult(
            None,
            SourceMap(file),
            [
                Finding(
                    Location(file, 0, 0),
                    Severity.ERROR,
                    "YAML-SIZE",
                    f"file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}",
                    hint="split the dossier or move long narrative out of it",
                )
            ],
        )
    text, findings = _decode(path.read_bytes(), file)
    if text is None:
        return LoadResult(None, SourceMap(file), findings)
    return load_text(text, file, mapping=mapping, origin=path, includes=includes)
