"""Human format: `file:line:col: severity rule-id message [path] (hint: ...) — source: ...`."""

from __future__ import annotations

from dossier.findings import Finding, Severity

_COLOURS = {Severity.ERROR: "\x1b[31m", Severity.WARNING: "\x1b[33m", Severity.INFO: "\x1b[36m"}
_RESET = "\x1b[0m"


def line(f: Finding, colour: bool = False) -> str:
    label = f.severity.label + (" (waived)" if f.waiver else "")
    if colour:
        label = f"{_COLOURS[f.severity]}{label}{_RESET}"
    out = f"{f.location}: {label} {f.rule} {f.message}"
    if f.path and f.path not in f.message:
        out += f" [{f.path}]"
    if f.hint:
        out += f" (hint: {f.hint})"
    if f.waiver:
        out += f" (waiver: {f.waiver})"
    if f.citation:
        out += f" — source: {f.citation}"
    return out


def summary(findings: list[Finding]) -> str:
    errors = sum(f.blocking for f in findings)
    warnings = sum(f.severity is Severity.WARNING and not f.waiver for f in findings)
    notes = sum(f.severity is Severity.INFO for f in findings)
    waived = sum(bool(f.waiver) for f in findings)
    text = f"{errors} error(s), {warnings} warning(s), {notes} note(s)"
    return text + (f", {waived} waived" if waived else "")


def render(report) -> str:
    return "".join(line(f, report.colour) + "\n" for f in report.findings)
