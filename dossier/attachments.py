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

from dossier.factpath import instances
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
    return [(at, doc) for at, doc in instances(d, DocumentRef, where) if doc.file]


MAX_FILE_BYTES = 512 * 1024 * 1024
"""One attached PDF."""
MAX_TOTAL_BYTES = 2 * 1024 * 1024 * 1024
"""All attached PDFs of one dossier together."""
MAX_FILES = 500
MAX_PAGES = 10_000
"""Attached pages of one dossier together (each becomes a page of the compiled document)."""


def _inspect(path: Path) -> tuple[list[Finding], int]:
    """Preflight findings and page count of one attached PDF (run in a bounded child)."""
    import pikepdf

    from dossier.preflight import preflight

    findings = preflight(path, bounded=False)
    if any(f.severity is Severity.ERROR for f in findings):
        return findings, 0
    with pikepdf.open(path) as pdf:
        return findings, len(pdf.pages)


def _verdict_key(digest: str) -> str:
    """Cache key of an attached PDF's verdict: its content with the code that judges it."""
    import hashlib

    from dossier import __version__

    code = hashlib.sha256(__version__.encode())
    for source in sorted((Path(__file__).parent / "preflight").glob("*.py")) + [Path(__file__)]:
        code.update(source.read_bytes())
    return hashlib.sha256(f"{code.hexdigest()} {digest}".encode()).hexdigest()


def _inspect_cached(path: Path, digest: str) -> tuple[list[Finding], int]:
    """`_inspect` in a bounded child, or its verdict from an earlier run on the same bytes (the
    cache folder, dossier/io/cachedir.py): opening every attached PDF in a child process was the
    larger part of a check. A verdict is kept only when the child finished."""
    import json
    import os
    import tempfile

    from dossier.findings import Location
    from dossier.io.cachedir import cache_dir
    from dossier.preflight import limits

    entry = cache_dir() / "attachments" / f"{_verdict_key(digest)}.json"
    try:
        data = json.loads(entry.read_text(encoding="utf-8"))
        where = Location(str(path))
        return [Finding(where, Severity[f["severity"]], f["rule"], f["message"], hint=f["hint"]) for f in data["findings"]], int(data["pages"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    found, pages = limits.run_bounded(_inspect, path)
    record = {"pages": pages, "findings": [{"severity": f.severity.name, "rule": f.rule, "message": f.message, "hint": f.hint} for f in found]}
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=entry.parent, prefix=".tmp-")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(record, fh)
        os.replace(tmp, entry)
    except OSError:
        pass
    return found, pages


def _limit(location, at: PathT, message: str) -> Finding:
    return Finding(location, Severity.ERROR, "ATT-LIMIT", message, path=format_path(at), hint="split the submission, or file the largest documents as eCTD leaves of their own")


def check(d: BaseModel, root: Path, smap: SourceMap) -> tuple[list[Attachment], list[Finding]]:
    """Resolve and check every attached PDF. `root` is the dossier's root YAML file; a file is
    relative to the YAML file that names it (an included file names files next to itself).
    Each PDF is opened in a child process bounded in memory and time (dossier/preflight/limits.py);
    the dossier's limits on attachments (files, bytes, pages) are reported once, at the first
    attachment that exceeds one, and no attachment after it is read."""
    from dossier.manifest import sha256
    from dossier.preflight import limits

    attachments: list[Attachment] = []
    findings: list[Finding] = []
    seen: dict[Path, Attachment | None] = {}
    total_bytes = total_pages = 0
    for where, doc in collect(d):
        at = where + ("file",)
        location = smap.locate(at)
        try:  # relative to the YAML file that names it (as displayed: absolute or from the working folder)
            path = resolve_inside(root.parent, Path(location.file).parent, doc.file, {".pdf"}, "attachment")
        except UnsafePath as exc:
            findings.append(Finding(location, Severity.ERROR, "ATT-FILE", exc.message, path=format_path(at), hint=exc.hint))
            continue
        if path in seen:  # the same file named twice: checked and counted once
            if seen[path] is not None:
                attachments.append(Attachment(doc.file, path, where, seen[path].pages, seen[path].sha256))
            continue
        seen[path] = None
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            findings.append(_limit(location, at, f"attachment {doc.file} is {size:,} bytes; the limit is {MAX_FILE_BYTES:,} bytes per attached PDF"))
            continue
        if len(seen) > MAX_FILES:
            findings.append(_limit(location, at, f"more than {MAX_FILES} attached PDFs in one dossier (at {doc.file})"))
            break
        total_bytes += size
        if total_bytes > MAX_TOTAL_BYTES:
            findings.append(_limit(location, at, f"the attached PDFs of one dossier exceed {MAX_TOTAL_BYTES:,} bytes together (at {doc.file})"))
            break
        digest = sha256(path)
        try:
            found, pages = _inspect_cached(path, digest)
        except limits.Exceeded as exc:
            findings.append(Finding(location, Severity.ERROR, "ATT-PDF", f"attachment {doc.file}: {limits.describe(exc)}; the file is refused", path=format_path(at), hint="re-create the PDF at its source; a file that needs this much to open is damaged or built to exhaust the reader"))
            continue
        problems = [f for f in found if f.severity is not Severity.INFO and f.rule not in _NOT_FOR_ATTACHMENTS]
        for p in problems:
            findings.append(
                Finding(location, p.severity, "ATT-PDF", f"attachment {doc.file}: {p.message} ({p.rule})", path=format_path(at), hint=p.hint or "fix the PDF at its source (fonts embedded, no security, bookmarks for 5 or more pages)")
            )
        if any(p.severity is Severity.ERROR for p in problems):
            continue
        total_pages += pages
        if total_pages > MAX_PAGES:
            findings.append(_limit(location, at, f"the attached PDFs of one dossier exceed {MAX_PAGES:,} pages together (at {doc.file}, {pages:,} pages)"))
            break
        seen[path] = Attachment(doc.file, path, where, pages, digest)
        attachments.append(seen[path])
    return attachments, findings
