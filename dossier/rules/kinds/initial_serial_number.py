"""initial-serial-number: an initial submission carries serial number zero (000 or 0000).

Params: none.

Passes: type initial, serial_number "0000".
Fails: type initial, serial_number "0001".
"""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import BaseModel, ConfigDict

from dossier.model import Dossier
from dossier.model.administrative import SubmissionType
from dossier.rules.violation import Violation


class Params(BaseModel):
    """Parameters of this kind, validated when a pack instance is loaded."""

    model_config = ConfigDict(extra="forbid")
    pass


KIND = "initial-serial-number"


def check(d: Dossier, params: dict) -> Iterator[Violation]:
    serial = d.us.serial_number
    if d.submission.type is SubmissionType.initial and serial and int(serial) != 0:
        yield Violation(("us", "serial_number"), f"an initial submission is serial number 0000, not {serial}", "set us.serial_number: \"0000\"")
