"""Command line: thin commands that parse options, call `dossier.api`, print, exit.

Exit codes: 0 no error-level findings; 1 the dossier (or PDF) has problems;
2 the tool could not do what was asked (bad option, missing file, unwritable
output, internal error). Mapped here and nowhere else.
"""

from __future__ import annotations

import enum
import json
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Annotated, Optional

import typer

from dossier import __version__
from dossier.errors import DossierError

app = typer.Typer(
    name="dossier",
    help="Assemble and check regulatory dossiers (FDA IND, EU IMPD) for cell and gene therapies.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,  # never dump locals: a dossier is confidential
    rich_markup_mode=None,
)

EXIT_OK, EXIT_FINDINGS, EXIT_TOOL = 0, 1, 2


class Target(str, enum.Enum):
    ind = "ind"
    impd = "impd"


class CheckTarget(str, enum.Enum):
    ind = "ind"
    impd = "impd"
    all = "all"


class Format(str, enum.Enum):
    pdf = "pdf"
    html = "html"
    docx = "docx"


class Layout(str, enum.Enum):
    compiled = "compiled"
    ectd = "ectd"


class ReportFormat(str, enum.Enum):
    auto = "auto"
    text = "text"
    json = "json"
    sarif = "sarif"
    junit = "junit"
    github = "github"


class PageSize(str, enum.Enum):
    letter = "letter"
    a4 = "a4"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"dossier {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")] = False,
) -> None:
    """Assemble and check regulatory dossiers (FDA IND, EU IMPD) for cell and gene therapies."""


def _write_report(text: str, output: Path | None, inputs=None, protect=None) -> None:
    """To standard output, or atomically to `output` after the output guard (never an input,
    a folder, a device or a FIFO)."""
    if output is None:
        sys.stdout.write(text)
        return
    from dossier.io import guard

    guard.write_output(output, text.encode("utf-8"), inputs, protect=protect)


def _not_a_dossier_file(path: Path) -> str | None:
    """A report never replaces a YAML or PDF file: those are what dossiers are made of (and a
    dossier that could not be read names its attachments nowhere we could see)."""
    if path.suffix.lower() in (".yaml", ".yml", ".pdf"):
        return f"is a {path.suffix.lower()[1:].upper()} file, and a report never replaces one"
    return None


@app.command()
def check(
    path: Annotated[Path, typer.Argument(help="The dossier YAML file (or the folder holding dossier.yaml).")],
    target: Annotated[CheckTarget, typer.Option("--target", "-t", help="Which submission to check against.")] = CheckTarget.all,
    fmt: Annotated[ReportFormat, typer.Option("--format", "-f", help="auto: GitHub annotations in GitHub Actions, colour on a terminal, else text.")] = ReportFormat.auto,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write the report to this file instead of standard output.")] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Warnings fail too (exit 1).")] = False,
) -> None:
    """Validate the YAML and check completeness and consistency; report every finding."""
    from dossier import api, report
    from dossier.report import github
    from dossier.rules.catalog import catalog

    result = api.check(path, target.value)
    name, colour = report.resolve_format(fmt.value, sys.stdout if output is None else None)
    rules = catalog(api.targets_for(target.value)) if name in ("sarif", "junit") else {}
    rep = report.Report(result.findings, [r.as_dict() for r in result.reports], rules, __version__, colour and output is None, strict)
    _write_report(report.render(name, rep), output, result.loaded.inputs, _not_a_dossier_file)
    if name == "github" and os.environ.get("GITHUB_STEP_SUMMARY"):
        with open(os.environ["GITHUB_STEP_SUMMARY"], "a", encoding="utf-8") as fh:
            fh.write(github.step_summary(rep))
    if name in ("text", "github"):
        for r in rep.readiness:
            typer.echo(_readiness(r), err=True)
        typer.echo(f"{result.loaded.path}: {report.summary(result.findings)}", err=True)
    warnings_fail = strict and any(f.severity.name == "WARNING" and not f.waiver for f in result.findings)
    global _quick_exit
    _quick_exit = True
    raise typer.Exit(EXIT_FINDINGS if (not result.ok or warnings_fail) else EXIT_OK)


@app.command()
def build(
    path: Annotated[Path, typer.Argument(help="The dossier YAML file (or the folder holding dossier.yaml).")],
    target: Annotated[Target, typer.Option("--target", "-t", help="Which document to build.")],
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Output file (default: beside the input, named after product and target).")] = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="pdf, html or docx (a Word draft writers can edit; see 'dossier ingest').")] = Format.pdf,
    docx_template: Annotated[Optional[Path], typer.Option("--docx-template", metavar="FILE.docx", help="Word output: take styles, page layout, header and footer from this .docx (e.g. the company template).")] = None,
    section: Annotated[Optional[str], typer.Option("--section", "-s", help="Build one section of the pack's tree (e.g. 3.2.P.5 or 312.23(a)(7)); see 'dossier sections'.")] = None,
    draft: Annotated[bool, typer.Option("--draft", help="Build despite missing content: placeholders name what is missing; pages are marked DRAFT.")] = False,
    jobs: Annotated[Optional[int], typer.Option("--jobs", "-j", min=1, help="Parallel layout processes for PDFs (default: number of cores; 1 = single pass).")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Lay out every section again instead of reusing unchanged ones from the cache.")] = False,
    sign_off: Annotated[Optional[str], typer.Option("--sign-off", metavar="NAME", help="Record who built the document in the manifest (a name, not a signature).")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="List every finding (and the output's preflight notes) on standard error; by default only the readiness summary and, for a refused build, its errors.")] = False,
    trace: Annotated[bool, typer.Option("--trace", help="Print under each heading the source it answers (\"Requirement: ...\"); always in drafts. The manifest records it either way.")] = False,
    layout: Annotated[Layout, typer.Option("--layout", help="compiled: one PDF; ectd: one PDF per leaf document in eCTD folders (IND) or the CTIS Part I set (IMPD), -o names the folder.")] = Layout.compiled,
    progress: Annotated[
        Optional[bool],
        typer.Option(
            "--progress/--no-progress",
            help="Progress bar on standard error: --progress always (from the start), --no-progress never. "
            "Default: on a terminal, unless CI is set or TERM=dumb, once the build has run for a second.",
        ),
    ] = None,
) -> None:
    """Render the IND or IMPD (or one section) to PDF, HTML or Word; refuses while check finds errors unless --draft."""
    from dossier import api, report
    from dossier.findings import has_errors
    from dossier.report import text

    def run(on_progress=None):
        return api.build(path, target.value, output=output, fmt=fmt.value, section=section, draft=draft, jobs=jobs, use_cache=not no_cache, on_progress=on_progress, sign_off=sign_off, layout=layout.value, trace=trace, docx_template=docx_template)

    if _progress_wanted(progress, sys.stderr, os.environ):
        forced = progress is True
        with _BuildProgress(delay=0 if forced else PROGRESS_DELAY, transient=not forced) as bar:
            result = run(bar)
    else:
        result = run()
    findings = result.check.findings
    for r in result.check.reports:
        typer.echo(_readiness(r.as_dict()), err=True)
    if verbose:
        sys.stderr.write("".join(text.line(f) + "\n" for f in findings))
    if result.output is None:
        if not verbose:  # why it was not built: the blocking errors (all of them with --verbose or check)
            blocking = [f for f in findings if f.blocking]
            sys.stderr.write("".join(text.line(f) + "\n" for f in blocking[:BUILD_ERRORS_SHOWN]))
            if len(blocking) > BUILD_ERRORS_SHOWN:
                typer.echo(f"... and {len(blocking) - BUILD_ERRORS_SHOWN} more error(s): dossier check {path} lists every finding", err=True)
        typer.echo(f"{result.check.loaded.path}: {report.summary(findings)}; not built" + ("" if not has_errors(findings) else " (use --draft for a draft)"), err=True)
        raise typer.Exit(EXIT_FINDINGS)
    if verbose:
        sys.stderr.write("".join(text.line(f) + "\n" for f in result.preflight))
    typer.echo(f"{result.check.loaded.path}: {report.summary(findings)}" + ("" if verbose or not findings else " (--verbose or dossier check lists them)"), err=True)
    typer.echo(f"wrote {result.output}" + (" (draft)" if draft else "") + f" and {result.manifest.name}", err=True)
    raise typer.Exit(EXIT_OK)


BUILD_ERRORS_SHOWN = 20
"""A refused build shows this many of its blocking errors (check lists all)."""


def _readiness(r: dict) -> str:
    return (
        f"{r['target']}: {r['required_present']}/{r['required_total']} required items present; "
        f"{r['errors']} error(s), {r['warnings']} warning(s), {r['waived']} waived"
    )


@app.command()
def preflight(
    pdf: Annotated[Path, typer.Argument(help="Any PDF to check against submission-gateway expectations.")],
    page_size: Annotated[Optional[PageSize], typer.Option("--page-size", help="Expected page size.")] = None,
    fmt: Annotated[ReportFormat, typer.Option("--format", "-f", help="Output format.")] = ReportFormat.auto,
) -> None:
    """Check a PDF: version, security, fonts, bookmarks, links, actions, metadata, page size, text."""
    from dossier import api, report
    from dossier.findings import has_errors

    findings = api.preflight(pdf, page_size.value if page_size else None)
    name, colour = report.resolve_format(fmt.value)
    sys.stdout.write(report.render(name, report.Report(findings, tool_version=__version__, colour=colour)))
    if name in ("text", "github"):
        typer.echo(f"{pdf}: {report.summary(findings)}", err=True)
    raise typer.Exit(EXIT_FINDINGS if has_errors(findings) else EXIT_OK)


@app.command()
def verify(
    manifest: Annotated[Path, typer.Argument(help="A <output>.manifest.json written by dossier build, or an eCTD folder (checks its backbone).")],
    fmt: Annotated[ReportFormat, typer.Option("--format", "-f", help="Output format.")] = ReportFormat.auto,
) -> None:
    """Hash every input and output a build manifest lists again, or check an eCTD folder's backbone
    (XML valid, every leaf present with its MD5); report each file that changed or is missing."""
    from dossier import api, report
    from dossier.findings import has_errors

    findings = api.verify(manifest)
    name, colour = report.resolve_format(fmt.value)
    sys.stdout.write(report.render(name, report.Report(findings, tool_version=__version__, colour=colour)))
    if name in ("text", "github"):
        ok = not has_errors(findings)
        what = "every leaf matches the eCTD backbone" if manifest.is_dir() else "every file matches the manifest"
        typer.echo(f"{manifest}: " + (what if ok else report.summary(findings)), err=True)
    raise typer.Exit(EXIT_FINDINGS if has_errors(findings) else EXIT_OK)


@app.command()
def schema(
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write the JSON Schema here instead of standard output.")] = None,
) -> None:
    """Print the JSON Schema of the dossier YAML, for editors (yaml-language-server)."""
    from dossier import api

    text = json.dumps(api.schema(), indent=2, ensure_ascii=False) + "\n"
    _write_report(text, output)
    if output is not None:
        typer.echo(f"wrote {output}", err=True)


@app.command()
def init(
    modality: Annotated[str, typer.Option("--modality", "-m", help="car-t, car-t-gammaretroviral, aav, aav-iv, hsc-lv, msc, tep, limbal or catmp.")],
    directory: Annotated[Path, typer.Argument(help="Folder to write dossier.yaml into (created if missing).")] = Path("."),
    force: Annotated[bool, typer.Option("--force", help="Replace an existing dossier.yaml.")] = False,
) -> None:
    """Write a commented starter dossier.yaml for a modality; `dossier check` then lists what remains."""
    from dossier import api

    out = api.init(modality, directory, force=force)
    typer.echo(f"wrote {out}; next: dossier check {out} --target all", err=True)


@app.command()
def sections(
    target: Annotated[Target, typer.Option("--target", "-t", help="Which pack to list.")],
) -> None:
    """List the section ids (and aliases) of a pack, for --section."""
    from dossier.packs import load_pack

    pack = load_pack(target.value)

    def walk(items, depth):
        for s in items:
            typer.echo(f"{'  ' * depth}{s.id}  {s.title}" + ("  (one per item)" if s.repeat else ""))
            walk(s.sections, depth + 1)

    walk(pack.sections, 0)
    for alias, ids in pack.aliases.items():
        typer.echo(f"{alias}  -> {', '.join(ids)}")


@app.command()
def rules(
    target: Annotated[Optional[CheckTarget], typer.Option("--target", "-t", help="Only the rules of this pack (input rules are always listed).")] = None,
) -> None:
    """List every rule: id, severity, what it checks, and its source."""
    from dossier import api
    from dossier.rules.catalog import catalog

    targets = api.targets_for(target.value) if target else None
    for info in catalog(targets).values():
        typer.echo(f"{info.id:16} {info.severity.label:8} {info.title} — source: {info.source}")


@app.command()
def explain(rule_id: Annotated[str, typer.Argument(help="A rule id, e.g. IND-CMC-001 or YAML-ALIAS.")]) -> None:
    """Print a rule's documentation with a passing and a failing YAML example."""
    from dossier.rules.explain import explain as explain_rule

    sys.stdout.write(explain_rule(rule_id))


@app.command()
def ingest(
    document: Annotated[Path, typer.Argument(help="A Word document made by 'dossier build --format docx' and edited by a writer.")],
    path: Annotated[Optional[Path], typer.Argument(help="The dossier YAML (or its folder); default: the one the document was made from.")] = None,
    write: Annotated[bool, typer.Option("--write", help="Write the narrative changes into the YAML (a backup FILE.bak is kept; atomic).")] = False,
    check: Annotated[bool, typer.Option("--check", help="Exit 1 when the document holds changes not yet in the YAML (for CI).")] = False,
) -> None:
    """Show the writer's edits of narrative text, per YAML path, as a unified diff; with --write,
    put them into the YAML. Structured facts (numbers, tables) are reported, never written."""
    from dossier.ingest import ingest as run, relative
    from dossier.io.yamlsource import format_path

    result = run(document, path, write=write)
    typer.echo(f"{relative(result.docx)}: made from {relative(result.dossier)}", err=True)
    labels = {"edit": "edited in Word", "conflict": "CONFLICT", "structured": "structured fact edited in Word", "tracked": "tracked changes", "gone": "not in the dossier"}
    for c in result.changes:
        typer.echo(f"{c.file}:{c.line}: {format_path(c.path)}: {labels[c.kind]}" + (f" — {c.message}" if c.message else ""))
        if c.kind in ("edit", "conflict"):
            sys.stdout.write(c.diff())
        elif c.kind == "structured":
            typer.echo(f"  YAML: {c.old!r}\n  Word: {c.new!r}")
    for file, backup in result.written:
        typer.echo(f"wrote {relative(file)} (backup: {relative(backup)})", err=True)
    others = len(result.changes) - len(result.edits)
    summary = f"{relative(result.docx)}: {len(result.edits)} narrative change(s)" + (" written" if result.written else "") + f", {others} other(s) reported, not written"
    typer.echo(summary, err=True)
    if result.edits and not write:
        typer.echo("run again with --write to put the narrative changes into the YAML", err=True)
    pending = bool(result.changes) and not (write and others == 0)
    raise typer.Exit(EXIT_FINDINGS if check and pending else EXIT_OK)


@app.command("map")
def map_facts(
    path: Annotated[Optional[Path], typer.Argument(help="A dossier YAML (or its folder): also list the sources its records name.")] = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write the Markdown table here instead of standard output.")] = None,
) -> None:
    """Show, for each fact of the YAML, which IND and IMPD sections use it (parity view); with a
    dossier, also where each of its records says its facts came from (`sources:`)."""
    from dossier.packs.factmap import as_markdown, sources_markdown

    text = as_markdown()
    inputs = None
    if path is not None:
        from dossier import api, report

        loaded = api.load(path)
        inputs = loaded.inputs
        if loaded.dossier is None:
            sys.stderr.write(report.render("text", report.Report(loaded.findings, [], {}, __version__, False, False)))
            typer.echo(f"{loaded.path}: {report.summary(loaded.findings)}; no map of its sources", err=True)
            raise typer.Exit(EXIT_FINDINGS)
        text += sources_markdown(loaded.dossier, loaded.source_map, str(loaded.path))
    _write_report(text, output, inputs, _not_a_dossier_file)
    if output is not None:
        typer.echo(f"wrote {output}", err=True)


PROGRESS_DELAY = 1.0
"""Seconds a build runs before its progress bar appears (without --progress)."""


def _progress_wanted(flag: bool | None, stream, env) -> bool:
    """--progress / --no-progress decide; by default a bar only on a terminal, outside CI
    (CI set to anything but "", 0, false, no) and not with TERM=dumb."""
    if flag is not None:
        return flag
    if env.get("CI", "").strip().lower() not in ("", "0", "false", "no") or env.get("TERM") == "dumb":
        return False
    try:
        return bool(stream.isatty())
    except (AttributeError, OSError, ValueError):
        return False


class _GuardedStream:
    """Standard error as rich writes to it: each write holds `lock`, which is also held across
    fork() (see _BuildProgress), so a worker process never inherits the stream mid-write."""

    def __init__(self, stream) -> None:
        self._stream = stream
        self.lock = threading.RLock()

    def write(self, text: str) -> int:
        with self.lock:
            return self._stream.write(text)

    def flush(self) -> None:
        with self.lock:
            self._stream.flush()

    def __getattr__(self, name):
        return getattr(self._stream, name)


class _BuildProgress:
    """A rich progress bar on standard error, fed by `api.build(on_progress=...)`: the units of
    the build done / total (dossier/progress.py) and what runs now.

    It appears after `delay` seconds (a timer thread) unless the build is over by then, and rich
    redraws it from a thread of its own. The parallel build forks its workers meanwhile, so a
    fork hook holds the stream's lock across every fork while a bar is active. Standard output
    is left alone (no redirection): the bar never goes there.
    """

    _active: _BuildProgress | None = None
    _hooked = False

    def __init__(self, delay: float, transient: bool) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._stream = _GuardedStream(sys.stderr)
        self._progress = Progress(
            TextColumn("dossier build: {task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(file=self._stream, force_terminal=True),
            transient=transient,
            redirect_stdout=False,
            redirect_stderr=False,
        )
        self._task = self._progress.add_task("checking", total=None)
        self._lock = threading.Lock()
        self._shown = self._closed = self._finished = False
        self._timer = threading.Timer(delay, self._show) if delay > 0 else None

    def __call__(self, done: int, total: int, label: str) -> None:
        self._finished = done == total
        self._progress.update(self._task, completed=done, total=total, description=label)

    def _show(self) -> None:
        with self._lock:
            if not self._closed:
                self._shown = True
                self._progress.start()

    def __enter__(self) -> _BuildProgress:
        if not _BuildProgress._hooked:
            os.register_at_fork(before=_BuildProgress._before_fork, after_in_parent=_BuildProgress._after_fork, after_in_child=_BuildProgress._in_child)
            _BuildProgress._hooked = True
        _BuildProgress._active = self
        if self._timer is None:
            self._show()
        else:
            self._timer.daemon = True
            self._timer.start()
        return self

    def __exit__(self, *exc) -> None:
        if self._timer is not None:
            self._timer.cancel()
        with self._lock:
            self._closed = True
            if self._shown:
                if not self._finished:
                    self._progress.update(self._task, description="stopped")
                self._progress.stop()
        _BuildProgress._active = None

    @staticmethod
    def _before_fork() -> None:
        if _BuildProgress._active is not None:
            _BuildProgress._active._stream.lock.acquire()

    @staticmethod
    def _after_fork() -> None:
        if _BuildProgress._active is not None:
            _BuildProgress._active._stream.lock.release()

    @staticmethod
    def _in_child() -> None:
        _BuildProgress._after_fork()
        _BuildProgress._active = None  # the child has no display thread; it never writes the bar


class _Stopped(BaseException):
    """SIGINT, SIGTERM or SIGHUP arrived: unwinds the command (temporary files removed, worker
    processes killed, nothing half-written left) and ends it with 128 + the signal number.
    Not a KeyboardInterrupt, which click would turn into exit code 1."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _stop(signum: int, frame) -> None:
    for sig in STOP_SIGNALS:  # a second signal must not interrupt the clean-up
        signal.signal(sig, signal.SIG_IGN)
    raise _Stopped(signum)


def _install_signal_handlers() -> None:
    for sig in STOP_SIGNALS:
        try:
            signal.signal(sig, _stop)
        except (ValueError, OSError):  # not the main thread (embedded use): leave them alone
            return


STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


_quick_exit = False
"""Set by a command that leaves nothing to clean up (check): the process then ends without the
interpreter's teardown, which frees every module and object one by one (about 26 ms of a 330 ms
check, benchmarks/README.md). Only the console entry point (`run`) acts on it; `main`, which
tests call in-process, never ends the process itself."""


def _exit_now(code) -> None:
    code = 0 if code is None else code if isinstance(code, int) else 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more can be said
            code = code or EXIT_TOOL
    os._exit(code)


def main() -> None:
    """Console entry point: run the app and map failures to exit code 2 without tracebacks;
    SIGINT/SIGTERM/SIGHUP end it cleanly with 128 + the signal number."""
    # dossier uses no pydantic plugins; skipping their entry-point scan saves ~12 ms per run
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    _install_signal_handlers()
    try:
        app()
    except DossierError as exc:
        typer.echo(f"dossier: error: {exc.message}", err=True)
        if exc.hint:
            typer.echo(f"  hint: {exc.hint}", err=True)
        sys.exit(EXIT_TOOL)
    except (_Stopped, KeyboardInterrupt) as exc:
        signum = exc.signum if isinstance(exc, _Stopped) else signal.SIGINT
        typer.echo(f"dossier: stopped by {signal.Signals(signum).name}; unfinished output discarded, temporary files removed", err=True)
        sys.exit(128 + signum)
    except OSError as exc:
        # the machine, not the dossier or the tool: a full disk, a vanished folder, a limit
        where = f"{exc.filename}: " if exc.filename else ""
        typer.echo(f"dossier: error: {where}{exc.strerror or exc}", err=True)
        typer.echo("  hint: check free space and permissions of the output and temporary folders", err=True)
        sys.exit(EXIT_TOOL)
    except Exception as exc:  # noqa: BLE001 - last-resort guard: no traceback for users
        if os.environ.get("DOSSIER_DEBUG"):
            raise
        typer.echo(f"dossier: internal error: {type(exc).__name__}: {exc}", err=True)
        typer.echo("  hint: this is a bug in dossier; rerun with DOSSIER_DEBUG=1 for a traceback and report it", err=True)
        sys.exit(EXIT_TOOL)


def run() -> None:
    """The `dossier` command and `python -m dossier`: `main`, ended without the interpreter's
    teardown after a command that leaves nothing to clean up (`_quick_exit`)."""
    try:
        main()
    except SystemExit as exc:
        if _quick_exit:
            _exit_now(exc.code)
        raise
