"""qp-declarations: every manufacturing or testing site of the drug substance or drug product
outside the EU/EEA is covered by a Qualified Person's declaration of GMP equivalence (or the
declaration says which mutual recognition agreement covers the site instead).

Params: none. Applies when the IMP holds no EU marketing authorisation (an authorised IMP needs
no GMP documentation in Part I).

Passes: a US manufacturing site named in eu.qp_declarations[].sites.
Fails: a US manufacturing site that no declaration names.
"""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import BaseModel, ConfigDict

from dossier.model import Dossier
from dossier.model.identifiers import EEA_ONLY, EU_MEMBER_STATES
from dossier.rules.violation import Violation


class Params(BaseModel):
    """Parameters of this kind, validated when a pack instance is loaded."""

    model_config = ConfigDict(extra="forbid")


KIND = "qp-declarations"


def third_country_sites(d: Dossier) -> list[tuple[tuple, str, str]]:
    """(YAML path, site name, country) of each drug substance and drug product manufacturer or
    testing site whose address is outside the EU/EEA (an unknown country is not assumed outside)."""
    q = d.quality
    found = []
    for i, ds in enumerate(q.drug_substances):
        found += [(("quality", "drug_substances", i, "manufacturers", j), m.name, m.address.country) for j, m in enumerate(ds.manufacturers)]
    if q.drug_product:
        found += [(("quality", "drug_product", "manufacturers", j), m.name, m.address.country) for j, m in enumerate(q.drug_product.manufacturers)]
    seen: set[str] = set()
    out = []
    for path, name, country in found:
        if country and country not in EU_MEMBER_STATES | EEA_ONLY and name not in seen:
            seen.add(name)
            out.append((path, name, country))
    return out


def check(d: Dossier, params: dict) -> Iterator[Violation]:
    if d.eu.imp_authorised:
        return
    covered = {site for declaration in d.eu.qp_declarations for site in declaration.sites}
    for path, name, country in third_country_sites(d):
        if name not in covered:
            yield Violation(path, f"{name} ({country}) is outside the EU/EEA and no QP declaration of GMP equivalence names it", f"add eu.qp_declarations: [{{sites: [{name!r}], qualified_person: ..., date: ...}}] (or state the mutual recognition agreement that covers it)")
