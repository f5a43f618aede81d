"""A dossier split across files: includes, with locations in the right file and hostile paths refused."""

from __future__ import annotations

import os
import shutil

import pytest

from dossier import api
from dossier.io.yamlsource import load_file
from tests.conftest import EXAMPLES

HEAD = (
    "submission: {phases: ['1']}\n"
    "sponsor: {name: S, address: {lines: [x], city: y, country: US}}\n"
)
PRODUCT = "product: {code: X, name: Y, modality: CAR-T cells, origin: autologous, route: intravenous}\n"


def write(root, files: dict[str, str]):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root / "dossier.yaml"


def include_findings(path):
    return [f for f in load_file(path, includes=True).findings if f.rule == "YAML-INCLUDE"]


def test_included_content_is_in_place_and_errors_name_the_included_file(tmp_path):
    root = write(tmp_path, {
        "dossier.yaml": HEAD + "product: {include: parts/product.yaml}\nnonclinical:\n  studies:\n    - include: parts/tox.yaml\n",
        "parts/product.yaml": "code: X\nname: Y\nmodality: CAR-T cells\norigin: autologous\nroute: intravenous\n",
        "parts/tox.yaml": "id: TOX-1\ntitle: t\ntype: single-dose toxicity\nspecies: mouse\nroute: iv\nkey_findngs: k\nglp: compliant\n",
    })
    loaded = api.load(root)
    [finding] = [f for f in loaded.findings if f.rule == "SCHEMA-UNKNOWN-KEY"]
    assert any(f.rule == "SCHEMA-MISSING" and f.location.file.endswith("tox.yaml") for f in loaded.findings)
    assert finding.path == "nonclinical.studies[0].key_findngs"
    assert (finding.location.file, finding.location.line, finding.location.column) == (str(tmp_path / "parts" / "tox.yaml"), 6, 1)
    assert "key_findings" in finding.hint
    result = load_file(root, includes=True)
    assert result.data["product"]["code"] == "X"
    assert [p.name for p in result.files] == ["dossier.yaml", "product.yaml", "tox.yaml"]


def test_a_missing_field_of_an_included_mapping_is_located_in_that_file(tmp_path):
    root = write(tmp_path, {
        "dossier.yaml": HEAD + "product: {include: product.yaml}\n",
        "product.yaml": "code: X\nname: Y\nmodality: CAR-T cells\norigin: autologous\n",
    })
    [f] = [f for f in api.load(root).findings if f.rule == "SCHEMA-MISSING"]
    assert f.path == "product.route" and f.location.file.endswith("product.yaml") and f.location.line == 1


def test_nested_includes_resolve_relative_to_the_including_file(tmp_path):
    root = write(tmp_path, {
        "dossier.yaml": HEAD + PRODUCT + "nonclinical: {include: nc/index.yaml}\n",
        "nc/index.yaml": "studies:\n  - include: studies/a.yaml\n",
        "nc/studies/a.yaml": "id: A\ntitle: t\ntype: single-dose toxicity\nspecies: mouse\nroute: iv\nkey_findings: k\nglp: compliant\n",
    })
    loaded = api.load(root)
    assert loaded.dossier is not None and loaded.dossier.nonclinical.studies[0].id == "A"


@pytest.mark.parametrize("target,expect", [
    ("/etc/passwd.yaml", "not a relative path"),
    ("~/x.yaml", "not a relative path"),
    ("..\\\\x.yaml", "not a relative path"),
    ("../outside.yaml", "leaves the dossier's folder"),
    ("nope.yaml", "does not exist"),
    ("notes.txt", "is not a .yaml/.yml file"),
    ("sub", "is not a .yaml/.yml file"),
])
def test_hostile_or_wrong_include_paths_are_refused_with_a_location(tmp_path, target, expect):
    (tmp_path / "outside.yaml").write_text("a: 1\n", encoding="utf-8")
    inner = tmp_path / "d"
    root = write(inner, {"dossier.yaml": HEAD + f"product: {{include: '{target}'}}\n", "notes.txt": "x\n", "sub/x.yaml": "a: 1\n"})
    [f] = include_findings(root)
    assert expect in f.message and f.location.line == 3 and f.path == "product"


def test_a_symbolic_link_cannot_lead_out_of_the_dossier_folder(tmp_path):
    secret = tmp_path / "secret.yaml"
    secret.write_text("code: leaked\n", encoding="utf-8")
    inner = tmp_path / "d"
    root = write(inner, {"dossier.yaml": HEAD + "product: {include: link.yaml}\n"})
    os.symlink(secret, inner / "link.yaml")
    [f] = include_findings(root)
    assert "leaves the dossier's folder" in f.message
    assert "leaked" not in str(load_file(root, includes=True).data)


def test_include_cycles_are_reported_with_the_cycle(tmp_path):
    root = write(tmp_path, {
        "dossier.yaml": HEAD + PRODUCT + "nonclinical: {include: a.yaml}\n",
        "a.yaml": "studies:\n  - include: b.yaml\n",
        "b.yaml": "include: a.yaml\n",
    })
    [f] = include_findings(root)
    assert "include cycle: a.yaml → b.yaml → a.yaml" in f.message
    assert f.location.file.endswith("b.yaml")


def test_include_must_stand_alone(tmp_path):
    root = write(tmp_path, {"dossier.yaml": HEAD + "product: {include: p.yaml, code: X}\n", "p.yaml": "name: Y\n"})
    [f] = include_findings(root)
    assert "only key" in f.message


def test_syntax_error_in_an_included_file_names_that_file(tmp_path):
    root = write(tmp_path, {"dossier.yaml": HEAD + "product: {include: p.yaml}\n", "p.yaml": "code: [X\n"})
    [f] = [f for f in load_file(root, includes=True).findings if f.rule == "YAML-SYNTAX"]
    assert f.location.file.endswith("p.yaml")


def test_the_same_file_may_be_included_twice_without_being_an_alias(tmp_path):
    study = "id: {id}\ntitle: t\ntype: single-dose toxicity\nspecies: mouse\nroute: iv\nkey_findings: k\nglp: compliant\n"
    root = write(tmp_path, {
        "dossier.yaml": HEAD + PRODUCT + "nonclinical:\n  studies:\n    - include: s.yaml\n    - include: s.yaml\n",
        "s.yaml": study.format(id="S"),
    })
    loaded = api.load(root)
    assert loaded.dossier is not None and [s.id for s in loaded.dossier.nonclinical.studies] == ["S", "S"]


def test_text_without_a_file_cannot_include(tmp_path):
    from dossier.io.yamlsource import load_text

    result = load_text("a: {include: x.yaml}\n", "<string>", includes=True)
    assert [f.rule for f in result.findings] == ["YAML-INCLUDE"]


def test_split_car_t_example_checks_like_the_single_file(tmp_path):
    """The bundled split example gives the same dossier as one file would."""
    split = EXAMPLES / "car-t"
    if not any(split.glob("**/*.yaml")) or len(list(split.glob("**/*.yaml"))) < 2:
        pytest.fail("examples/car-t is expected to be split across several files")
    loaded = api.load(split)
    assert loaded.dossier is not None and not [f for f in loaded.findings if f.severity.name == "ERROR"]


def test_without_includes_an_include_key_is_plain_data(tmp_path):
    """Pack manifests use their own `include:` with variables; only dossiers resolve includes."""
    (tmp_path / "p.yaml").write_text("- include: x.yaml\n  vars: {a: b}\n", encoding="utf-8")
    result = load_file(tmp_path / "p.yaml", mapping=False)
    assert result.findings == [] and result.data == [{"include": "x.yaml", "vars": {"a": "b"}}]
