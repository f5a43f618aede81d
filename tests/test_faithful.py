"""Issue 13: a document states nothing the YAML does not say. A fact left out is shown as not
stated (or derived from what is given, saying so), never as a default presented as a fact."""

from __future__ import annotations

import collections
import copy
import html.parser as html_parser
import re
import shutil

import pytest
from pydantic import BaseModel
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


# --- every optional printed field removed in turn ------------------------------------------------

ABSENCE_MARKS = {
    "not-stated": "the marked 'not stated' of a fact left out",
    "unknown": "a fact answered not yet known, with its reason",
    "placeholder": "a draft's MISSING / NOT YET KNOWN box naming the YAML path",
    "empty": "'no information under this heading' and similar, saying what the dossier lacks",
    "not-applicable": "a section's condition from the pack, or the sponsor's own stated omission",
    "derived": "a conclusion the tool derives, shown with its reasoning (e.g. the ATMP class)",
}
"""Classes of the elements a document may add when a fact is taken out: each says that something
is absent or derived, never a product fact."""

ALLOWED_REMOVALS = {
    "TemperatureRange.min": "a range given only its maximum reads '≤ max', which is what was given",
    "Label.region": "a label without a region is, as documented, the label of both regions, so the other region's document gains it (and IMPD-REG-001/IND-REG-001 then report what does not belong there)",
    "Dose.up_to": "a range without its upper end is the single dose given as value, printed as such",
    "ParameterRange.min": "a parameter range given only its maximum reads '≤ max', which is what was given",
    "ParameterRange.max": "a parameter range given only its minimum reads '≥ min', which is what was given",
    "EUApplication.simplified_impd": "without a simplified-IMPD scenario the IMPD is the full one (as documented), so its S, P and A sections appear",
    "Process.steps": "figures are numbered through the document: without the steps there is no flow figure, and the figures after it are renumbered",
    "Quality.drug_substances": "figures are numbered through the document: without a drug substance its flow figure goes, and the figures after it are renumbered",
    "StabilityStudy.data": "figures are numbered through the document: without the data there is no plot, and the figures after it are renumbered",
    "StabilitySeries.lower_limit": "the plot's axis is scaled to the values and limits given, so its tick labels change",
    "StabilitySeries.upper_limit": "the plot's axis is scaled to the values and limits given, so its tick labels change",
    "Source.url": "a source without its address is the same citation, no longer a link (the text run is split differently)",
}
"""Fields whose removal may add text outside the marks above, each with the reason."""


class _Texts(html_parser.HTMLParser):
    """The text runs of a document outside absence marks, counted."""

    VOID = {"br", "img", "meta", "link", "hr", "input", "col", "wbr"}

    def __init__(self):
        super().__init__()
        self.marked: list[bool] = []
        self.runs: collections.Counter = collections.Counter()

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.marked.append(bool(set((dict(attrs).get("class") or "").split()) & ABSENCE_MARKS.keys()))

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.marked:
            self.marked.pop()

    def handle_data(self, data):
        text = " ".join(data.split())
        if text and _tokens(text) and not any(self.marked):
            self.runs[text] += 1


def _tokens(text: str) -> list[str]:
    return [t for t in re.findall(r"\w+|[^\w\s]", text) if t not in "—–,;.:()"]


def _shortened(new: list[str], old: list[str]) -> bool:
    """`new` is `old` with some words taken out (a value dropped from a sentence or a row)."""
    rest = iter(old)
    return all(any(word == other for other in rest) for word in new)


def _runs(d: Dossier, target: str) -> collections.Counter:
    from dossier.packs import load_pack
    from dossier.render.html import RenderOptions, render_html
    from dossier.rules.engine import build_outline

    pack = load_pack(target)
    parser = _Texts()
    parser.feed(render_html(pack, d, build_outline(pack, d), RenderOptions(draft=True, tool_version="test")))
    return parser.runs


def _optional_leaves(obj, path: tuple, found: dict, example: str) -> None:
    """First place in the examples of each optional field the YAML gives (values and lists, not
    whole sub-objects: their fields are taken out one by one)."""
    if isinstance(obj, BaseModel):
        for name in sorted(obj.model_fields_set):
            if not type(obj).model_fields[name].is_required() and not isinstance(getattr(obj, name), BaseModel):
                found.setdefault(f"{type(obj).__name__}.{name}", (example, path + (name,)))
        for name in type(obj).model_fields:
            _optional_leaves(getattr(obj, name), path + (name,), found, example)
    elif isinstance(obj, list):
        for i, item in enumerate(obj):
            _optional_leaves(item, path + (i,), found, example)


def _without(data: dict, path: tuple) -> dict:
    data = copy.deepcopy(data)
    node = data
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]
    return data


def test_removing_any_printed_field_adds_no_statement():
    """Each optional field the examples give is taken out in turn (its first occurrence across
    the eight examples), and both documents are rendered as drafts: whatever text is new must be
    an absence mark (ABSENCE_MARKS) or the old text with the value taken out, never a statement
    made up from a default ("No", "none", "not yet assigned", "No lot has been manufactured")."""
    found: dict[str, tuple[str, tuple]] = {}
    dossiers = {}
    for example in sorted(p.name for p in EXAMPLES.iterdir() if (p / "dossier.yaml").is_file()):
        dossiers[example] = api.load(EXAMPLES / example / "dossier.yaml").dossier
        _optional_leaves(dossiers[example], (), found, example)
    assert len(found) > 200, "the examples give fewer optional fields than expected"
    data, before, offences = {}, {}, []
    for field, (example, path) in sorted(found.items()):
        if field in ALLOWED_REMOVALS:
            continue
        if example not in data:
            data[example] = dossiers[example].model_dump(mode="json", exclude_unset=True, by_alias=True)
            assert Dossier.model_validate(data[example]) == dossiers[example], f"{example}: the dump does not round-trip"
            before[example] = {t: _runs(dossiers[example], t) for t in api.available()}
        reduced = Dossier.model_validate(_without(data[example], path))
        for target in api.available():
            after = _runs(reduced, target)
            gone = [_tokens(t) for t in before[example][target] - after]
            new = [t for t in after - before[example][target] if not any(_shortened(_tokens(t), g) for g in gone)]
            if new:
                offences.append(f"{field} ({example}: {'.'.join(map(str, path))}) adds to the {target}: {new[:3]}")
    assert offences == []


# --- a list: given empty ("none"), answered not yet known, or left out ("not stated") -----------

AUXILIARY = r"  auxiliary_products:\n(    .*\n)+"
AUX_NONE = "No auxiliary medicinal product is used in this trial."


@pytest.mark.parametrize(
    ("replacement", "shown", "not_shown"),
    [
        ("  auxiliary_products: []\n", AUX_NONE, "Auxiliary medicinal products: "),
        ("  auxiliary_products: {unknown: {reason: rescue medication under discussion with the DSMB}}\n", "Auxiliary medicinal products: not yet known — rescue medication under discussion with the DSMB", AUX_NONE),
        ("", 'Auxiliary medicinal products: <span class="not-stated">not stated</span>', AUX_NONE),
    ],
    ids=["empty", "not-yet-known", "left-out"],
)
def test_an_empty_list_says_none_only_when_the_yaml_gives_it_empty(aav, tmp_path, replacement, shown, not_shown):
    text, n = re.subn(AUXILIARY, replacement, aav.read_text(encoding="utf-8"), count=1)
    assert n == 1
    aav.write_text(text, encoding="utf-8")
    out = tmp_path / "impd.html"
    api.build(aav, "impd", output=out, fmt="html", draft=True)
    html = out.read_text(encoding="utf-8")
    assert shown in html and not_shown not in html


def test_a_device_list_left_out_leaves_the_atmp_class_undecided(tmp_path):
    """catmp-membrane is a combined ATMP because its membrane is an integral device: without
    product.devices no class can be derived (a combined ATMP prevails), and that is said."""
    shutil.copytree(EXAMPLES / "catmp-membrane", tmp_path / "ex")
    root = tmp_path / "ex" / "dossier.yaml"
    text, n = re.subn(r"\n  devices:\n(?:(?:    .*)?\n)+", "\n", root.read_text(encoding="utf-8"), count=1)
    assert n == 1
    root.write_text(text, encoding="utf-8")
    findings = api.check(root).findings
    undecided = [f for f in findings if f.path == "product.devices"]
    assert undecided and all("cannot be decided" in f.message for f in undecided)
    assert any(f.path == "product.eu_class" and "cannot be checked" in f.message for f in findings)
    out = tmp_path / "impd.html"
    api.build(root, "impd", output=out, fmt="html", draft=True)
    html = out.read_text(encoding="utf-8")
    assert "Derived class: cannot be derived while product.devices is not stated." in html
    assert "Derived class: TEP" not in html
