"""JUnit XML: one test case per rule (and per target), failing with that rule's findings."""

from __future__ import annotations

from collections import defaultdict
from xml.etree import ElementTree as ET

from dossier.findings import Severity


def render(report) -> str:
    by_rule = defaultdict(list)
    for f in report.findings:
        by_rule[f.rule].append(f)
    rule_ids = sorted(set(report.rules) | set(by_rule))
    suite = ET.Element("testsuite", name="dossier check", tests=str(len(rule_ids)))
    failures = 0
    for rid in rule_ids:
        info = report.rules.get(rid)
        case = ET.SubElement(suite, "testcase", classname="dossier." + rid.split("-")[0].lower(), name=rid)
        if info is not None:
            ET.SubElement(case, "system-out").text = f"{info.title} — source: {info.source}"
        failing = [f for f in by_rule.get(rid, []) if f.blocking or (report.strict and f.severity is Severity.WARNING and not f.waiver)]
        if failing:
            failures += 1
            node = ET.SubElement(case, "failure", message=f"{len(failing)} finding(s)", type=failing[0].severity.label)
            node.text = "\n".join(f"{f.location}: {f.message}" + (f" [{f.path}]" if f.path else "") for f in failing)
    suite.set("failures", str(failures))
    suites = ET.Element("testsuites", name="dossier", tests=suite.get("tests"), failures=str(failures))
    suites.append(suite)
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
