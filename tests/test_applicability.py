"""Issue 15: requirements, rules and citations follow what the product is."""

from __future__ import annotations

import json
import re
import shutil
import sys

import pytest

from dossier import api, facts
from dossier.applicability import markdown, rows
from dossier.packs import available, load_pack
from dossier.rules.engine import build_outline
from tests.conftest import EXAMPLES, ROOT, rules_of
from tests.test_cli import run

NAMES = sorted(p.name for p in EXAMPLES.iterdir() if (p / "dossier.yaml").is_file())

KIND_FACTS = {
    # a condition that marks a row as being for one kind of product, and what its sources may name
    "genetically_modified": "gene therapy",
    "integrating_vector": "gene therapy",
    "retroviral_vector": "gene therapy",
    "viral_vector": "gene therapy",
    "in_vivo_gene_therapy": "gene therapy",
    "genome_editing": "gene therapy",
    "car_t": "CAR T",
    "immune_effector_cells": "CAR T",
    "allogeneic": "allogeneic",
}

GENE_THERAPY_SOURCES = re.compile(r"gene therapy INDs|LTFU|[Ll]ong.term follow.up after administration of human gene therapy|RCR|[Rr]etroviral|genome editing|ICH S12|shedding", re.I)
CAR_T_SOURCES = re.compile(r"CAR.?T", re.I)


@pytest.fixture(scope="module")
def dossiers():
    return {name: api.load(EXAMPLES / name / "dossier.yaml").dossier for name in NAMES}


def test_the_matrix_in_docs_is_current(dossiers):
    assert (ROOT / "docs" / "applicability.md").read_text(encoding="utf-8") == markdown(dossiers), "run: python -m dossier.applicability examples/*/dossier.yaml > docs/applicability.md"


def test_a_rule_for_one_kind_applies_exactly_to_the_examples_of_that_kind(dossiers):
    """No GM-only, vector-only, CAR-T-only or allogeneic-only row applies to an example without
    the fact, and each applies to at least one example that has it."""
    for row in rows():
        kinds = [c for c in row.when if c in KIND_FACTS]
        if not kinds:
            continue
        for name, d in dossiers.items():
            if not all(facts.CONDITIONS[c](d) for c in kinds):
                assert not row.applies(d), (row.pack, row.id, row.what, name)
        assert any(row.applies(d) for d in dossiers.values()), (row.pack, row.id, row.what, "applies to no example")


def _cited(d, target):
    """Every source a product's check and document cite: requirements, rules, expectations and
    the headings of its outline."""
    pack = load_pack(target)
    out = [(f"{row.id} {row.what}", row.cites(d)) for row in rows() if row.pack == target and row.applies(d)]
    out += [(f"heading {n.id}", n.cite) for root in build_outline(pack, d) for n in root.walk() if n.applicable]
    return out


@pytest.mark.parametrize("name", NAMES)
def test_no_source_written_for_another_kind_of_product_is_cited(dossiers, name):
    d = dossiers[name]
    for target in available():
        for what, cite in _cited(d, target):
            if not facts.genetically_modified(d):
                assert not GENE_THERAPY_SOURCES.search(cite), (name, target, what, cite)
            if not facts.car_t(d):
                assert not CAR_T_SOURCES.search(cite) or "covers CAR T" in cite, (name, target, what, cite)


GM_ONLY_STUDIES = ("integration site analysis", "shedding", "biodistribution", "genotoxicity", "tumorigenicity")
GM_WORDS = re.compile(r"integration site|shedding|vector|RCL|RCR|replication.competent|bridging|GvHD|graft.versus.host", re.I)


@pytest.mark.parametrize("name", ["msc", "limbal", "tep-spheroids", "catmp-membrane"])
def test_a_product_without_genetic_modification_is_not_asked_gene_therapy_questions(tmp_path, capsys, name):
    """With the examples' answers to gene-therapy-only study types removed, no finding is about
    integration sites, shedding, vectors, RCL/RCR, bridging therapy or GvHD, and none cites
    gene-therapy or CAR-T guidance."""
    shutil.copytree(EXAMPLES / name, tmp_path / name)
    root = tmp_path / name / "dossier.yaml"
    text = root.read_text(encoding="utf-8")
    for kind in GM_ONLY_STUDIES:
        text = re.sub(rf"\n    - type: {kind}\n      reason: .*(\n        .*)*", "", text)
        text = re.sub(rf"\n    - {{type: {kind}, reason: [^\n]*}}", "", text)
    assert not re.search(r"type: (integration site analysis|shedding)", text)
    root.write_text(text, encoding="utf-8")
    code, out, _ = run(capsys, "check", str(root), "--format", "json")
    findings = json.loads(out)["findings"]
    assert code in (0, 1)
    assert [f for f in findings if GM_WORDS.search(f["message"])] == []
    assert [f for f in findings if GENE_THERAPY_SOURCES.search(f["citation"]) or CAR_T_SOURCES.search(f["citation"])] == []


def test_mycoplasma_on_the_bulk_of_an_aav_vector_meets_the_release_requirement(tmp_path):
    shutil.copytree(EXAMPLES / "aav", tmp_path / "aav")
    root = tmp_path / "aav" / "dossier.yaml"
    text = root.read_text(encoding="utf-8")
    text, n = re.subn(r"\n      - test: Mycoplasma\n        category: mycoplasma\n(        .*\n)+?(?=      - )", "\n", text)
    assert n == 1
    root.write_text(text, encoding="utf-8")
    d = api.load(root).dossier
    assert not [t for t in d.quality.drug_product.specification if t.category.value == "mycoplasma"]
    assert [t for ds in d.quality.drug_substances for t in ds.specification if t.category.value == "mycoplasma"]
    result = api.check(root)
    assert result.ok and not [f for f in result.findings if "mycoplasma" in f.message], [f.message for f in result.findings]
    # a product whose cells are the drug substance still needs the test on the drug product
    shutil.copytree(EXAMPLES / "car-t", tmp_path / "car-t")
    car_t = tmp_path / "car-t" / "dossier.yaml"
    text = car_t.read_text(encoding="utf-8")
    assert "category: mycoplasma" in text
    car_t.write_text(text.replace("category: mycoplasma", "category: sterility"), encoding="utf-8")
    assert rules_of(f for f in api.check(car_t).findings if "mycoplasma" in f.message) >= {"IND-SPEC-001", "IMPD-CMC-001"}


def test_an_omission_of_every_toxicology_study_with_its_reason_meets_the_requirement(tmp_path, minimal_text):
    text = minimal_text + """nonclinical:
  overview: No relevant animal species exists for this human-specific construct.
  omitted_studies:
    - {type: single-dose toxicity, reason: No pharmacologically relevant species; safety rests on the clinical data of the parent construct.}
    - {type: primary pharmacodynamics, reason: Activity shown in vitro on patient cells (report R-12).}
"""
    path = tmp_path / "d.yaml"
    path.write_text(text, encoding="utf-8")
    assert not rules_of(f for f in api.check(path).findings if f.path == "nonclinical.studies") & {"IND-TOX-006", "IMPD-NC-001"}
    path.write_text(minimal_text, encoding="utf-8")
    assert rules_of(f for f in api.check(path).findings if f.path == "nonclinical.studies") >= {"IND-TOX-006", "IMPD-NC-001"}


def test_each_study_expectation_cites_its_own_source(tmp_path, minimal_text):
    path = tmp_path / "d.yaml"
    path.write_text(minimal_text, encoding="utf-8")
    found = {f.message: f.citation for f in api.check(path, "ind").findings if f.rule == "IND-TOX-008"}
    assert "ICH S12" in next(c for m, c in found.items() if m.startswith("no biodistribution"))
    assert "ICH S12" not in next(c for m, c in found.items() if m.startswith("no single- or repeat-dose"))
    # the minimal product is an ex vivo CAR-T: no shedding study is expected of it
    assert not [m for m in found if "shedding" in m]


def test_target_all_gives_one_line_per_fact_naming_every_rule(tmp_path, capsys, minimal_text):
    path = tmp_path / "d.yaml"
    path.write_text(minimal_text, encoding="utf-8")
    code, out, _ = run(capsys, "check", str(path), "--format", "json")
    findings = json.loads(out)["findings"]
    keys = [(f["path"], f["message"]) for f in findings]
    assert len(keys) == len(set(keys))
    overview = [f for f in findings if f["path"] == "nonclinical.overview"]
    assert len(overview) == 1 and set(overview[0]["also"]) | {overview[0]["rule"]} == {"IND-TOX-001", "IMPD-NC-001"}
    assert "21 CFR 312.23(a)(8)" in overview[0]["citation"] and "536/2014" in overview[0]["citation"]
    one = [f for f in json.loads(run(capsys, "check", str(path), "--format", "json", "--target", "ind")[1])["findings"] if f["path"] == "nonclinical.overview"]
    assert [f["rule"] for f in one] == ["IND-TOX-001"] and one[0]["also"] == []


def test_the_patients_own_cells_need_no_donor_or_tse_controls(tmp_path):
    shutil.copytree(EXAMPLES / "car-t", tmp_path / "car-t")
    root = tmp_path / "car-t" / "dossier.yaml"
    text = root.read_text(encoding="utf-8")
    start = text.index("        - name: Autologous leukapheresis product")
    block_end = text.index("        - name:", start + 10)
    block = re.sub(r"\n          safety: [^\n]*", "", text[start:block_end])
    root.write_text(text[:start] + block + text[block_end:], encoding="utf-8")
    assert not [f for f in api.check(root).findings if f.rule in ("IND-CMC-018", "IMPD-CMC-010")]
    root.write_text((text[:start] + block + text[block_end:]).replace("          from_patient: true\n", "", 1), encoding="utf-8")
    assert rules_of(f for f in api.check(root).findings if "Autologous leukapheresis" in f.message) == {"IND-CMC-018", "IMPD-CMC-010"}


def test_explain_shows_which_source_applies_to_which_product(capsys):
    code, out, _ = run(capsys, "explain", "IND-CMC-003")
    assert code == 0
    assert "when the product is genetically modified: FDA CMC guidance for human gene therapy INDs" in out
    assert "otherwise when the product contains cells: FDA Content and review of CMC information for human somatic cell therapy INDs" in out


def test_the_generator_runs_as_documented(capsys):
    from dossier.applicability import main

    assert main([str(EXAMPLES / "msc" / "dossier.yaml")]) == 0
    assert "| msc |" in capsys.readouterr().out
    assert sys.modules["dossier.applicability"]
