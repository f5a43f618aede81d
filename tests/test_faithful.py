"""Issue 13: a document states nothing the YAML does not say. A fact left out is shown as not
stated (or derived from what is given, saying so), never as a default presented as a fact."""

from __future__ import annotations

import re
import shutil

import pytest
from pydantic_core import PydanticUndefined

from dossier import api
from dossier.model import Dossier
from tests.conftest import EXAMPLES, ROOT
from tests.test_identifiers import _models

ALLOWED_DEFAULTS = {
    "Dossier.schema_version": "the version of the file format, not a fact about the product",
}
"""Scalar fields that may keep a default, each with the reason (containers such as lists and
sub-objects default to empty: an empty list is shown as absent, not as a fact)."""


def _template_text() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "templates").rglob("*.j2"))


def test_no_printed_field_has_a_default_that_would_read_as_a_fact():
    templates = _template_text()
    offenders = []
    for model in _models(Dossier):
        for name, f in model.model_fields.items():
            if f.is_required() or f.default_factory is not None or f.default is None or f.default is PydanticUndefined:
                continue
            key = f"{model.__name__}.{name}"
            if key in ALLOWED_DEFAULTS:
                continue
            printed = re.search(rf"\.{name}\b", templates) is not None
            offenders.append(f"{key} = {f.default!r}" + (" (printed by a template)" if printed else ""))
    assert offenders == [], "give these no default (None = not stated), or justify them in ALLOWED_DEFAULTS"


@pytest.fixture
def aav(tmp_path):
    shutil.copytree(EXAMPLES / "aav", tmp_path / "aav")
    return tmp_path / "aav" / "dossier.yaml"


def _drop_line(path, text: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    assert sum(text in line for line in lines) >= 1, text
    path.write_text("".join(line for line in lines if text not in line), encoding="utf-8")


def test_a_foreign_sponsor_without_place_of_business_needs_a_us_agent(aav, tmp_path):
    """The AAV sponsor is in the Netherlands: removing place_of_business must not make it 'Yes'."""
    _drop_line(aav, "place_of_business: false")
    text = aav.read_text(encoding="utf-8")  # and the agent it named, so the requirement shows
    text, n = re.subn(r"\n  agent(_address)?:(\n    .*)+", "", text)
    assert n == 2
    aav.write_text(text, encoding="utf-8")
    result = api.check(aav, "ind")
    assert {f.path for f in result.findings if f.rule == "IND-FORM-005"} >= {"us.agent"}
    out = tmp_path / "ind.html"
    api.build(aav, "ind", output=out, fmt="html", draft=True, section="1.1-1571")
    html = out.read_text(encoding="utf-8")
    row = re.search(r"US residence or place of business</th><td>(.*?)</td>", html).group(1)
    assert row.startswith("No") and "derived from the sponsor" in row and "Yes" not in row


def test_an_auxiliary_product_s_authorisation_not_stated_is_said_so(aav, tmp_path):
    _drop_line(aav, "authorised_in_eu: true")
    result = api.check(aav, "impd")
    said = [f for f in result.findings if "not stated whether it is authorised" in f.message]
    assert said and all(f.rule == "IMPD-CTA-010" and f.severity.name == "ERROR" for f in said)
    assert not [f for f in result.findings if "no SmPC referenced" in f.message]
    out = tmp_path / "impd.html"
    api.build(aav, "impd", output=out, fmt="html", draft=True)
    html = out.read_text(encoding="utf-8")
    assert 'class="not-stated">not stated</span>' in html
    assert "authorised in the EU</td>" not in html.replace("not authorised in the EU</td>", "")


def test_flags_left_out_print_not_stated(tmp_path):
    """The minimal dossier states none of the flags: its draft says so instead of Yes or No."""
    out = tmp_path / "ind.html"
    api.build(ROOT / "tests" / "data" / "minimal.yaml", "ind", output=out, fmt="html", draft=True, section="1.1-1571")
    html = out.read_text(encoding="utf-8")
    for label in ("Combination product", "Submission type"):
        row = re.search(rf"{label}</th><td>(.*?)</td>", html).group(1)
        assert "not stated" in row, (label, row)


def test_a_fact_left_out_never_switches_a_requirement_off_in_silence(tmp_path):
    """The MSC product is fresh: without product.storage the shipping-study requirement cannot be
    decided, and that is said under the requirement's own id, at the product."""
    shutil.copytree(EXAMPLES / "msc", tmp_path / "msc")
    root = tmp_path / "msc" / "dossier.yaml"
    before = api.check(root)
    assert before.ok
    _drop_line(root, "  storage: fresh")
    after = api.check(root)
    said = [f for f in after.findings if f.path == "product.storage"]
    assert {f.rule for f in said} >= {"IND-CMC-020"} and not after.ok
    assert all("cannot be decided" in f.message and f.citation for f in said)
