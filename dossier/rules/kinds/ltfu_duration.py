"""ltfu-duration: every protocol plans long-term follow-up of at least the given duration.

Params: ``min_years`` (number).

Passes: long_term_follow_up.duration 15 years with min_years 15.
Fails: no long_term_follow_up, or 5 years with min_years 15.
"""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import BaseModel, ConfigDict

from dossier.model import Dossier
from dossier.rules.violation import Violation


class Params(BaseModel):
    """Parameters of this kind, validated when a pack instance is loaded."""

    model_config = ConfigDict(extra="forbid")
    min_years: float


KIND = "ltfu-duration"


def check(d: Dossier, params: dict) -> Iterator[Violation]:
    years = float(params["min_years"])
    for i, p in enumerate(d.clinical.protocols):
        ltfu = p.long_term_follow_up
        if ltfu is None:
            yield Violation(("clinical", "protocols", i), f"protocol {p.id} plans no long-term follow-up (at least {years:g} years expected)")
        elif ltfu.duration.hours() < years * 8766 - 1e-6:
            yield Violation(("clinical", "protocols", i, "long_term_follow_up", "duration"), f"protocol {p.id}: long-term follow-up of {ltfu.duration} is shorter than {years:g} years")


# YAML merged into a minimal dossier (tests/data/minimal.yaml); run by tests/test_rule_kinds.py
EXAMPLE_PARAMS = '{min_years: 15}'
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
      long_term_follow_up: {duration: {value: 15, unit: years}, schedule: Annual visits.}
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
      long_term_follow_up: {duration: {value: 5, unit: years}, schedule: Annual visits.}
''',
}
