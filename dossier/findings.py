"""Findings: frozen, sortable value objects shared by every stage."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Severity(enum.IntEnum):
    """Ordered so that `max()` gives the worst."""

    INFO = 0
    WARNING = 1
    ERROR = 2

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, order=True)
class Location:
    file: str = ""
    line: int = 0  # 1-based; 0 = unknown
    column: int = 0  # 1-based; 0 = unknown

    def __str__(self) -> str:
        if not self.line:
            return self.file
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True, order=True)
class Finding:
    """One problem (or note) about an input.

    `rule` is a stable id (e.g. ``YAML-SYNTAX``, ``SCHEMA-MISSING``,
    ``IND-FORM-002``); `path` is the dotted YAML path (``quality.lots[2].id``);
    `citation` names the regulatory source when the finding comes from one.
    """

    location: Location
    severity: Severity = field(compare=False)
    rule: str
    message: str
    path: str = ""
    hint: str = field(default="", compare=False)
    citation: str = field(default="", compare=False)
    section: str = field(default="", compare=False)
    waiver: str = field(default="", compare=False)
    """Set when a waiver in the YAML covers this finding: its reason and approver."""
    not_applicable: str = field(default="", compare=False)
    """Set on the note reporting a requirement answered not applicable: the reason given."""
    missing: bool = field(default=False, compare=False)
    """A required fact is not given (a completeness finding, whichever section requires it)."""
    also: tuple[str, ...] = field(default=(), compare=False)
    """Other rules that found the same fact (merged: one line per fact, every rule named)."""

    @property
    def blocking(self) -> bool:
        """An unwaived error: fails `check` and stops `build`."""
        return self.severity is Severity.ERROR and not self.waiver

    def sort_key(self) -> tuple:
        """A total order (file, line, column, rule, then every other field): identical input
        gives identical reports, whatever order the findings were produced in."""
        return (
            self.location.file, self.location.line, self.location.column, self.rule, self.path, self.message,
            -self.severity, self.hint, self.citation, self.section, self.waiver, self.not_applicable,
        )


def has_errors(findings: list[Finding]) -> bool:
    """Any unwaived error-level finding."""
    return any(f.blocking for f in findings)


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Sorted by `Finding.sort_key`, duplicates (same place, rule, path and message) once: the
    first in that order is kept, so the result never depends on the order of the input."""
    out: list[Finding] = []
    seen: set[Finding] = set()
    for f in sorted(findings, key=Finding.sort_key):
        if f not in seen:
            seen.add(f)
            out.append(f)
    return out


def merge_same_fact(findings: list[Finding]) -> list[Finding]:
    """One finding per fact: the same missing fact required by several sections or packs, or the
    same message at the same place from several rules, becomes one finding naming every rule
    (`also`) and every source. Waived, not-applicable and open findings are never merged with
    each other. The input is sorted (sort_findings); so is the result."""
    import dataclasses

    groups: dict[tuple, list[Finding]] = {}
    for f in findings:
        what = "missing" if f.missing else f.message
        key = (f.location, f.path, what, bool(f.waiver), f.not_applicable) if f.path else (id(f),)
        groups.setdefault(key, []).append(f)
    out = []
    for group in groups.values():
        first = max(group, key=lambda f: f.severity)  # max keeps the first of equal severity
        others = [f for f in group if f is not first]
        if not others:
            out.append(first)
            continue
        rules = tuple(dict.fromkeys(f.rule for f in others if f.rule != first.rule))
        cites = "; ".join(dict.fromkeys(f.citation for f in group if f.citation))
        message = first.message + (f" [also {', '.join(rules)}]" if rules else "")
        out.append(dataclasses.replace(first, message=message, citation=cites, also=rules))
    return sort_findings(out)
