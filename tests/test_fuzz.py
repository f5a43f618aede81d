"""Property-based fuzzing of the loader, the validator and the checker.

Whatever the input, the pipeline returns findings and never raises; every finding is located.
The suite runs a short campaign; a long one is `DOSSIER_FUZZ_EXAMPLES=10000 pytest tests/test_fuzz.py`.
"""

from __future__ import annotations

import functools
import os

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dossier.io.yamlsource import load_file, load_text
from dossier.packs import load_pack
from dossier.rules.engine import check_dossier
from dossier.validate import validate
from tests.conftest import EXAMPLES

EXAMPLES_N = int(os.environ.get("DOSSIER_FUZZ_EXAMPLES", "150"))
FUZZ = settings(max_examples=EXAMPLES_N, deadline=None, suppress_health_check=list(HealthCheck), derandomize=EXAMPLES_N <= 150)
# the CAR-T example is split across files; fuzz the whole dossier as one text
CAR_T = yaml.safe_dump(load_file(EXAMPLES / "car-t" / "dossier.yaml", includes=True).data, allow_unicode=True, sort_keys=False)
PACKS = [load_pack("ind"), load_pack("impd")]


def pipeline(text: str):
    """Load, validate and check; return (dossier or None, findings). Must never raise."""
    result = load_text(text, "fuzz.yaml")
    findings = list(result.findings)
    d = None
    if result.data is not None and not any(f.severity.name == "ERROR" for f in findings):
        d, more = validate(result.data, result.source_map)
        findings += more
        if d is not None:
            for pack in PACKS:
                findings += check_dossier(pack, d, result.source_map).findings
    return d, findings


def assert_reported(d, findings) -> None:
    """Every input that is not a valid dossier says why, and every finding is located."""
    assert d is not None or any(f.severity.name == "ERROR" for f in findings)
    for f in findings:
        assert f.rule and f.message
        assert f.location.file == "fuzz.yaml" and f.location.line >= 0 and f.location.column >= 0


@FUZZ
@given(st.text(max_size=400))
def test_arbitrary_text(text):
    d, findings = pipeline(text)
    assert_reported(d, findings)


KEYS = st.sampled_from(["submission", "sponsor", "product", "quality", "clinical", "nonclinical", "eu", "us", "code", "name", "phases", "lots", "id", "value", "unit", "dose", "route", "origin", "not_applicable", "reason", "waivers", "rule"])
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=20), st.sampled_from(["NO", "1.10", "2026-02-30", "~", "yes", "1e6", "-1"]))
TREES = st.recursive(SCALARS, lambda kids: st.one_of(st.lists(kids, max_size=4), st.dictionaries(KEYS, kids, max_size=5)), max_leaves=25)


@FUZZ
@given(st.dictionaries(KEYS, TREES, max_size=6))
def test_generated_documents(doc):
    d, findings = pipeline(yaml.safe_dump(doc, allow_unicode=True))
    assert_reported(d, findings)


@FUZZ
@given(st.data())
def test_mutated_example(data):
    lines = CAR_T.splitlines(keepends=True)
    op = data.draw(st.sampled_from(["delete", "duplicate", "insert", "indent", "truncate"]))
    i = data.draw(st.integers(0, len(lines) - 1))
    if op == "delete":
        j = data.draw(st.integers(i, min(len(lines), i + 40)))
        lines[i:j] = []
    elif op == "duplicate":
        lines.insert(i, lines[i])
    elif op == "insert":
        junk = data.draw(st.text(min_size=1, max_size=12))
        pos = data.draw(st.integers(0, len(lines[i])))
        lines[i] = lines[i][:pos] + junk + lines[i][pos:]
    elif op == "indent":
        lines[i] = data.draw(st.sampled_from([" ", "  ", "\t", ""])) + lines[i].lstrip(" ")
    else:
        lines = lines[:i]
    d, findings = pipeline("".join(lines))
    assert_reported(d, findings)


# --- include trees and attached PDFs (issue 19) ------------------------------------------

INCLUDE_TARGETS = st.sampled_from(["f0.yaml", "f1.yaml", "f2.yaml", "sub/f3.yaml", "../f0.yaml", "/etc/passwd", "missing.yaml", "sub", "f1.txt", "sub/../f2.yaml", "", "link.yaml"])
INCLUDE_VALUES = st.recursive(
    st.one_of(SCALARS, INCLUDE_TARGETS.map(lambda t: {"include": t})),
    lambda kids: st.one_of(st.lists(kids, max_size=3), st.dictionaries(KEYS, kids, max_size=3)),
    max_leaves=8,
)
FILES = ["dossier.yaml", "f0.yaml", "f1.yaml", "f2.yaml", "sub/f3.yaml"]


@FUZZ
@given(st.lists(st.dictionaries(KEYS, INCLUDE_VALUES, max_size=4), min_size=len(FILES), max_size=len(FILES)), st.booleans())
def test_generated_include_trees(docs, with_link):
    """Trees of files including each other (cycles, escapes, missing, wrong kinds): findings only,
    each in one of the dossier's files at a line that exists, and nothing read from outside."""
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "d"
        (root / "sub").mkdir(parents=True)
        (root / "f1.txt").write_text("a: 1\n")
        lines = {}
        for name, doc in zip(FILES, docs):
            text = yaml.safe_dump(doc, allow_unicode=True)
            (root / name).write_text(text, encoding="utf-8")
            lines[str(root / name)] = text.count("\n") + 1
        if with_link:
            (root / "link.yaml").symlink_to("/etc/hostname")
        result = load_file(root / "dossier.yaml", display=str(root / "dossier.yaml"), includes=True)
        for f in result.findings:
            assert f.rule and f.message
            shown = os.path.normpath(f.location.file)
            assert shown in lines, f
            assert 0 <= f.location.line <= lines[shown] + 1, f
        assert all(p.is_relative_to(root.resolve()) for p in result.files)


PDF_FAULTS = st.sampled_from(["none", "truncate", "flip", "no-title", "helvetica", "garbage-stream", "many-pages", "flate-garbage", "inflating"])


@settings(max_examples=min(EXAMPLES_N, 60), deadline=None, suppress_health_check=list(HealthCheck), derandomize=EXAMPLES_N <= 150)
@given(PDF_FAULTS, st.integers(0, 10_000), st.binary(max_size=64))
def test_generated_pdfs_are_judged_never_crash(fault, where, noise):
    """Preflight of outside PDFs (bounded child) and their use as attachments: findings only."""
    import tempfile
    import zlib
    from pathlib import Path

    import pikepdf

    from dossier import attachments
    from dossier.io.yamlsource import load_file as load
    from dossier.preflight import preflight
    from tests.pdf_factory import new_pdf, save

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "doc.pdf"
        pdf = new_pdf(7 if fault == "many-pages" else 2, font="helvetica" if fault == "helvetica" else "embedded", title=None if fault == "no-title" else "T")
        if fault == "garbage-stream":
            pdf.pages[0].obj.Contents = pdf.make_stream(noise)
        elif fault in ("flate-garbage", "inflating"):
            stream = pikepdf.Stream(pdf, b"")
            data = zlib.compress(b"q Q\n" * (where * 100 + 1)) if fault == "inflating" else noise
            stream.write(data, filter=pikepdf.Name.FlateDecode)
            pdf.pages[0].obj.Contents = pdf.make_indirect(stream)
        save(pdf, path)
        raw = path.read_bytes()
        if fault == "truncate":
            path.write_bytes(raw[: where % max(1, len(raw))])
        elif fault == "flip":
            i = where % len(raw)
            path.write_bytes(raw[:i] + bytes([raw[i] ^ 0xFF]) + raw[i + 1 :])
        findings = preflight(path)
        assert all(f.rule.startswith("PDF-") and f.location.file == str(path) for f in findings)
        (Path(tmp) / "dossier.yaml").write_text(CAR_T_WITH_FILE.replace("__FILE__", "doc.pdf"), encoding="utf-8")
        loaded = load(Path(tmp) / "dossier.yaml", includes=True)
        d, _ = validate(loaded.data, loaded.source_map)
        assert d is not None
        attached, more = attachments.check(d, Path(tmp) / "dossier.yaml", loaded.source_map)
        assert all(f.rule.startswith("ATT-") and f.path == "clinical.investigators_brochure.document.file" for f in more)
        assert bool(attached) != any(f.severity.name == "ERROR" for f in more)


def _with_ib_file() -> str:
    """The CAR-T example with one attached document, the IB (every other document reference keeps
    its number, not its file)."""
    data = yaml.safe_load(CAR_T)

    def drop_files(node):
        if isinstance(node, dict):
            if "number" in node:  # a document reference
                node.pop("file", None)
            for value in node.values():
                drop_files(value)
        elif isinstance(node, list):
            for value in node:
                drop_files(value)

    drop_files(data)
    data["clinical"]["investigators_brochure"]["document"]["file"] = "__FILE__"
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


CAR_T_WITH_FILE = _with_ib_file()


# --- the not-yet-known answer in any field (issue 13) ------------------------------------

_CAR_T_LOADED = load_file(EXAMPLES / "car-t" / "dossier.yaml", includes=True)
_FIELDS = sorted({p for p in _CAR_T_LOADED.source_map.values if p and not isinstance(p[-1], int)}, key=str)


@settings(max_examples=min(EXAMPLES_N, 20), deadline=None, suppress_health_check=list(HealthCheck), derandomize=EXAMPLES_N <= 150)
@given(st.sampled_from(_FIELDS))
def test_any_field_answered_not_yet_known_checks_and_drafts(path):
    """Any field of the CAR-T example answered {unknown: ...}: validation passes, the answer is one
    INPUT-UNKNOWN finding at the field, and both drafts render without an error or a printed None."""
    import copy
    import re

    from dossier.io.yamlsource import SourceMap
    from dossier.render.html import RenderOptions, render_html
    from dossier.rules.engine import unknown_findings

    data = copy.deepcopy(_CAR_T_LOADED.data)
    node = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = {"unknown": {"reason": "fuzz"}}
    d, findings = validate(data, _CAR_T_LOADED.source_map)
    if d is None:  # inside a not-applicable answer: the answer stands for a whole field only
        assert "not_applicable" in path
        return
    smap = copy.copy(_CAR_T_LOADED.source_map)
    smap.unknowns = {path: ("fuzz", None)}
    assert [f.rule for f in unknown_findings(smap)] == ["INPUT-UNKNOWN"]
    for pack in PACKS:
        pc = check_dossier(pack, d, smap)
        html = render_html(pack, d, pc.outline, RenderOptions(draft=True, missing=pc.missing))
        # the example itself says "None" in places (a table cell, "None listed."): never more than it does
        assert len(re.findall(r"\bNone\b", re.sub(r"<[^>]+>", " ", html))) <= _baseline_nones(pack.name), path


@functools.cache
def _baseline_nones(name: str) -> int:
    import re

    from dossier.render.html import RenderOptions, render_html

    d, _ = validate(_CAR_T_LOADED.data, _CAR_T_LOADED.source_map)
    pack = next(p for p in PACKS if p.name == name)
    pc = check_dossier(pack, d, _CAR_T_LOADED.source_map)
    html = render_html(pack, d, pc.outline, RenderOptions(draft=True, missing=pc.missing))
    return len(re.findall(r"\bNone\b", re.sub(r"<[^>]+>", " ", html)))
