"""schedule-visits: every visit named by an assessment in a schedule of assessments is one
of the schedule's visits (catches typos that would leave a column empty).

Params: none.

Passes: visits [Screening, Day 0], assessment visits [Screening].
Fails: assessment visits [Day 1] when Day 1 is not a visit.
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


KIND = "schedule-visits"


def check(d: Dossier, params: dict) -> Iterator[Violation]:
    for i, p in enumerate(d.clinical.protocols):
        soa = p.schedule_of_assessments
        if soa is None:
            continue
        visits = set(soa.visits)
        for j, a in enumerate(soa.assessments):
            for k, v in enumerate(a.visits):
                if v not in visits:
                    yield Violation(("clinical", "protocols", i, "schedule_of_assessments", "assessments", j, "visits", k), f"assessment {a.name!r}: visit {v!r} is not in the schedule's visits")


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
      schedule_of_assessments:
        visits: [Screening, Day 0]
        assessments:
          - {name: CBC, visits: [Screening]}
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
      schedule_of_assessments:
        visits: [Screening, Day 0]
        assessments:
          - {name: CBC, visits: [Day 1]}
''',
}
