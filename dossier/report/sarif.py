"""SARIF 2.1.0 for code-scanning tools: rule metadata (with sources) and located results."""

from __future__ import annotations

import hashlib
import json

from dossier.findings import Severity

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _rule(info) -> dict:
    return {
        "id": info.id,
        "name": info.id,
        "shortDescription": {"text": info.title},
        "fullDescription": {"text": f"{info.title} Source: {info.source}."},
        "help": {"text": f"{info.title}\nSource: {info.source}\nRun `dossier explain {info.id}` for details and examples."},
        "defaultConfiguration": {"level": _LEVEL[info.severity]},
        "properties": {"source": info.source, "origin": info.origin},
    }


def _result(f, rule_index: dict[str, int]) -> dict:
    result = {
        "ruleId": f.rule,
        "level": "note" if f.waiver else _LEVEL[f.severity],
        "message": {"text": f.message + (f" (hint: {f.hint})" if f.hint else "")},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": f.location.file},
                    "region": {"startLine": max(f.location.line, 1), "startColumn": max(f.location.column, 1)},
                },
                "logicalLocations": [{"fullyQualifiedName": f.path, "kind": "member"}] if f.path else [],
            }
        ],
        "partialFingerprints": {"dossierFinding/v1": hashlib.sha256(f"{f.rule}|{f.path}|{f.message}".encode()).hexdigest()},
    }
    if f.rule in rule_index:
        result["ruleIndex"] = rule_index[f.rule]
    if f.waiver:
        result["suppressions"] = [{"kind": "inSource", "justification": f.waiver}]
    return result


def render(report) -> str:
    rules = [_rule(info) for info in report.rules.values()]
    index = {r["id"]: i for i, r in enumerate(rules)}
    doc = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "dossier", "version": report.tool_version, "rules": rules}},
                "results": [_result(f, index) for f in report.findings],
            }
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
