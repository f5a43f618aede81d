"""The stages as importable functions: load, check, build, preflight, schema.

Nothing here prints or exits; `cli.py` does that. Heavy imports (Jinja
templates, WeasyPrint, pikepdf) happen inside the functions that need them so
that `dossier check` stays fast.
"""

from __future__ import annotations

import dataclasses
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from dossier import __version__
from dossier.errors import InputFileError, OutputError, PreflightFailure, RenderError, UsageError
from dossier.findings import Finding, Severity, has_errors, merge_same_fact, sort_findings
from dossier.io import guard
from dossier.io.scratch import scratch
from dossier.io.yamlsource import SourceMap, load_file
from dossier.model import Dossier
from dossier.packs import available, load_pack
from dossier.validate import validate

if TYPE_CHECKING:
    from dossier.progress import ProgressCallback


@dataclass
class Loaded:
    path: Path
    dossier: Dossier | None
    source_map: SourceMap
    findings: list[Finding]
    files: list[Path] = field(default_factory=list)
    """Every YAML file read: the root, then each included file."""
    attachments: list = field(default_factory=list)
    """Attached PDFs that passed their checks (dossier.attachments.Attachment)."""
    figure_files: list = field(default_factory=list)
    """The sponsor's figures that passed their checks (dossier.figure_files.FigureFile)."""
    inputs: guard.Inputs = field(default_factory=guard.Inputs)
    """Every file this dossier reads or names (root, includes, attachments), by device and inode:
    no output may replace one of them."""


@dataclass
class TargetReport:
    """Readiness of one target: required items present / total and finding counts."""

    target: str
    required_total: int = 0
    required_present: int = 0
    errors: int = 0
    warnings: int = 0
    waived: int = 0

    def as_dict(self) -> dict:
        return {
            "target": self.target,
            "required_present": self.required_present,
            "required_total": self.required_total,
            "errors": self.errors,
            "warnings": self.warnings,
            "waived": self.waived,
        }


@dataclass
class CheckResult:
    loaded: Loaded
    findings: list[Finding]
    reports: list[TargetReport] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not has_errors(self.findings)


@dataclass
class BuildResult:
    check: CheckResult
    output: Path | None = None
    manifest: Path | None = None
    preflight: list[Finding] = field(default_factory=list)
    trace: list[dict] = field(default_factory=list)
    """Each heading built and the source it answers (in the manifest, whether printed or not)."""


def resolve_input(path: Path) -> Path:
    """Accept the dossier file, or a folder holding a dossier.yaml; either must be a regular file."""
    if path.is_dir():
        candidate = path / "dossier.yaml"
        if not candidate.exists():
            raise InputFileError(f"{path}: folder has no dossier.yaml", hint="pass the dossier's YAML file")
        return guard.input_file(candidate, "dossier's YAML file")
    return guard.input_file(path, "dossier's YAML file")


def _named_files(data, smap: SourceMap, root: Path) -> list[Path]:
    """Every existing PDF a `file:` value of the raw data names (whether or not the dossier is
    valid), so that no output can replace an attachment even when validation fails."""
    from dossier.io.paths import UnsafePath, resolve_inside

    found: list[Path] = []
    stack: list[tuple[object, tuple]] = [(data, ())]
    while stack:
        value, where = stack.pop()
        if isinstance(value, dict):
            for k, v in value.items():
                if k == "file" and isinstance(v, str):
                    base = Path(smap.locate(where + (k,)).file).parent
                    try:
                        found.append(resolve_inside(root.parent, base, v, {".pdf", ".png", ".svg"}, "file"))
                    except UnsafePath:
                        pass
                else:
                    stack.append((v, where + (k,)))
        elif isinstance(value, list):
            stack.extend((v, where + (i,)) for i, v in enumerate(value))
    return found


def load(path: Path) -> Loaded:
    path = resolve_input(path)
    try:
        result = load_file(path, display=str(path), includes=True)
    except OSError as exc:
        raise InputFileError(f"{path}: cannot read ({exc.strerror or exc})") from None
    inputs = guard.Inputs([path, *result.files, *_named_files(result.data, result.source_map, path)])
    # an unfilled placeholder is an error, but the file is still validated and checked so a
    # starter shows everything that remains to be done
    structural = [f for f in result.findings if f.rule != "INPUT-PLACEHOLDER"]
    if has_errors(structural) or result.data is None:
        return Loaded(path, None, result.source_map, sort_findings(result.findings), result.files, inputs=inputs)
    dossier, findings = validate(result.data, result.source_map)
    attached = []
    if dossier is not None:
        from dossier import attachments

        if attachments.collect(dossier):
            attached, more = attachments.check(dossier, path, result.source_map)
            findings = findings + more
    figures = []
    if dossier is not None:
        from dossier import figure_files

        if figure_files.collect(dossier):
            figures, more = figure_files.check(dossier, path, result.source_map)
            findings = findings + more
    return Loaded(path, dossier, result.source_map, sort_findings(result.findings + findings), result.files, attached, figure_files=figures, inputs=inputs)


def targets_for(target: str) -> list[str]:
    names = available()
    if target == "all":
        return names
    if target not in names:
        raise UsageError(f"unknown target {target!r}", hint=f"choose one of: {', '.join(names + ['all'])}")
    return [target]


def _all_rule_ids() -> set[str]:
    from dossier.packs import rule_ids

    return set().union(*(rule_ids(load_pack(n)) for n in available()))


def check_pack(loaded: Loaded, name: str):
    """Completeness and rules of one pack, with the dossier's waivers applied."""
    from dossier.packs import rule_ids
    from dossier.rules.engine import check_dossier
    from dossier.rules.waivers import apply_waivers

    assert loaded.dossier is not None
    pack = load_pack(name)
    pc = check_dossier(pack, loaded.dossier, loaded.source_map)
    from dossier.model.unknown import RULE as UNKNOWN

    pc.findings = apply_waivers(pc.findings, loaded.dossier, loaded.source_map, rule_ids(pack) | {UNKNOWN}, _all_rule_ids() | {UNKNOWN})
    report = TargetReport(
        name,
        pc.readiness.required,
        pc.readiness.present,
        errors=sum(f.blocking for f in pc.findings),
        warnings=sum(f.severity is Severity.WARNING and not f.waiver for f in pc.findings),
        waived=sum(bool(f.waiver) for f in pc.findings),
    )
    return pack, pc, report


def check(path: Path, target: str = "all") -> CheckResult:
    names = targets_for(target)
    loaded = load(path)
    if loaded.dossier is None:
        return CheckResult(loaded, loaded.findings)
    findings = list(loaded.findings)
    reports = []
    for name in names:
        _, pc, report = check_pack(loaded, name)
        findings += pc.findings
        reports.append(report)
    return CheckResult(loaded, merge_same_fact(sort_findings(findings)), reports)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def default_output(loaded: Loaded, target: str, fmt: str, section: str | None, draft: bool) -> Path:
    assert loaded.dossier is not None
    parts = [_slug(loaded.dossier.product.code), target]
    if section:
        parts.append(_slug(section))
    if draft:
        parts.append("draft")
    return loaded.path.parent / ("-".join(parts) + "." + fmt)


def output_path(out: Path, loaded: Loaded) -> Path:
    """`out` after the output guard, and its manifest's path after the same guard: neither may
    be an input of the dossier, a folder, a device or a FIFO."""
    target = guard.output_file(out, loaded.inputs)
    guard.output_file(manifest_path(target), loaded.inputs)
    return target


def manifest_path(output: Path) -> Path:
    return output.with_name(output.name + ".manifest.json")


@scratch()  # every temporary file of the build, workers' included, is removed with it
def build(
    path: Path,
    target: str,
    *,
    output: Path | None = None,
    fmt: str = "pdf",
    section: str | None = None,
    draft: bool = False,
    jobs: int | None = None,
    use_cache: bool = True,
    on_progress: ProgressCallback | None = None,
    sign_off: str | None = None,
    layout: str = "compiled",
    trace: bool = False,
    docx_template: Path | None = None,
) -> BuildResult:
    """Check, then render. PDFs of whole documents are laid out in `jobs` parallel processes
    (default: the number of cores) and assembled; `jobs=1` lays out in a single pass. Both give
    the same pages, bookmarks and text (tests/test_parallel.py). `on_progress(done, total, label)`
    is told the units of the rendering as they finish (dossier/progress.py); it is not called
    when the check stops the build."""
    from dossier.packs.outline import select
    from dossier.progress import Steps
    from dossier.render.html import RenderOptions, render_html

    if target not in available():
        raise UsageError(f"unknown target {target!r}", hint=f"choose one of: {', '.join(available())}")
    if fmt not in ("pdf", "html", "docx"):
        raise UsageError(f"unknown format {fmt!r}", hint="choose pdf, html or docx")
    if docx_template is not None and fmt != "docx":
        raise UsageError("--docx-template applies to Word output", hint="add --format docx")
    if docx_template is not None:
        guard.input_file(docx_template, "Word template")
    if layout not in ("compiled", "ectd"):
        raise UsageError(f"unknown layout {layout!r}", hint="choose compiled or ectd")
    if layout == "ectd" and (fmt != "pdf" or section):
        raise UsageError("--layout ectd writes whole documents as PDF", hint="drop --format and --section")
    loaded = load(path)
    if loaded.dossier is None:
        return BuildResult(CheckResult(loaded, loaded.findings))
    pack, pc, report = check_pack(loaded, target)
    missing, outline = pc.missing, pc.outline
    result = BuildResult(CheckResult(loaded, merge_same_fact(sort_findings(loaded.findings + pc.findings)), [report]))
    if not result.check.ok and not draft:
        return result
    if layout == "ectd":
        out_dir = output or loaded.path.parent / f"{_slug(loaded.dossier.product.code)}-{target}-ectd"
        guard.output_file(manifest_path(out_dir), loaded.inputs)
        result.trace = _trace(outline)
        return _build_ectd(result, loaded, pack, outline, target, out_dir, draft, sign_off, on_progress, trace)
    nodes = outline
    section_title = None
    if section:
        nodes = select(pack, outline, section)
        section_title = pack.alias_titles.get(section) or " / ".join(f"{n.id} {n.title}" for n in nodes)
        section_title = f"{section} {section_title}" if section in pack.alias_titles else section_title
        for n in nodes:
            _relevel(n, 1)
    if docx_template is not None:
        loaded.inputs.add(docx_template)  # the output never replaces the template
    out = output_path(output or default_output(loaded, target, fmt, section, draft), loaded)
    result.trace = _trace(nodes)
    options = RenderOptions(
        draft=draft,
        trace=trace,
        section_title=section_title,
        missing=missing if draft else {},
        tool_version=__version__,
        justifications=[f for f in result.check.findings if f.waiver or f.not_applicable],
        attachments={a.file: a for a in loaded.attachments},
        figure_files={f.file: f.data_uri for f in loaded.figure_files},
    )
    if fmt in ("docx", "html"):  # one file, no layout: written as rendered
        steps = Steps(on_progress)
        steps.plan(["Word document" if fmt == "docx" else "HTML"])
        if fmt == "docx":
            from dossier.render.docx import build_docx

            source = os.path.relpath(loaded.path.resolve(), out.resolve().parent)
            data = build_docx(pack, loaded.dossier, nodes, options, source=source, target=target, version=__version__, template=docx_template, extra_roots=[loaded.path.parent])
        else:
            data = render_html(pack, loaded.dossier, nodes, dataclasses.replace(options, output="html")).encode("utf-8")
        guard.atomic_write(out, data)
        steps.advance()
        result.output = out
        result.manifest = write_manifest(result, target, fmt, section, draft, sign_off)
        return result
    from dossier.preflight import preflight as run_preflight
    from dossier.render import parallel

    steps = Steps(on_progress, after=["preflight"])
    jobs = parallel.default_jobs() if jobs is None else jobs
    if parallel.worth_it(nodes, jobs) or parallel.attaches(nodes, options.attachments):
        from dossier.render.cache import PieceCache

        pdf = parallel.build_parallel(pack, loaded.dossier, nodes, options, [loaded.path.parent], jobs, PieceCache(enabled=use_cache), steps)
    else:
        pdf = parallel.build_single(pack, loaded.dossier, nodes, options, [loaded.path.parent], steps)

    def verify(tmp: Path) -> None:
        result.preflight = run_preflight(tmp, page_size=pack.page.preflight_size, bounded=False)
        steps.advance()
        if has_errors(result.preflight):
            first = next(f for f in result.preflight if f.severity is Severity.ERROR)
            raise PreflightFailure(f"the generated PDF fails preflight ({first.rule}: {first.message}); this is a bug in dossier")

    guard.atomic_write(out, pdf, verify)
    result.output = out
    result.manifest = write_manifest(result, target, fmt, section, draft, sign_off)
    return result


def _build_ectd(result: BuildResult, loaded: Loaded, pack, outline, target: str, out_dir: Path, draft: bool, sign_off: str | None, on_progress, trace: bool = False) -> BuildResult:
    """One PDF per leaf of the pack's eCTD table, attachments copied beside, MD5 list; atomic."""
    import dataclasses
    import shutil

    from dossier import ectd
    from dossier.packs.outline import attachment_anchor, item_name
    from dossier.preflight import preflight as run_preflight
    from dossier.progress import Steps
    from dossier.render.html import RenderOptions, render_html
    from dossier.render.pdf import html_to_pdf

    if pack.ectd is None:
        raise UsageError(f"the {target} pack has no eCTD layout")
    d = loaded.dossier
    serial = str(d.us.serial_number) if pack.region == "us" and d.us.serial_number else None
    leaves, placed = ectd.plan(pack, outline, d, serial)
    steps = Steps(on_progress)
    steps.plan(["documents"] * len(leaves) + ["checksums"])
    tmp = ectd.staging(out_dir)
    try:
        files: list[Path] = []
        by_anchor = {attachment_anchor(a.file): a for a in loaded.attachments}
        for anchor, where in placed.items():
            if anchor in by_anchor:
                dest = tmp / where.path
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(by_anchor[anchor].path, dest)
                files.append(dest)
        base = RenderOptions(draft=draft, trace=trace, tool_version=__version__, attachments={a.file: a for a in loaded.attachments}, figure_files={f.file: f.data_uri for f in loaded.figure_files})
        section_anchors: dict[str, str] = {}
        for leaf in leaves:
            section_anchors.setdefault(leaf.node.id, leaf.node.anchor)
        own = frozenset(id(leaf.node) for leaf in leaves)
        for leaf in leaves:
            node = ectd.leaf_document(leaf.node, own)
            about = item_name(leaf.node.item) if leaf.node.item_path else ""
            title = leaf.node.heading + (f" — {about}" if about and about not in leaf.node.title else "")
            opts = dataclasses.replace(base, section_title=title, external_links=ectd.relative_links(leaf, placed, leaves), section_anchors=section_anchors)
            if leaf.only:
                opts = dataclasses.replace(opts, section_title=f"{title} — {leaf.only[1]} {leaf.only[2]}")
            pdf = ectd.remote_links(html_to_pdf(render_html(pack, ectd.only_items(d, leaf.only), [node], opts), extra_roots=[loaded.path.parent]))
            dest = tmp / leaf.path
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(pdf)
            problems = [f for f in run_preflight(dest, page_size=pack.page.preflight_size, bounded=False) if f.severity is Severity.ERROR]
            if problems:
                raise PreflightFailure(f"{leaf.path} fails preflight ({problems[0].rule}: {problems[0].message}); this is a bug in dossier")
            files.append(dest)
            steps.advance()
        sequence = ectd.sequence_folder(pack, serial)
        root = tmp / sequence if sequence else tmp
        if pack.ectd.backbone:
            files += _write_backbone(root, sequence, pack, d, leaves, placed, by_anchor)
        else:
            files.append(ectd.write_checksums(root, files))
            files.append(ectd.write_document_list(root, leaves, pack))
        steps.advance()
    except BaseException:
        ectd.discard(tmp)
        raise
    ectd.publish(tmp, out_dir)
    result.output = out_dir
    outputs = [out_dir / f.relative_to(tmp) for f in files]
    result.manifest = write_manifest(result, target, "pdf", None, draft, sign_off, outputs=outputs, layout="ectd")
    return result


def _write_backbone(root: Path, sequence: str, pack, d, leaves, placed, by_anchor) -> list[Path]:
    """index.xml, us-regional.xml, study tagging files and util/ for the sequence; checked before
    the folder is published (a backbone that does not check is a bug in dossier)."""
    from dossier import backbone, ectd
    from dossier.packs.outline import item_name

    def rel(path: str) -> str:
        return path[len(sequence) + 1:] if sequence else path

    def attrs(ctd: str, item) -> dict[str, dict[str, str]]:
        if ctd.startswith("3.2.S"):
            maker = item.manufacturers[0].name if getattr(item, "manufacturers", None) else "manufacturer not stated"
            return {"3.2.S": {"substance": str(getattr(item, "name", "") or d.product.name), "manufacturer": str(maker)}}
        if ctd.startswith("3.2.P"):
            dp = d.quality.drug_product
            maker = dp.manufacturers[0].name if dp and dp.manufacturers else "manufacturer not stated"
            return {"3.2.P": {"product-name": str(d.product.name), "dosageform": str(d.product.dosage_form or ""), "manufacturer": str(maker)}}
        if ctd.startswith("5.3.5"):
            return {"5.3.5": {"indication": str(d.submission.indication.text) if d.submission.indication else ""}}
        return {}

    entries: list[backbone.Entry] = []
    for leaf in leaves:
        about = item_name(leaf.node.item) if leaf.node.item_path else ""
        title = leaf.node.heading + (f" — {about}" if about and about not in leaf.node.title else "")
        study = (str(leaf.node.item.id), str(leaf.node.item.title)) if leaf.tag and leaf.node.item is not None else None
        entries.append(backbone.Entry(leaf.ctd, rel(leaf.path), title, attrs(leaf.ctd, leaf.node.item), study, leaf.tag))
    for anchor, where in placed.items():
        if anchor not in by_anchor:
            continue
        att = by_anchor[anchor]
        study, cats = None, {}
        s = ectd.study_of(d, att.where)
        if s is not None:
            study = (str(s.id), str(s.title))
            cats = {"species": str(s.species), "route-of-admin": str(s.route)}
        elif where.tag and where.holder is not None and hasattr(where.holder, "title"):
            study = (str(where.holder.id), str(where.holder.title))
        ref = _doc_at(d, att.where)
        title = f"{ref.title} ({ref.number})" if ref is not None and ref.title else (ref.number if ref is not None else att.file)
        entries.append(backbone.Entry(where.ctd, rel(where.path), str(title), attrs(where.ctd, where.holder), study, where.tag or "", cats))
    admin = {
        "company": str(d.sponsor.name),
        "description": f"{pack.title}, serial number {sequence or '0000'}",
        "application_number": str(d.us.ind_number or ""),
        "sequence": sequence or "0000",
    }
    written = backbone.write(root, entries, regional_admin=admin)
    problems = backbone.check(root)
    if problems:
        raise RenderError(f"the eCTD backbone does not check ({problems[0].rule}: {problems[0].file}: {problems[0].message}); this is a bug in dossier")
    return written


def _doc_at(d, path: tuple):
    node = d
    for step in path:
        node = node[step] if isinstance(step, int) else getattr(node, step, None)
        if node is None:
            return None
    return node


def write_manifest(result: BuildResult, target: str, fmt: str, section: str | None, draft: bool, sign_off: str | None = None, *, outputs: list[Path] | None = None, layout: str = "compiled") -> Path:
    """`<output>.manifest.json`: what produced the output, so a submitted document can be traced to its inputs."""
    import json

    from dossier import manifest
    from dossier.render.html import document_date

    assert result.output is not None and result.check.loaded.dossier is not None
    loaded = result.check.loaded
    files = loaded.files or [loaded.path]
    out = guard.output_file(manifest_path(result.output), loaded.inputs)  # for a layout folder: beside it
    doc = manifest.document(
        manifest_path=out,
        inputs=[(f, "dossier" if i == 0 else "include") for i, f in enumerate(files)] + [(a.path, "attachment") for a in loaded.attachments] + [(f.path, "figure") for f in loaded.figure_files],
        outputs=outputs or [result.output],
        target=target,
        fmt=fmt,
        section=section,
        draft=draft,
        document_date=document_date(loaded.dossier),
        findings=result.check.reports[0].as_dict() if result.check.reports else {},
        sign_off=sign_off,
    )
    doc["layout"] = layout
    if result.trace:
        doc["trace"] = result.trace
    guard.atomic_write(out, (json.dumps(doc, indent=2) + "\n").encode("utf-8"))
    return out


def verify(path: Path) -> list[Finding]:
    """A build manifest: every file it lists, hashed again. An eCTD folder (a sequence folder with
    index.xml, or the folder holding one): its backbone checked (backbone.check)."""
    from dossier import backbone, manifest
    from dossier.findings import Location, Severity

    if path.is_dir():
        seqs = backbone.sequences(path)
        if not seqs:
            raise InputFileError(f"{path}: no eCTD sequence here (no index.xml in it or in a folder below it)", hint="pass the folder dossier build --layout ectd wrote, or its sequence folder")
        hints = {"ECTD-MD5": "rebuild the sequence, or restore the file", "ECTD-HREF": "restore the file, or rebuild the sequence", "ECTD-UNREF": "remove the file or rebuild: every file of a sequence is a leaf of its backbone"}
        return [Finding(Location(p.file, 0, 0), Severity.ERROR, p.rule, p.message, hint=hints.get(p.rule, "rebuild the sequence with dossier build --layout ectd")) for seq in seqs for p in backbone.check(seq)]
    if not path.is_file():
        raise InputFileError(f"{path}: no such file", hint="pass the <output>.manifest.json written beside a built document, or an eCTD folder")
    return manifest.verify(path)


def _trace(nodes) -> list[dict]:
    """Each applicable heading and the source it answers, for the manifest."""
    return [{"section": n.id, "title": n.title, "source": n.cite} for root in nodes for n in root.walk() if n.applicable and n.cite]


def _relevel(node, level: int) -> None:
    node.level = level
    for child in node.children:
        _relevel(child, level + 1)


def preflight(path: Path, page_size: str | None = None) -> list[Finding]:
    from dossier.preflight import preflight as run

    return run(path, page_size=page_size)  # in check order, pages ascending


def schema() -> dict:
    """JSON Schema of the YAML; every field also accepts the not-yet-known answer, so editors do not flag it."""
    from dossier.model.unknown import NotYetKnown

    s = Dossier.model_json_schema()
    defs = s.setdefault("$defs", {})
    answer = NotYetKnown.model_json_schema()
    defs.update(answer.pop("$defs", {}))
    defs["NotYetKnown"] = answer
    for name, model in [("Dossier", s), *defs.items()]:
        if name in ("NotYetKnown", "_Reason"):
            continue
        for field, prop in model.get("properties", {}).items():
            keep = {k: prop.pop(k) for k in ("title", "description", "default") if k in prop}
            model["properties"][field] = {**keep, "anyOf": [prop, {"$ref": "#/$defs/NotYetKnown"}]}
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **s}


def init(modality: str, directory: Path, force: bool = False) -> Path:
    """Write the starter dossier for a modality into directory; never overwrites unless force."""
    from dossier import starters

    names = list(starters.modalities())
    if modality not in names:
        raise UsageError(f"unknown modality {modality!r}", hint=f"choose one of: {', '.join(names)}")
    out = directory / starters.FILENAME
    if os.path.lexists(out) and not force:
        raise OutputError(f"{out} already exists", hint="choose another directory, or pass --force to replace it")
    if directory.exists() and not directory.is_dir():
        raise OutputError(f"{directory} is not a directory")
    directory.mkdir(parents=True, exist_ok=True)
    return guard.write_output(out, starters.render(modality).encode("utf-8"))
