"""nct-consistency: the NCT numbers certified on Form FDA 3674 and those given on the
protocols are the same set.

Params: none.

Passes: protocol nct_number NCT01234567 and form_3674 nct_numbers [NCT01234567].
Fails: protocol NCT01234567, form lists NCT07654321.
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


KIND = "nct-consistency"


def check(d: Dossier, params: dict) -> Iterator[Violation]:
    form = d.us.form_3674
    if form is None:
        return
    certified = set(form.nct_numbers)
    for i, p in enumerate(d.clinical.protocols):
        if p.nct_number and certified and p.nct_number not in certified:
            yield Violation(("clinical", "protocols", i, "nct_number"), f"protocol {p.id}: {p.nct_number} is not among the NCT numbers on Form FDA 3674 ({', '.join(sorted(certified))})")
    on_protocols = {p.nct_number for p in d.clinical.protocols if p.nct_number}
    for k, nct in enumerate(form.nct_numbers):
        if on_protocols and nct not in on_protocols:
            yield Violation(("us", "form_3674", "nct_numbers", k), f"{nct} on Form FDA 3674 matches no protocol")


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
      nct_number: NCT01234567
us:
  form_3674: {status: "applicable clinical trial, registered", nct_numbers: [NCT01234567]}
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
      nct_number: NCT01234567
us:
  form_3674: {status: "applicable clinical trial, registered", nct_numbers: [NCT07654321]}
''',
}
