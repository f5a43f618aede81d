"""Findings -> text for people and CI: small pure formatter functions in a table."""

from __future__ import annotations

import json

from dossier.findings import Finding, Severity


def text_line(f: Finding) -> str:
    """`file:line:col: severity rule-id message` (+ path, hint and source when known)."""
    line = f"{f.location}: {f.severity.label} {f.rule} {f.message}"
    if f.path and f.path not in f.message:
        line += f" [{f.path}]"
    if f.hint:
        line += f" (hint: {f.hint})"
    if f.citation:
        line += f" — source: {f.citation}"
    return line


def format_text(findings: list[Finding]) -> str:
    return "".join(text_line(f) + "\n" for f in findings)


def format_json(findings: list[Finding], extra: dict | None = None) -> str:
    errors = sum(f.severity is Severity.ERROR for f in findings)
    doc = {
        "version": 1,
        "status": "fail" if errors else "pass",
        **(extra or {}),
        "findings": [
            {
                "rule": f.rule,
                "severity": f.severity.label,
                "file": f.location.file,
                "line": f.location.line,
                "column": f.location.column,
                "path": f.path,
                "section": f.section,
                "message": f.message,
                "hint": f.hint,
                "citation": f.citation,
            }
            for f in findings
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def summary(findings: list[Finding]) -> str:
    counts = {s: sum(f.severity is s for f in findings) for s in Severity}
    return f"{counts[Severity.ERROR]} error(s), {counts[Severity.WARNING]} warning(s), {counts[Severity.INFO]} note(s)"


FORMATTERS = {"text": format_text, "json": format_json}
