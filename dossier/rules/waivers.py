"""Apply the dossier's waivers to findings: waived findings stay visible but do not block.

A waiver names a rule id and optionally a YAML path; it covers that rule's findings at the
path or below. A waiver that covers nothing is itself reported, so stale waivers surface.
"""

from __future__ import annotations

from dataclasses import replace

from dossier.findings import Finding, Severity
from dossier.io.yamlsource import SourceMap
from dossier.model import Dossier, Waiver


def _covers(w: Waiver, f: Finding) -> bool:
    if f.rule != w.rule:
        return False
    if not w.path:
        return True
    return f.path == w.path or f.path.startswith(w.path + ".") or f.path.startswith(w.path + "[")


def apply_waivers(findings: list[Finding], d: Dossier, smap: SourceMap, checked: set[str], known: set[str]) -> list[Finding]:
    """Mark covered findings; report waivers for unknown rules, and unused waivers of checked rules."""
    out = []
    used = [False] * len(d.waivers)
    for f in findings:
        for i, w in enumerate(d.waivers):
            if _covers(w, f):
                used[i] = True
                f = replace(f, waiver=f"{w.reason} (approved by {w.approved_by}{', ' + w.date.isoformat() if w.date else ''})")
                break
        out.append(f)
    for i, w in enumerate(d.waivers):
        if used[i]:
            continue
        where = smap.locate(("waivers", i))
        if w.rule not in known:
            out.append(Finding(where, Severity.ERROR, "DOS-WAIVER-001", f"waiver names unknown rule {w.rule}", path=f"waivers[{i}].rule", hint="see 'dossier rules' for the ids"))
        elif w.rule in checked:
            out.append(Finding(where, Severity.WARNING, "DOS-WAIVER-002", f"waiver for {w.rule} covers no finding", path=f"waivers[{i}]", hint="remove the stale waiver"))
    return out
