"""Issue 13: placeholder text is an open item, not a fact: one located finding, counted open."""

from __future__ import annotations

import shutil

import pytest

from dossier import api
from dossier.io.yamlsource import placeholder_problem
from tests.conftest import EXAMPLES


@pytest.mark.parametrize("text", ["TBD", "tbd - not in public sources", "T.B.D.", "To be confirmed", "TBC by the vendor", "unknown", "N/A", "n.a.", "???", "XX", "ZZZ", "pending", "<sponsor name>"])
def test_placeholder_text_is_recognised(text):
    assert placeholder_problem(text) is not None


@pytest.mark.parametrize("text", ["Unknown mechanism; see 2.6.2", "0000", "—", "Na", "Something TBD later", "TBDx", "none", "XX-101"])
def test_facts_are_not_mistaken_for_placeholders(text):
    assert placeholder_problem(text) is None


@pytest.fixture
def aav(tmp_path):
    shutil.copytree(EXAMPLES / "aav", tmp_path / "aav")
    return tmp_path / "aav" / "dossier.yaml"


def test_a_placeholder_counts_open_with_one_finding_at_its_place(aav):
    """The drug product description is required by both packs: written as TBD it is open in both."""
    before = {r.target: r for r in api.check(aav).reports}
    lines = aav.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(i for i, l in enumerate(lines) if l.startswith("  drug_product:"))
    at_line = next(i for i in range(start, len(lines)) if lines[i].startswith("    description:"))
    end = next(i for i in range(at_line + 1, len(lines)) if not lines[i].startswith("      "))
    lines[at_line:end] = ["    description: TBD - not in public sources\n"]
    aav.write_text("".join(lines), encoding="utf-8")
    result = api.check(aav)
    at = [f for f in result.findings if f.path == "quality.drug_product.description"]
    assert [f.rule for f in at] == ["INPUT-PLACEHOLDER"] and at[0].location.line == at_line + 1
    assert not result.ok
    for r in result.reports:
        assert r.required_present == before[r.target].required_present - 1
        assert r.required_total == before[r.target].required_total
