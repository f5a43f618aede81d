"""Run a pack's completeness requirements and rule instances over one dossier.

Rule kinds report `Violation`s (a YAML path and a message); the engine stamps
the instance's id, severity and citation and locates the path in the source.
"""

from __future__ import annotations

from dataclasses import dataclass

from dossier import facts, factpath
from dossier.findings import Finding, Severity
from dossier.io.yamlsource import SourceMap, format_path
from dossier.model import Dossier, regional
from dossier.model.base import NotApplicable
from dossier.packs.manifest import UNVERIFIED, Pack, Requirement, Verification, source
from dossier.packs.outline import Node, build_outline
from dossier.rules.kinds import REGISTRY


@dataclass(frozen=True)
class Missing:
    """A required fact absent from the dossier, as a draft placeholder shows it."""

    section: str
    label: str
    path: str
    cite: str
    reason: str = ""
    """Set when the fact is answered not yet known: why (and when it is expected)."""


def _cite(cite, basis: Verification, d: Dossier) -> str:
    """The citation for this product (sources by product kind: manifest.source), as reports give it."""
    text, basis = source(cite, basis, d)
    return text if basis is not Verification.unverified else f"{text}{UNVERIFIED}"


def _doc_cite(cite, basis: Verification, d: Dossier) -> str:
    """The citation as a document prints it (no verification marker)."""
    return source(cite, basis, d)[0]


def evaluate(node: Node, d: Dossier) -> list[tuple[Requirement, tuple, bool, object]]:
    """(requirement, concrete yaml path, present?, value) for every required fact of an applicable node."""
    if not node.applicable:
        return []
    out = []
    for req in node.section.requires:
        relative, path = factpath.split_relative(req.path)
        # an item condition on a path through a list is asked of each item of that list; the
        # others (and an item condition under a repeated section) as before
        per_item = [name for name in req.when if "[]" in path and facts.is_item_condition(name)]
        if not facts.holds([name for name in req.when if name not in per_item], d, node.item):
            continue
        root, base = (node.item, node.item_path) if relative else (d, ())
        for where, value in factpath.resolve(root, path, base):
            if per_item and not facts.holds(per_item, d, _list_item(root, path, where[len(base):])):
                continue
            ok = (
                factpath.present(value)
                or (req.none_is_an_answer and value == [] and _given(root, where[len(base):]))
                or (req.otherwise is not None and _otherwise(d, root, path, req.otherwise, where[len(base):]))
            )
            out.append((req, where, ok, value))
    return out


def _at(root, steps: tuple):
    """The object `steps` (concrete YAML path steps) lead to from `root`; None when one is absent."""
    obj = root
    for step in steps:
        obj = obj[step] if isinstance(step, int) else getattr(obj, step, None)
        if obj is None:
            return None
    return obj


def _given(root, where: tuple) -> bool:
    """The YAML gives the field at `where` (relative to `root`), an empty list included."""
    obj = _at(root, where[:-1])
    return obj is not None and hasattr(obj, "told") and obj.told(where[-1]) == "given"


def _list_head(path: str) -> tuple[str, int]:
    """The part of `path` before its last `[]`, and how many concrete steps lead to that list's item."""
    head = path.rpartition("[]")[0]
    return head, head.count("[]") + 1 + head.replace("[]", "").count(".") + 1


def _list_item(root, path: str, where: tuple):
    """The item of the last list `path` runs through (`[]`), at the concrete `where`."""
    return _at(root, where[: _list_head(path)[1]])


def _otherwise(d: Dossier, root, path: str, otherwise: str, where: tuple) -> bool:
    """`otherwise` is given. When it is in the same list item as `path` (both start with the same
    `...[]` prefix: a study's report or its publication), it is asked of that item; else anywhere."""
    head, _ = _list_head(path)
    if head and otherwise.startswith(head + "[]."):
        item = _list_item(root, path, where)
        return item is not None and _present_anywhere(item, otherwise[len(head) + 3 :])
    return _present_anywhere(d, otherwise)


def _present_anywhere(d: Dossier, path: str) -> bool:
    return any(factpath.present(value) for _, value in factpath.resolve(d, path))


def _na_finding(smap: SourceMap, req: Requirement, where: tuple, node: Node, value: NotApplicable, d: Dossier) -> Finding:
    """A requirement answered 'not applicable' is reported (as a note) with its reason."""
    return Finding(
        smap.locate(where),
        Severity.INFO,
        req.id,
        f"{node.label} {node.title}: {req.label} answered not applicable: {value.reason}",
        path=format_path(where),
        citation=_cite(req.cite, req.basis, d),
        section=node.id,
        not_applicable=value.reason,
    )


def _hint(where: tuple, req: Requirement) -> str:
    parent = format_path(where[:-1]) or "the top level"
    last = where[-1]
    text = f"add '{last}:' under {parent}" if isinstance(last, str) else f"complete {format_path(where)}"
    if req.when:
        text += f" (required when {facts.describe(req.when)})"
    return text


@dataclass
class Readiness:
    required: int = 0
    present: int = 0


def completeness(pack: Pack, outline: list[Node], d: Dossier, smap: SourceMap) -> tuple[list[Finding], dict[str, list[Missing]], Readiness]:
    findings: list[Finding] = []
    by_anchor: dict[str, list[Missing]] = {}
    ready = Readiness()
    for root in outline:
        for node in root.walk():
            for req, where, ok, value in evaluate(node, d):
                ready.required += 1
                answer = smap.unknown_at(where)
                if answer is not None:
                    # answered not yet known: open, reported once by INPUT-UNKNOWN where it stands
                    reason = answer[0] + (f" (expected: {answer[1]})" if answer[1] else "")
                    by_anchor.setdefault(node.anchor, []).append(Missing(node.id, req.label, format_path(where), _doc_cite(req.cite, req.basis, d), reason))
                    continue
                if ok and where in smap.placeholders:
                    # placeholder text (TBD, XX, <...>): open, reported once by INPUT-PLACEHOLDER where it stands
                    by_anchor.setdefault(node.anchor, []).append(Missing(node.id, req.label, format_path(where), _doc_cite(req.cite, req.basis, d)))
                    continue
                if ok:
                    ready.present += 1
                    if isinstance(value, NotApplicable):
                        findings.append(_na_finding(smap, req, where, node, value, d))
                    continue
                text = format_path(where)
                cite = _cite(req.cite, req.basis, d)
                findings.append(
                    Finding(
                        smap.locate(where),
                        req.severity,
                        req.id,
                        f"{node.label} {node.title}: missing {req.label}",
                        path=text,
                        hint=_hint(where, req),
                        citation=cite,
                        section=node.id,
                        missing=True,
                    )
                )
                by_anchor.setdefault(node.anchor, []).append(Missing(node.id, req.label, text, _doc_cite(req.cite, req.basis, d)))
    return findings, by_anchor, ready


def unknown_findings(smap: SourceMap) -> list[Finding]:
    """One error per not-yet-known answer, where it stands (a waiver can accept it)."""
    from dossier.model.unknown import RULE

    return [
        Finding(
            smap.locate(path),
            Severity.ERROR,
            RULE,
            f"not yet known: {reason}" + (f" (expected: {expected})" if expected else ""),
            path=format_path(path),
            hint="give the fact once it is known; a draft shows this reason where the fact belongs; a final build needs the fact or a waiver",
        )
        for path, (reason, expected) in smap.unknowns.items()
    ]


def run_rules(pack: Pack, d: Dossier, smap: SourceMap) -> list[Finding]:
    findings = []
    for rule in pack.rules:
        if not facts.holds(rule.when, d):
            continue
        kind = REGISTRY[rule.use]
        params = kind.Params.model_validate(rule.params).model_dump()  # "false" -> False, "15" -> 15.0
        for v in kind.check(d, params):
            where = _regional(v.path, pack.region, smap)
            findings.append(
                Finding(
                    smap.locate(where),
                    rule.severity,
                    rule.id,
                    v.message,
                    path=format_path(where),
                    hint=v.hint,
                    citation=v.cite or _cite(rule.cite, rule.basis, d),
                )
            )
    return findings


def _regional(path: tuple, region: str, smap: SourceMap) -> tuple:
    """The path of the region's variant when the YAML gives the fact per region ({us:, eu:})."""
    variant = (*path, region)
    return variant if variant in smap.values else path


def undecided_findings(pack: Pack, outline: list[Node], d: Dossier, smap: SourceMap) -> list[Finding]:
    """A requirement or rule that applies only under a condition whose deciding fact is not
    stated is reported (under its own id, at the fact), once per id and fact: a missing fact
    never switches a requirement off in silence."""
    findings: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    items = [(req.id, f"{req.label} is required", req.when, req.severity, req.cite, req.basis) for root in outline for node in root.walk() if node.applicable for req in node.section.requires]
    items += [(rule.id, f"check {rule.id} applies", rule.when, rule.severity, rule.cite, rule.basis) for rule in pack.rules]
    for rid, what, when, severity, cite, basis in items:
        for condition, path in facts.undecided(when or [], d):
            where = tuple(int(p) if p.isdigit() else p for p in path.split("."))
            if (rid, path) in seen or smap.unknown_at(where) is not None:
                continue  # answered not yet known: INPUT-UNKNOWN reports it, once
            seen.add((rid, path))
            findings.append(
                Finding(
                    smap.locate(where),
                    severity,
                    rid,
                    f"{path} is not stated, so it cannot be decided whether {what} (it does when {facts.describe([condition])})",
                    path=path,
                    hint=f"state {path}",
                    citation=_cite(cite, basis, d),
                )
            )
    return findings


@dataclass
class PackCheck:
    findings: list[Finding]
    missing: dict[str, list[Missing]]
    outline: list[Node]
    readiness: Readiness


def check_dossier(pack: Pack, d: Dossier, smap: SourceMap) -> PackCheck:
    d = regional.view(d, pack.region)
    outline = build_outline(pack, d)
    findings, missing, ready = completeness(pack, outline, d, smap)
    findings += run_rules(pack, d, smap)
    findings += undecided_findings(pack, outline, d, smap)
    findings += unknown_findings(smap)
    return PackCheck(findings, missing, outline, ready)
