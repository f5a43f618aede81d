"""Starter dossiers for `dossier init`: one commented YAML per modality.

The modality facts live in templates/starters/modalities.yaml (data) and the text in
templates/starters/dossier.yaml.j2; a starter validates against the schema and leaves
<placeholders> that `dossier check` reports until they are filled in.
"""

from __future__ import annotations

from functools import cache

import jinja2

from dossier import __version__
from dossier.io.yamlsource import load_file
from dossier.resources import templates_dir

FILENAME = "dossier.yaml"


@cache
def modalities() -> dict[str, dict]:
    result = load_file(templates_dir() / "starters" / "modalities.yaml")
    problems = [f for f in result.findings if f.rule != "INPUT-PLACEHOLDER"]  # placeholders are the point
    if problems or not isinstance(result.data, dict):
        raise RuntimeError(f"starter data unreadable: {result.findings[:1]}")
    return result.data


def render(name: str) -> str:
    """The starter YAML text for one modality (a key of modalities())."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir() / "starters"),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,  # YAML text, not HTML; every value comes from our own data file
    )
    m = {"genetic_modification": None, "device": False, "combination_product": None, **modalities()[name]}
    m["drug_substances"] = [{"cell_source": None, "donor": False, **ds} for ds in m["drug_substances"]]
    return env.get_template("dossier.yaml.j2").render(m=m, name=name, version=__version__, filename=FILENAME)
