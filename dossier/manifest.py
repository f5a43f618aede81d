"""Build manifests and their verification (traceability of a submitted document to its inputs).

`dossier build` writes ``<output>.manifest.json`` beside each output: the tool version, the
target pack and a digest of every bundled template, pack and font, the document date, and the
SHA-256 of every input file (the root YAML, each included file, each attached document) and of
the output. Paths are relative to the manifest's folder, so the folder can be moved or archived
as a whole. `dossier verify MANIFEST` hashes everything again and reports each difference.

No keys are handled: ``--sign-off NAME`` records who built the document, not a signature.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from pathlib import Path

from dossier import __version__
from dossier.findings import Finding, Location, Severity

VERSION = 2


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def templates_digest() -> str:
    """One digest over every bundled template, pack and font: which rendering rules were used."""
    from dossier.resources import templates_dir

    root = templates_dir()
    h = hashlib.sha256()
    for f in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        h.update(f.relative_to(root).as_posix().encode() + b"\0" + sha256(f).encode() + b"\n")
    return h.hexdigest()


def _entry(path: Path, base: Path, role: str) -> dict:
    return {"path": Path(os.path.relpath(path.resolve(), base.resolve())).as_posix(), "role": role, "sha256": sha256(path), "bytes": path.stat().st_size}


def document(
    *,
    manifest_path: Path,
    inputs: list[tuple[Path, str]],
    outputs: list[Path],
    target: str,
    fmt: str,
    section: str | None,
    draft: bool,
    document_date: dt.date | None,
    findings: dict,
    sign_off: str | None = None,
) -> dict:
    base = manifest_path.parent
    return {
        "manifest_version": VERSION,
        "tool": {"name": "dossier", "version": __version__},
        "target": target,
        "format": fmt,
        "section": section,
        "draft": draft,
        "document_date": document_date.isoformat() if document_date else None,
        "templates_sha256": templates_digest(),
        "paths_relative_to": "the folder of this manifest",
        "inputs": [_entry(p, base, role) for p, role in inputs],
        "outputs": [_entry(p, base, "output") for p in outputs],
        "sign_off": {"name": sign_off, "recorded_at": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()} if sign_off else None,
        "findings": findings,
    }


def _problem(file: str, rule: str, message: str, hint: str = "", severity: Severity = Severity.ERROR) -> Finding:
    return Finding(Location(file, 0, 0), severity, rule, message, hint=hint)


def verify(manifest_path: Path) -> list[Finding]:
    """Every difference between the files now and what the manifest recorded (empty: all match)."""
    shown = str(manifest_path)
    try:
        doc = json.loads(manifest_path.read_text(encoding="utf-8"))
        entries = [*doc["inputs"], *doc["outputs"]]
        if doc.get("manifest_version") != VERSION or not all({"path", "sha256"} <= set(e) for e in entries):
            raise ValueError("unsupported manifest version or entry without path and sha256")
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        return [_problem(shown, "VERIFY-MANIFEST", f"not a readable dossier manifest ({exc})", "pass the <output>.manifest.json written by dossier build")]
    base = manifest_path.parent
    findings = []
    for e in entries:
        path = Path(os.path.normpath(base / e["path"]))
        role = e.get("role", "file")
        if not path.is_file():
            findings.append(_problem(str(path), "VERIFY-MISSING", f"{role} {e['path']} is missing", "restore it from the archive the manifest belongs to"))
            continue
        now = sha256(path)
        if now != e["sha256"]:
            findings.append(_problem(str(path), "VERIFY-CHANGED", f"{role} {e['path']} has changed (SHA-256 {now[:12]}…, recorded {e['sha256'][:12]}…)", "rebuild, or restore the recorded version"))
    tool = doc.get("tool", {}).get("version")
    if tool != __version__ or doc.get("templates_sha256") != templates_digest():
        findings.append(_problem(shown, "VERIFY-TOOL", f"built with dossier {tool} and other templates than this installation ({__version__}); a rebuild here may differ", severity=Severity.INFO))
    return findings
