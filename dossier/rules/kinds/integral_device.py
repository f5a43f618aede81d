"""integral-device-information: every medical device that is an integral part of the product
(combined ATMP) is described with the facts a reviewer needs to assess it: material,
sterilisation, biocompatibility and conformity evidence.

Params: ``fields`` (which of material, sterilisation, biocompatibility, conformity,
manufacturer are required).

Passes: an integral collagen membrane with all four facts.
Fails: the same membrane without biocompatibility.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from dossier.factpath import present
from dossier.model import Dossier
from dossier.model.product import DeviceRole
from dossier.rules.violation import Violation

Field_ = Literal["material", "sterilisation", "biocompatibility", "conformity", "manufacturer"]


class Params(BaseModel):
    """Parameters of this kind, validated when a pack instance is loaded."""

    model_config = ConfigDict(extra="forbid")
    fields: list[Field_] = Field(min_length=1)


KIND = "integral-device-information"


def check(d: Dossier, params: dict) -> Iterator[Violation]:
    for i, dev in enumerate(d.product.devices):
        if dev.role is not DeviceRole.integral:
            continue
        missing = [f for f in params["fields"] if not present(getattr(dev, f))]
        if missing:
            yield Violation(("product", "devices", i), f"integral device {dev.name!r} lacks {', '.join(missing)}", f"add {', '.join(m + ':' for m in missing)} to the device")
