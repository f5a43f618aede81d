"""Attached documents: PDFs a dossier names through `DocumentRef.file` (study reports, the
protocol, the investigator's brochure, ...).

`collect()` finds every attached document with the YAML path that names it; `check()` turns
each problem into a finding at that place (the file must exist inside the dossier's folder, be
a PDF that opens, not be encrypted, and pass the same preflight checks as a generated PDF);
`Attachment` carries what rendering and the manifest need (resolved path, pages, SHA-256).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel

from dossier.findings import Finding, Severity
from dossier.io.paths import UnsafePath, resolve_inside
from dossier.io.yamlsource import PathT, SourceMap, format_path
from dossier.model.base import DocumentRef

# Preflight checks of conventions the compiled document provides for an attached report: fast web
# view and opening on the bookmarks panel.
_NOT_FOR_ATTACHMENTS = {"PDF-LIN", "PDF-VIEW"}


@dataclass(frozen=True)
class Attachment:
    file: str
    """As written in the YAML (relative path)."""
    path: Path
    """Resolved, inside the dossier's folder."""
    where: PathT
    pages: int
    sha256: str


def collect(d: BaseModel, where: PathT = ()) -> list[tuple[PathT, DocumentRef]]:
    """Every DocumentRef with a file, in document order, with its YAML path."""
    found: list[tuple[PathT, DocumentRef]] = []
    if isinstance(d, DocumentRef):
        return [(where, d)] if d.file else []
    for name in type(d).model_fields:
        value = getattr(d, name)
        if isinstance(value, BaseModel):
            found += collect(value, where + (name,))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, BaseModel):
                    found += collect(item, where + (name, i))
    return found


def check(d: BaseModel, root: Path, smap: SourceMap) -> tuple[list[Attachment], list[Finding]]:
    """Resolve and check every attached PDF. `root` is the dossier's root YAML file; a file is
    relative to the YAML file that names it (an included file names files next to itself)."""
    import pikepdf

    from dossier.manifest import sha256
    from dossier.preflight import preflight

    attachments: list[Attachment] = []
    findings: list[Finding] = []
    for where, doc in collect(d):
        at = where + ("file",)
        location = smap.locate(at)
        try:  # relative to the YAML file that names it (as displayed: absolute or from the working folder)
            path = resolve_inside(root.parent, Path(location.file).parent, doc.file, {".pdf"}, "attachment")
        except UnsafePath as exc:
            findings.append(Finding(location, Severity.ERROR, "ATT-FILE", exc.message, path=format_path(at), hint=exc.hint))
            continue
        problems = [f for f in preflight(path) if f.severity is not Severity.INFO and f.rule not in _NOT_FOR_ATTACHMENTS]
        for p in problems:
            findings.append(
                Finding(location, p.severity, "ATT-PDF", f"attachment {doc.file}: {p.message} ({p.rule})", path=format_path(at), hint=p.hint or "fix the PDF at its source (fonts embedded, no security, bookmarks for 5 or more pages)")
            )
        if any(p.severity is Severity.ERROR for p in problems):
            continue
        with pikepdf.open(path) as pdf:
            pages = len(pdf.pages)
        attachments.append(Attachment(doc.file, path, where, pages, sha256(path)))
    return attachments, findings
