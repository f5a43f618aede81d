"""material-safety: every material of human or animal origin (and every material with live
animal cells, such as feeder cells) states its adventitious-agent and TSE controls, except the
patient's own cells or tissue (``from_patient: true``, the starting material of an autologous
product).

Params: none.

Passes: foetal bovine serum with its safety controls.
Fails: foetal bovine serum without them.
"""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import BaseModel, ConfigDict

from dossier.model import Dossier
from dossier.model.quality import MaterialOrigin
from dossier.rules.violation import Violation


class Params(BaseModel):
    """Parameters of this kind, validated when a pack instance is loaded."""

    model_config = ConfigDict(extra="forbid")


KIND = "material-safety"

_BIOLOGICAL = {MaterialOrigin.human, MaterialOrigin.animal}


def check(d: Dossier, params: dict) -> Iterator[Violation]:
    for i, ds in enumerate(d.quality.drug_substances):
        for j, m in enumerate(ds.materials):
            if m.from_patient and not m.live_animal_cells:
                continue  # the patient's own cells: not a donor's or supplier's material
            if (m.origin in _BIOLOGICAL or m.live_animal_cells) and not m.safety:
                why = "live animal cells" if m.live_animal_cells else f"{m.origin.value} origin"
                yield Violation(
                    ("quality", "drug_substances", i, "materials", j),
                    f"material {m.name!r} ({why}) states no adventitious-agent or TSE controls",
                    "add safety: (testing performed, certificate of suitability, virus inactivation, source country)",
                )
