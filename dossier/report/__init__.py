"""Findings -> output for people and CI: small pure formatters in a table, `auto` picks one.

Every formatter takes a `Report` and returns text. The JSON document is the stable contract
(docs/report-json.md); SARIF 2.1.0, JUnit XML and GitHub workflow commands are derived views.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field

from dossier.findings import Finding
from dossier.report import github, json_report, junit, sarif, text


@dataclass
class Report:
    findings: list[Finding]
    readiness: list[dict] = field(default_factory=list)
    rules: dict = field(default_factory=dict)
    """Rule id -> dossier.rules.catalog.RuleInfo, for rule metadata (SARIF, JUnit)."""
    tool_version: str = ""
    colour: bool = False
    strict: bool = False


FORMATTERS = {
    "text": text.render,
    "json": json_report.render,
    "sarif": sarif.render,
    "junit": junit.render,
    "github": github.render,
}


def resolve_format(name: str, stream=None) -> tuple[str, bool]:
    """(formatter name, colour) for a requested format; `auto` looks at the environment."""
    stream = stream or sys.stdout
    if name != "auto":
        return name, False
    if os.environ.get("GITHUB_ACTIONS") == "true":
        return "github", False
    tty = hasattr(stream, "isatty") and stream.isatty() and not os.environ.get("NO_COLOR")
    return "text", bool(tty)


def render(fmt: str, report: Report) -> str:
    return FORMATTERS[fmt](report)


def summary(findings: list[Finding]) -> str:
    return text.summary(findings)
