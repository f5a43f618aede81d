"""Every bundled example: complete for both targets, the right EU class, and pinned findings
and outline (golden files under tests/golden/, regenerated with `python -m tests.golden.snapshot`)."""

from __future__ import annotations

import json

import pytest

from tests.golden.snapshot import example_names, golden_path, snapshot

# The EU class each example must come out as (the product list; REFERENCE.md §3.1).
EXPECTED_CLASS = {
    "car-t": "GTMP",
    "car-t-new-indication": "GTMP",
    "aav": "GTMP",
    "aav-systemic": "GTMP",
    "hsc-lv": "GTMP",
    "allo-car-t": "GTMP",
    "msc": "sCTMP",
    "tep-spheroids": "TEP",
    "limbal": "TEP",
    "catmp-membrane": "cATMP",
}


def test_every_example_has_an_expected_class_and_a_golden_file():
    assert sorted(EXPECTED_CLASS) == example_names()
    assert all(golden_path(n).is_file() for n in example_names()), "run python -m tests.golden.snapshot"


@pytest.mark.parametrize("name", example_names())
def test_example_matches_its_golden_snapshot(name):
    got = snapshot(name)
    assert got["eu_class"] == {"declared": EXPECTED_CLASS[name], "derived": EXPECTED_CLASS[name]}
    unwaived = [f for f in got["findings"] if f[1] in ("error", "warning") and not f[3]]
    assert unwaived == [], "a bundled example must pass check --target all without errors or warnings"
    want = json.loads(golden_path(name).read_text(encoding="utf-8"))
    assert got["findings"] == want["findings"]
    for target, rows in want["outline"].items():
        assert got["outline"][target] == rows, f"{target} outline changed; review and run python -m tests.golden.snapshot {name}"
