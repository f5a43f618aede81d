"""GitHub Actions workflow commands: `::error file=F,line=L,col=C,title=T::message`.

GitHub shows at most 10 annotations per step; every finding is still printed, and the
readiness table goes to $GITHUB_STEP_SUMMARY when that variable is set (done by the CLI).
"""

from __future__ import annotations

from dossier.findings import Finding, Severity

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def line(f: Finding) -> str:
    level = "notice" if f.waiver else _LEVEL[f.severity]
    props = [f"file={_escape_property(f.location.file)}"]
    if f.location.line:
        props += [f"line={f.location.line}", f"col={f.location.column}"]
    props.append(f"title={_escape_property(f.rule + (' (waived)' if f.waiver else ''))}")
    message = f.message
    if f.hint:
        message += f" (hint: {f.hint})"
    if f.citation:
        message += f" — source: {f.citation}"
    return f"::{level} {','.join(props)}::{_escape_data(message)}"


def render(report) -> str:
    return "".join(line(f) + "\n" for f in report.findings)


def step_summary(report) -> str:
    """Markdown for $GITHUB_STEP_SUMMARY: readiness per target and the first findings."""
    rows = ["| target | required present | errors | warnings | waived |", "|---|---|---|---|---|"]
    for r in report.readiness:
        rows.append(f"| {r['target']} | {r['required_present']}/{r['required_total']} | {r['errors']} | {r['warnings']} | {r['waived']} |")
    lines = ["## dossier check", "", *rows, ""]
    shown = [f for f in report.findings if f.blocking][:50]
    if shown:
        lines += ["| location | rule | message |", "|---|---|---|"]
        lines += [f"| {f.location} | {f.rule} | {f.message.replace('|', '/')} |" for f in shown]
    return "\n".join(lines) + "\n"
