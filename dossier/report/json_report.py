"""The stable JSON contract (version 1), documented in docs/report-json.md."""

from __future__ import annotations

import json

from dossier.findings import Finding, Severity


def finding_dict(f: Finding) -> dict:
    return {
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
        "waived": bool(f.waiver),
        "waiver": f.waiver,
        "not_applicable": f.not_applicable,
        "also": list(f.also),
    }


def status(findings: list[Finding], strict: bool) -> str:
    failing = any(f.blocking for f in findings) or (strict and any(f.severity is Severity.WARNING and not f.waiver for f in findings))
    return "fail" if failing else "pass"


def render(report) -> str:
    doc = {
        "version": 1,
        "tool": {"name": "dossier", "version": report.tool_version},
        "status": status(report.findings, report.strict),
        "readiness": report.readiness,
        "findings": [finding_dict(f) for f in report.findings],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
