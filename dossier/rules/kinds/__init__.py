"""Rule kinds: generic checks in Python; packs instantiate them with ids and citations.

Each module defines ``KIND`` (the name packs use), a docstring (its documentation,
with a passing and a failing example) and a pure ``check(dossier, params)``
generator of ``Violation``s. The registry is an explicit literal dict.
"""

from __future__ import annotations

from dossier.rules.kinds import (
    atmp_class,
    auxiliary_dossier,
    gmo_per_member_state,
    cro_obligations,
    dose_units,
    dose_within_support,
    glp_statement,
    in_use_window,
    initial_serial_number,
    label_text,
    lot_references,
    ltfu_duration,
    nct_consistency,
    phase_consistency,
    pivotal_lot_comparability,
    pivotal_tabulation,
    post_release_sterility,
    protocol_references,
    release_categories,
    safety_method_status,
    schedule_visits,
    study_type_present,
    study_types_addressed,
    viability_limit,
)

REGISTRY = {
    m.KIND: m
    for m in (
        atmp_class,
        auxiliary_dossier,
        gmo_per_member_state,
        cro_obligations,
        dose_units,
        dose_within_support,
        glp_statement,
        in_use_window,
        initial_serial_number,
        label_text,
        lot_references,
        ltfu_duration,
        nct_consistency,
        phase_consistency,
        pivotal_lot_comparability,
        pivotal_tabulation,
        post_release_sterility,
        protocol_references,
        release_categories,
        safety_method_status,
        schedule_visits,
        study_type_present,
        study_types_addressed,
        viability_limit,
    )
}
