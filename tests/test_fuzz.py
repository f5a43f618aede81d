"""Property-based fuzzing of the loader, the validator and the checker.

Whatever the input, the pipeline returns findings and never raises; every finding is located.
The suite runs a short campaign; a long one is `DOSSIER_FUZZ_EXAMPLES=10000 pytest tests/test_fuzz.py`.
"""

from __future__ import annotations

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
