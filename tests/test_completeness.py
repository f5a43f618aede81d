"""Removing any required fact from an example produces a located finding with the right rule id."""

from __future__ import annotations

import copy

import pytest

from dossier import factpath
from dossier.io.yamlsource import format_path, load_file
from dossier.packs import available, load_pack
from dossier.packs.outline import build_outline
from dossier.rules.engine import check_dossier, evaluate
from dossier.validate import validate
from tests.conftest import EXAMPLES


def present_requirements(name: str, target: str):
    loaded = load_file(EXAMPLES / name / "dossier.yaml", includes=True)
    d, findings = validate(loaded.data, loaded.source_map)
    assert d is not None and findings == []
    pack = load_pack(target)
    out = []
    for root in build_outline(pack, d):
        for node in root.walk():
            for req, where, ok, _ in evaluate(node, d):
                if ok and isinstance(where[-1], str):
                    out.append((req, where))
    return loaded, pack, out


def _delete(data, where):
    parent = data
    for part in where[:-1]:
        parent = parent[part]
    del parent[where[-1]]


@pytest.mark.parametrize("name", ["car-t", "aav"])
@pytest.mark.parametrize("target", available())
def test_removing_each_required_fact_is_reported_at_its_place(name, target):
    loaded, pack, reqs = present_requirements(name, target)
    assert len(reqs) > 30
    for req, where in reqs:
        data = copy.deepcopy(loaded.data)
        _delete(data, where)
        d, schema_findings = validate(data, loaded.source_map)
        path = format_path(where)
        if d is None:
            # the fact is required by the schema itself: reported as such, at its parent
            assert any(f.rule == "SCHEMA-MISSING" and f.path == path for f in schema_findings), path
            continue
        findings = check_dossier(pack, d, loaded.source_map).findings
        hits = [f for f in findings if f.rule == req.id and f.path == path]
        if req.otherwise and any(factpath.present(v) for _, v in factpath.resolve(d, req.otherwise)):
            assert not hits, f"{req.otherwise} meets {req.id} in place of {path}"
            continue
        assert hits, f"removing {path} gave no {req.id} finding"
        assert hits[0].location.line >= 1 and hits[0].citation


@pytest.mark.parametrize("levels,expected", [(1, False), (2, True)])
def test_escalation_is_required_only_when_a_phase_1_protocol_tests_several_dose_levels(tmp_path, minimal_text, levels, expected):
    """A fixed-dose phase 1 trial (e.g. one surgical implant) has no dose escalation to describe."""
    from dossier import api, factpath

    dose = "{value: 1.0e6, entity: CAR-positive viable T cells, basis: per kg}"
    src = tmp_path / "dossier.yaml"
    src.write_text(
        minimal_text
        + "clinical:\n  protocols:\n    - id: P-1\n      title: t\n      version: '1'\n      phase: '1'\n      design: d\n"
        "      control: none (single arm)\n      safety_monitoring: s\n"
        "      objectives: [{level: primary, objective: o, endpoints: [e]}]\n"
        "      population: {description: p, planned_subjects: 6, inclusion: [i], exclusion: [x]}\n"
        "      treatment:\n        schedule: s\n        dose_levels:\n"
        + "".join(f"          - {{level: DL{k}, dose: {dose}}}\n" for k in range(levels)),
        encoding="utf-8",
    )
    findings = api.check(src, "ind").findings
    assert any(f.rule == "IND-PROT-002" and f.path == "clinical.protocols[0].escalation" for f in findings) is expected
    assert any(f.rule == "IND-PROT-002" and f.path == "clinical.protocols[0].stopping_rules" for f in findings)
