"""protocol-references: protocol ids named by investigators (Form FDA 1572) and by CRO
transfers of obligations exist in `clinical.protocols`.

Params: none.

Passes: investigator protocols [ACME-101] with protocol ACME-101 defined.
Fails: investigator protocols [ACME-102] with no such protocol.
"""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import BaseModel, ConfigDict

from dossier.model import Dossier
from dossier.rules.violation import Violation


class Params(BaseModel):
    """Parameters of this kind, validated when a pack instance is loaded."""

    model_config = ConfigDict(extra="forbid")
    pass


KIND = "protocol-references"


def check(d: Dossier, params: dict) -> Iterator[Violation]:
    ids = {p.id for p in d.clinical.protocols}
    refs = [(("clinical", "investigators", i, "protocols"), inv.protocols) for i, inv in enumerate(d.clinical.investigators)]
    refs += [(("sponsor", "cros", i, "studies"), cro.studies) for i, cro in enumerate(d.sponsor.cros)]
    for base, names in refs:
        for k, name in enumerate(names):
            if name not in ids:
                yield Violation(base + (k,), f"protocol {name!r} is not defined in clinical.protocols", "correct the protocol id")


# YAML merged into a minimal dossier (tests/data/minimal.yaml); run by tests/test_rule_kinds.py
EXAMPLE_PARAMS = ""
EXAMPLES = {
    "passes": '''\
clinical:
  protocols:
    - id: EX-101-01
      title: Phase 1 study of EX-101
      version: "1.0"
      phase: "1"
      design: Open-label 3+3 dose escalation.
      control: none (single arm)
      safety_monitoring: Daily vital signs during hospitalisation.
      objectives:
        - {level: primary, objective: Safety, endpoints: [DLT incidence]}
      population:
        description: Adults with r/r LBCL.
        planned_subjects: 18
        inclusion: [Age 18 or older]
        exclusion: [Active CNS disease]
      treatment:
        schedule: Single infusion on Day 0.
        dose_levels:
          - {level: DL1, dose: {value: 1.0e6, entity: CAR-positive viable T cells, basis: per kg}}
  investigators:
    - name: Dr A. Example
      address: {lines: [1 Main St], city: Boston, country: US}
      facilities: [{name: Example Hospital, address: {lines: [1 Main St], city: Boston, country: US}}]
      protocols: [EX-101-01]
''',
    "fails": '''\
clinical:
  protocols:
    - id: EX-101-01
      title: Phase 1 study of EX-101
      version: "1.0"
      phase: "1"
      design: Open-label 3+3 dose escalation.
      control: none (single arm)
      safety_monitoring: Daily vital signs during hospitalisation.
      objectives:
        - {level: primary, objective: Safety, endpoints: [DLT incidence]}
      population:
        description: Adults with r/r LBCL.
        planned_subjects: 18
        inclusion: [Age 18 or older]
        exclusion: [Active CNS disease]
      treatment:
        schedule: Single infusion on Day 0.
        dose_levels:
          - {level: DL1, dose: {value: 1.0e6, entity: CAR-positive viable T cells, basis: per kg}}
  investigators:
    - name: Dr A. Example
      address: {lines: [1 Main St], city: Boston, country: US}
      facilities: [{name: Example Hospital, address: {lines: [1 Main St], city: Boston, country: US}}]
      protocols: [EX-999]
''',
}
