"""in-use-covers-administration: the drug product's in-use (post-thaw / post-preparation)
stability covers the longest thaw-to-end-of-administration time any protocol allows.

Params: none.

Passes: in_use_period 60 minutes, protocol administration_window 45 minutes.
Fails: in_use_period 30 minutes, protocol administration_window 45 minutes.
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


KIND = "in-use-covers-administration"


def check(d: Dossier, params: dict) -> Iterator[Violation]:
    dp = d.quality.drug_product
    in_use = dp.stability.in_use_period if dp and dp.stability else None
    for i, p in enumerate(d.clinical.protocols):
        window = p.treatment.administration_window
        if window is None:
            continue
        if in_use is None:
            yield Violation(("clinical", "protocols", i, "treatment", "administration_window"), f"protocol {p.id} allows {window} from thaw to end of administration but no in-use stability period is stated", "add quality.drug_product.stability.in_use_period")
        elif window.hours() > in_use.hours() + 1e-9:
            yield Violation(("clinical", "protocols", i, "treatment", "administration_window"), f"protocol {p.id} allows {window} from thaw to end of administration; in-use stability covers only {in_use}")


# YAML merged into a minimal dossier (tests/data/minimal.yaml); run by tests/test_rule_kinds.py
EXAMPLE_PARAMS = ""
EXAMPLES = {
    "passes": '''\
quality:
  drug_product:
    name: EX-101 suspension
    description: Cells in cryopreservation medium.
    stability: {in_use_period: {value: 60, unit: minutes}}
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
        administration_window: {value: 45, unit: minutes}
''',
    "fails": '''\
quality:
  drug_product:
    name: EX-101 suspension
    description: Cells in cryopreservation medium.
    stability: {in_use_period: {value: 30, unit: minutes}}
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
        administration_window: {value: 45, unit: minutes}
''',
}
