"""Rule kinds: generic checks in Python; packs instantiate them with ids and citations.

Each module defines ``KIND`` (the name packs use), a ``Params`` model, a docstring
(its documentation) and a pure ``check(dossier, params)`` generator of ``Violation``s.
``examples/<kind>.yaml`` holds a passing and a failing YAML example, which
``dossier explain`` prints and the tests run. The registry is an explicit literal dict.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import importlib

# The registry is explicit: a kind exists when it is listed here.
_MODULES = (
    "annex_vi_items",
    "atmp_class",
    "auxiliary_dossier",
    "cell_bank_testing",
    "claims_follow_contents",
    "flag_matches",
    "gmo_per_member_state",
    "cro_obligations",
    "dose_units",
    "dose_within_support",
    "glp_statement",
    "in_use_window",
    "initial_serial_number",
    "integral_device",
    "label_text",
    "lot_references",
    "lot_supply",
    "material_safety",
    "ltfu_duration",
    "nct_consistency",
    "phase_consistency",
    "pivotal_lot_comparability",
    "pivotal_tabulation",
    "post_release_sterility",
    "present_in_any",
    "protocol_references",
    "qp_declarations",
    "authorisation_status",
    "schedule_covers_text",
    "region_markers",
    "release_categories",
    "safety_method_status",
    "schedule_visits",
    "study_types_addressed",
    "viability_limit",
)

REGISTRY = {m.KIND: m for m in (importlib.import_module(f"{__name__}.{name}") for name in _MODULES)}


@cache
def examples(kind: str) -> dict:
    """The documented examples of a kind (examples/<kind>.yaml): params, passes, fails."""
    from dossier.io.yamlsource import load_file

    result = load_file(Path(__file__).parent / "examples" / f"{kind}.yaml")
    if result.findings or not isinstance(result.data, dict):
        raise ValueError(f"examples for {kind} are unreadable: {result.findings[:1]}")
    return result.data
