"""post-release-sterility-plan: when a drug product sterility result becomes available only
after release, every protocol says what happens if it is positive.

Params: none.

Passes: sterility test with result_before_release false and protocols with positive_culture_plan.
Fails: the same test and a protocol without positive_culture_plan.
"""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import BaseModel, ConfigDict

from dossier.model import Dossier
from dossier.model.quality import TestCategory
from dossier.rules.violation import Violation


class Params(BaseModel):
    """Parameters of this kind, validated when a pack instance is loaded."""

    model_config = ConfigDict(extra="forbid")
    pass


KIND = "post-release-sterility-plan"


def check(d: Dossier, params: dict) -> Iterator[Violation]:
    dp = d.quality.drug_product
    late = dp and any(t.category is TestCategory.sterility and not t.result_before_release for t in dp.specification)
    if not late:
        return
    for i, p in enumerate(d.clinical.protocols):
        if not p.positive_culture_plan:
            yield Violation(("clinical", "protocols", i), f"protocol {p.id}: sterility results arrive after release but no plan for a positive result is given", "add positive_culture_plan")


# YAML merged into a minimal dossier (tests/data/minimal.yaml); run by tests/test_rule_kinds.py
EXAMPLE_PARAMS = ""
EXAMPLES = {
    "passes": '''\
quality:
  drug_product:
    name: EX-101 suspension
    description: Cells in cryopreservation medium.
    specification:
      - {test: Sterility (14-day), category: sterility, method: Ph. Eur. 2.6.27, acceptance: No growth, result_before_release: false}
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
      positive_culture_plan: Notify the site and FDA, treat the subject per culture result.
''',
    "fails": '''\
quality:
  drug_product:
    name: EX-101 suspension
    description: Cells in cryopreservation medium.
    specification:
      - {test: Sterility (14-day), category: sterility, method: Ph. Eur. 2.6.27, acceptance: No growth, result_before_release: false}
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
}
