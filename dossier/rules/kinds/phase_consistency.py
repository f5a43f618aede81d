"""phase-consistency: each protocol's phase is one of the phases declared for the submission.

Params: none.

Passes: submission.phases ["1"], protocol phase "1".
Fails: submission.phases ["1"], protocol phase "2".
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


KIND = "phase-consistency"


def check(d: Dossier, params: dict) -> Iterator[Violation]:
    declared = set(d.submission.phases)
    for i, p in enumerate(d.clinical.protocols):
        if declared and p.phase not in declared:
            listed = ", ".join(sorted(ph.value for ph in declared))
            yield Violation(("clinical", "protocols", i, "phase"), f"protocol {p.id} is phase {p.phase.value} but the submission declares phase(s) {listed}")


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
''',
    "fails": '''\
clinical:
  protocols:
    - id: EX-101-01
      title: Phase 1 study of EX-101
      version: "1.0"
      phase: "2"
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
''',
}
