"""Every rule id the tool can report, with its severity, source and documentation.

Three origins: the tool's own input rules (YAML, schema, waivers), each pack's completeness
requirements (one id may cover several facts), and each pack's consistency rule instances
(a documented rule kind with parameters). `dossier rules`, `dossier explain` and the SARIF
report read this catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dossier.findings import Severity
from dossier.packs import Section, available, load_pack


@dataclass
class RuleInfo:
    id: str
    severity: Severity
    title: str
    """One line: what the rule checks."""
    source: str
    """Citation (CFR section, guideline and section) or 'dossier' for the tool's own input rules."""
    origin: str
    """'input', 'requirement' or 'rule'."""
    packs: list[str] = field(default_factory=list)
    facts: list[tuple[str, str, str]] = field(default_factory=list)
    """For requirements: (section id, fact path, label) of every fact the id covers."""
    kind: str = ""
    params: dict = field(default_factory=dict)
    when: list[str] = field(default_factory=list)


INPUT_RULES = {
    "YAML-SYNTAX": "The file is well-formed YAML (indentation with spaces, closed quotes and brackets).",
    "YAML-ENCODING": "The file is UTF-8 (a byte-order mark is accepted).",
    "YAML-EMPTY": "The file is not empty.",
    "YAML-ROOT": "The top level is a mapping of keys to values.",
    "YAML-DUPLICATE-KEY": "No key appears twice in one mapping (YAML would silently keep the last).",
    "YAML-ALIAS": "No anchors or aliases (every fact is written out; aliases can expand explosively).",
    "YAML-TAG": "No explicit tags such as !!python/object (plain data only).",
    "YAML-KEY": "Keys are plain names.",
    "YAML-DEPTH": "Nesting is at most 64 levels deep.",
    "YAML-SIZE": "Within the size limits: 5 MB per YAML file, 50 MB and 2,000 YAML files per dossier, 1,000 items per list, 200,000 values per dossier.",
    "YAML-LONG": "A single value is at most 200,000 characters.",
    "YAML-INCLUDE": "Every `include:` names a YAML file inside the dossier's folder, relative to the including file, without cycles.",
    "YAML-INVISIBLE": "No bidirectional controls (error) or zero-width characters (warning) that could hide a difference.",
    "YAML-CONTROL": "No control characters in text or keys (NUL, ESC, BEL, backspace, ...); only tab and line feed.",
    "INPUT-PLACEHOLDER": "No value is placeholder text: a <placeholder> of the `dossier init` starters, TBD/TBC/to be confirmed, unknown, n/a, ???, XX; such a value counts as open, not present.",
    "INPUT-UNKNOWN": "No fact is answered not yet known ({unknown: {reason: ...}}) in a final submission: each such answer is an open item (a waiver can accept it).",
    "SCHEMA-MISSING": "A field the schema requires is present.",
    "SCHEMA-UNKNOWN-KEY": "Every key is known to the schema (misspellings are caught, with a suggestion).",
    "SCHEMA-TYPE": "Every value has the type the schema expects (text, number, list, mapping, date).",
    "SCHEMA-VALUE": "Every value is allowed: one of the listed choices, in range, well-formed.",
    "ATT-FILE": "Every attached document (`file:` of a document reference) is a PDF inside the dossier's folder.",
    "ATT-PDF": "Every attached PDF opens and passes the submission preflight checks (version, no security, fonts embedded, bookmarks, page size, text).",
    "ATT-LIMIT": "Attachments stay within the dossier's limits: 512 MiB per file, 2 GiB, 500 files and 10,000 pages together.",
    "FIG-FILE": "Every figure the sponsor supplies (`figures: [{file, caption}]`) is a PNG (at most 10,000 pixels a side) or a self-contained SVG (no DTD, entities, scripts, event handlers, foreign objects or outside references) inside the dossier's folder, at most 10 MB.",
    "VERIFY-MANIFEST": "dossier verify: the manifest is readable.",
    "VERIFY-MISSING": "dossier verify: every file the manifest lists exists.",
    "VERIFY-CHANGED": "dossier verify: every file the manifest lists has the recorded SHA-256.",
    "VERIFY-TOOL": "dossier verify: the installed tool and templates are those that built the document (information).",
    "DOS-WAIVER-001": "A waiver names a rule that exists.",
    "DOS-WAIVER-002": "A waiver covers at least one finding (stale waivers are reported).",
}


def _input_rules() -> dict[str, RuleInfo]:
    out = {}
    for rid, title in INPUT_RULES.items():
        sev = Severity.WARNING if rid == "DOS-WAIVER-002" else Severity.INFO if rid == "VERIFY-TOOL" else Severity.ERROR  # YAML-INVISIBLE: error for bidi
        out[rid] = RuleInfo(rid, sev, title, "dossier input rules", "input")
    return out


def _walk(sections: list[Section]):
    for s in sections:
        yield s
        yield from _walk(s.sections)


def catalog(targets: list[str] | None = None) -> dict[str, RuleInfo]:
    from dossier.rules.kinds import REGISTRY

    rules = _input_rules()
    for name in targets or available():
        pack = load_pack(name)
        for section in _walk(pack.sections):
            for req in section.requires:
                info = rules.setdefault(
                    req.id,
                    RuleInfo(req.id, req.severity, f"Required: {req.label}", _source(req.cite, req.basis), "requirement"),
                )
                info.facts.append((section.id, req.path, req.label))
                if name not in info.packs:
                    info.packs.append(name)
                if req.severity > info.severity:
                    info.severity = req.severity
        for rule in pack.rules:
            doc = (REGISTRY[rule.use].__doc__ or "").strip()
            first = " ".join(doc.split("\n\n")[0].split(":", 1)[-1].split())
            what = (rule.params or {}).get("what")
            if rule.use == "present-in-any" and what:  # the generic kind says nothing; its instance does
                first = f"Required: {what}"
            elif rule.use == "flag-matches-condition" and what:
                from dossier.facts import describe

                first = f"{what} is set exactly when {describe([rule.params['condition']])}"
            info = rules.get(rule.id)
            if info is None:
                info = rules[rule.id] = RuleInfo(rule.id, rule.severity, first, _source(rule.cite, rule.basis), "rule")
            elif info.origin == "requirement":  # one regulatory item: required facts plus a consistency check
                info.origin = "requirement and rule"
                info.title += f"; and: {first}"
            info.kind, info.params, info.when = rule.use, rule.params, rule.when
            if rule.severity > info.severity:
                info.severity = rule.severity
            if name not in info.packs:
                info.packs.append(name)
    for info in rules.values():
        if info.facts:
            labels = list(dict.fromkeys(label for _, _, label in info.facts))
            text = "; ".join(labels[:3]) + ("; …" if len(labels) > 3 else "")
            info.title = f"Required: {text}" + (info.title[info.title.index("; and:"):] if "; and:" in info.title else "")
    return dict(sorted(rules.items()))


def _source(cite, basis) -> str:
    """The source, or the sources by product kind each with the facts it applies to."""
    from dossier.facts import describe
    from dossier.packs.manifest import UNVERIFIED, Verification, sources

    listed = sources(cite, basis)

    def one(text: str, b) -> str:
        return text + (UNVERIFIED if b is Verification.unverified else "")

    if len(listed) == 1:
        return one(listed[0][1], listed[0][2])
    parts = [f"when {describe(when)}: {one(text, b)}" if when else f"for any other product: {one(text, b)}" for when, text, b in listed]
    return "; otherwise ".join(parts)
