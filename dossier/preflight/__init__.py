"""Preflight: check any PDF against what regulatory submission gateways expect.

``dossier preflight PDF`` and ``dossier build`` (on its own output) both call
`preflight()`. Problems in the PDF are returned as `Finding`s (rule ids
``PDF-*``, see `CHECKS`); only a missing file or a bad option raises.
"""

from __future__ import annotations

from pathlib import Path

import pikepdf

from dossier.errors import InputFileError, UsageError
from dossier.findings import Finding, Location, Severity
from dossier.preflight.checks import CHECKS, CHECKS_BY_ID, Check, run_checks
from dossier.preflight.context import PdfContext

__all__ = ["CHECKS", "CHECKS_BY_ID", "Check", "OPEN_RULE", "PAGE_SIZES", "preflight",
           "resolve_page_size"]

# Width x height in points (portrait); landscape is accepted too.
PAGE_SIZES: dict[str, tuple[float, float]] = {
    "letter": (612.0, 792.0),
    "a4": (595.28, 841.89),
}
OPEN_RULE = "PDF-OPEN"


def preflight(path: Path, *, page_size: str | None = None, bounded: bool = True) -> list[Finding]:
    """Check the PDF at `path`; return findings in check order.

    `page_size` is None (not checked), ``"letter"`` or ``"a4"``. A file that
    cannot be opened as a PDF gives a single ``PDF-OPEN`` error. A PDF from outside
    (`bounded`, the default) is checked in a child process within the memory and time of
    `limits.run_bounded`; going over either is a single ``PDF-SIZE`` error. The tool's own
    output is checked in this process (`bounded=False`).

    Raises:
        UsageError: `page_size` is not a known size.
        InputFileError: `path` does not exist or is not a readable file.
    """
    size = resolve_page_size(page_size)
    path = Path(path)
    _require_file(path)
    if not bounded:
        return _check(path, size)
    from dossier.preflight import limits

    try:
        return limits.run_bounded(_check, path, size)
    except limits.Exceeded as exc:
        return [Finding(location=Location(str(path)), severity=Severity.ERROR, rule="PDF-SIZE",
                        message=f"{limits.describe(exc)}; the file is refused",
                        hint="re-create or re-save the PDF at its source; a file that needs this "
                             "much to open is damaged or built to exhaust the reader")]


def _check(path: Path, size: tuple[float, float] | None) -> list[Finding]:
    """Open and run every check (in this process)."""
    try:
        pdf = _open(path)
    except pikepdf.PasswordError:
        return [_open_failure(path, "the PDF is password-protected and cannot be opened",
                              "remove the password; FDA: no security settings or passwords")]
    except pikepdf.PdfError as exc:
        return [_open_failure(path, f"not a readable PDF: {exc}",
                              "viewers may repair damaged files silently, gateways reject "
                              "them; re-create or re-save it (e.g. `qpdf in.pdf out.pdf`)")]
    with pdf:
        return run_checks(PdfContext(path, pdf, size))


def resolve_page_size(page_size: str | None) -> tuple[float, float] | None:
    """``"letter"``/``"a4"`` (any case) -> (width, height) in points; None -> None."""
    if page_size is None:
        return None
    size = PAGE_SIZES.get(page_size.strip().lower())
    if size is None:
        raise UsageError(f"unknown page size {page_size!r}",
                         hint=f"use one of: {', '.join(PAGE_SIZES)}")
    return size


def _require_file(path: Path) -> None:
    """Raise `InputFileError` unless `path` is an existing, readable file."""
    if not path.exists():
        raise InputFileError(f"{path}: no such file")
    if not path.is_file():
        raise InputFileError(f"{path}: not a file")
    try:
        with path.open("rb"):
            pass
    except OSError as exc:
        raise InputFileError(f"{path}: cannot be read ({exc.strerror})") from exc


def _open(path: Path) -> pikepdf.Pdf:
    """Open without silent repair: a file that needs repairing is damaged."""
    return pikepdf.open(path, attempt_recovery=False, conversion_mode="implicit")


def _open_failure(path: Path, message: str, hint: str) -> Finding:
    return Finding(location=Location(str(path)), severity=Severity.ERROR, rule=OPEN_RULE,
                   message=message, hint=hint)
