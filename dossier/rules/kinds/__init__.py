"""Rule kinds: generic checks in Python; packs instantiate them with ids and citations.

Each module defines ``KIND`` (the name packs use), a docstring (its documentation,
with a passing and a failing example) and a pure ``check(dossier, params)``
generator of ``Violation``s. The registry is an explicit literal dict.
"""

from __future__ import annotations

from dossier.rules.kinds import (
    dose_units,
    dose_within_support,
    glp_statement,
    label_text,
    lot_references,
    ltfu_duration,
    phase_consistency,
    protocol_references,
    release_categories,
    schedule_visits,
)

REGISTRY = {
    m.KIND: m
    for m in (
        dose_units,
        dose_within_support,
        glp_statement,
        label_text,
        lot_references,
        ltfu_duration,
        phase_consistency,
        protocol_references,
        release_categories,
        schedule_visits,
    )
}
