"""annex-vi-items: each EU label maps every Annex VI A.1 particular to the words on the label
that give it, or says why it is not there.

Params: none.

For each label the EU documents show (`region: eu`, or no region) on immediate or outer
packaging: `annex_vi` is given; each particular (a)-(l) is given; a particular's `text` appears
in the label text (case, dashes and spaces normalised; phrases from different places on the label
joined by " … " are each looked for); a particular gives `text` or
`omitted`, not neither. One finding per label and particular, at the particular.

Passes: an EU label whose annex_vi gives (a)-(l), each found in the text or omitted with a reason.
Fails: an EU label without annex_vi, or whose (i) text is not on the label.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from pydantic import BaseModel, ConfigDict

from dossier.model import Dossier
from dossier.model.administrative import AnnexVI
from dossier.rules.violation import Violation


class Params(BaseModel):
    """Parameters of this kind, validated when a pack instance is loaded."""

    model_config = ConfigDict(extra="forbid")


KIND = "annex-vi-items"

ITEMS = list(AnnexVI.model_fields)


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"\s*[‐‑‒–—−-]+\s*", "-", text)).strip().lower()


def _letter(field: str) -> str:
    return f"A.1({field[0]})"


def check(d: Dossier, params: dict) -> Iterator[Violation]:
    for i, label in enumerate(d.labels):
        if label.region is not None and label.region.value != "eu":
            continue
        where = ("labels", i)
        level = label.packaging.value if label.packaging else "the"
        if label.annex_vi is None:
            yield Violation(where, f"the {level} label does not map the Annex VI particulars to its text", "add annex_vi: with a_main_contact ... l_keep_out_of_reach, each {text: words on the label} or {omitted: reason}")
            continue
        body = _norm(label.text or "")
        for field in ITEMS:
            item = getattr(label.annex_vi, field)
            doc = (AnnexVI.model_fields[field].description or field).split(" ", 1)[1]
            at = (*where, "annex_vi", field)
            if item is None or (item.text is None and item.omitted is None):
                yield Violation(at, f"the {level} label does not say where Annex VI {_letter(field)} is: {doc}", "give {text: the words on the label} or {omitted: why Annex VI allows leaving it out}")
            elif item.text is not None:
                missing = [part.strip() for part in item.text.split("…") if part.strip() and _norm(part) not in body]
                if missing:
                    yield Violation((*at, "text"), f"the {level} label's text does not contain “{missing[0]}” (Annex VI {_letter(field)})", "quote the words exactly as they are on the label (phrases from different places joined by ' … ')")
