"""Issue 17: every fact in one place — a summary table points to the section that holds a study's
GLP statement or an omitted study type's justification instead of repeating it, and the IND's
introductory statement points to 2.5 for previous human experience."""

from __future__ import annotations

from collections import Counter

import pytest
from markupsafe import escape

from dossier import api
from tests.conftest import EXAMPLES
from tests.golden.snapshot import example_names


@pytest.fixture(scope="module")
def documents(tmp_path_factory):
    out = tmp_path_factory.mktemp("once")
    docs = {}
    for name in example_names():
        for target in ("ind", "impd"):
            path = out / f"{name}-{target}.html"
            api.build(EXAMPLES / name, target, output=path, fmt="html")
            docs[(name, target)] = path.read_text(encoding="utf-8")
    return docs


@pytest.mark.parametrize("name", example_names())
def test_each_glp_statement_and_omission_reason_is_printed_once(documents, name):
    d = api.load(EXAMPLES / name).dossier
    statements = Counter(s.glp_statement for s in d.nonclinical.studies if s.glp_statement)
    reasons = Counter(o.reason for o in d.nonclinical.omitted_studies)
    for target in ("ind", "impd"):
        text = documents[(name, target)]
        for statement, n in statements.items():
            assert text.count(str(escape(statement))) == n, (target, statement[:60])
        for reason, n in reasons.items():
            assert text.count(str(escape(reason))) == n, (target, reason[:60])


@pytest.mark.parametrize("name", example_names())
def test_previous_human_experience_is_in_2_5_and_pointed_to_from_the_introduction(documents, name):
    text = documents[(name, "ind")]
    intro = text.split("(ii) Previous human experience", 1)[1].split("(iii)", 1)[0]
    assert 'href="#s-2-5"' in intro


def test_the_comparability_of_lots_is_shown_once_and_pointed_to(documents):
    d = api.load(EXAMPLES / "car-t").dossier
    assert len(d.quality.drug_substances) > 1 and d.quality.comparability
    words = " ".join(d.quality.comparability.split()[4:12])  # plain words from inside the text
    assert "*" not in words
    for target in ("ind", "impd"):
        text = " ".join(documents[("car-t", target)].split())
        assert text.count(str(escape(words))) == 1, (target, words)
        assert "Discussed under <a href=" in text
