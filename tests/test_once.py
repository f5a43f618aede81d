"""Issue 17: every fact in one place — a summary table points to the section that holds a study's
GLP statement or an omitted study type's justification instead of repeating it, and the IND's
introductory statement points to 2.5 for previous human experience; facts two headings would show
(the packs' `shared_facts`) are shown under their owner and referred to elsewhere."""

from __future__ import annotations

import re
from collections import Counter
from html import unescape

import pytest
from markupsafe import escape

from dossier import api
from tests.conftest import EXAMPLES
from tests.golden.snapshot import example_names


@pytest.fixture(scope="module")
def documents(tmp_path_factory):
    out = tmp_path_factory.mktemp("once")
    docs = {}
    for name in example_names():
        for target in ("ind", "impd"):
            path = out / f"{name}-{target}.html"
            api.build(EXAMPLES / name, target, output=path, fmt="html")
            docs[(name, target)] = path.read_text(encoding="utf-8")
    return docs


@pytest.mark.parametrize("name", example_names())
def test_each_glp_statement_and_omission_reason_is_printed_once(documents, name):
    d = api.load(EXAMPLES / name).dossier
    statements = Counter(s.glp_statement for s in d.nonclinical.studies if s.glp_statement)
    reasons = Counter(o.reason for o in d.nonclinical.omitted_studies)
    for target in ("ind", "impd"):
        text = documents[(name, target)]
        for statement, n in statements.items():
            assert text.count(str(escape(statement))) == n, (target, statement[:60])
        for reason, n in reasons.items():
            assert text.count(str(escape(reason))) == n, (target, reason[:60])


@pytest.mark.parametrize("name", example_names())
def test_previous_human_experience_is_in_2_5_and_pointed_to_from_the_introduction(documents, name):
    text = documents[(name, "ind")]
    intro = text.split("(ii) Previous human experience", 1)[1].split("(iii)", 1)[0]
    assert 'href="#s-2-5"' in intro


def test_the_comparability_of_lots_is_shown_once_and_pointed_to(documents):
    d = api.load(EXAMPLES / "car-t").dossier
    assert len(d.quality.drug_substances) > 1 and d.quality.comparability
    words = " ".join(d.quality.comparability.split()[4:12])  # plain words from inside the text
    assert "*" not in words
    for target in ("ind", "impd"):
        text = " ".join(documents[("car-t", target)].split())
        assert text.count(str(escape(words))) == 1, (target, words)
        owner = "s-3-2-s-2-6" if target == "ind" else "s-s-2-6"
        assert f'<p class="see">See <a href="#{owner}' in text


def plain(html: str) -> str:
    """The text of an HTML document (tags dropped, entities resolved, spaces collapsed)."""
    return " ".join(unescape(re.sub(r"<[^>]+>", "", html)).split())


@pytest.mark.parametrize("name", example_names())
def test_the_safety_of_human_and_animal_materials_is_shown_once_in_the_adventitious_agents_appendix(documents, name):
    d = api.load(EXAMPLES / name).dossier
    controls = [m.safety for ds in d.quality.drug_substances for m in ds.materials if m.origin.value in ("human", "animal") and m.safety]
    for target in ("ind", "impd"):
        text = documents[(name, target)]
        appendix = "s-3-2-a-2" if target == "ind" else "s-a-2"
        heading = text.find(f'id="{appendix}"')
        applies = heading > 0 and 'class="not-applicable"' not in text[heading:heading + 300]
        for control in set(controls):
            n = sum(c == control for c in controls)
            # once in the appendix; where the appendix does not apply (an IMPD whose SmPC
            # replaces the quality data) there is no quality part to show it in
            assert plain(text).count(" ".join(control.split())) == (n if applies else 0), (target, control[:60])
        assert text.count(f'see <a href="#{appendix}">') == (len(controls) if applies else 0), target


def test_every_shared_fact_names_sections_of_its_pack_and_is_used_by_a_template():
    from dossier.packs import load_pack
    from dossier.resources import templates_dir

    used = "".join(p.read_text(encoding="utf-8") for p in templates_dir().rglob("*.j2"))
    for name in ("ind", "impd"):
        for f in load_pack(name).shared_facts:
            assert f'"{f.fact}"' in used, (name, f.fact)


def test_a_pack_naming_a_section_it_does_not_have_as_an_owner_is_refused():
    from dossier.errors import PackError
    from dossier.packs import _check_shared_facts, load_pack
    from dossier.packs.manifest import SharedFact

    pack = load_pack("ind")
    bad = pack.model_copy(update={"shared_facts": [SharedFact(fact="x", owner="9.9.9", referred_from=["2.5"], cite="test")]})
    with pytest.raises(PackError, match="9.9.9"):
        _check_shared_facts("ind", bad)
    twice = pack.model_copy(update={"shared_facts": [*pack.shared_facts, pack.shared_facts[0]]})
    with pytest.raises(PackError, match="declared twice"):
        _check_shared_facts("ind", twice)


def test_a_template_showing_an_undeclared_shared_fact_is_a_pack_error():
    from dossier.errors import PackError
    from dossier.packs import load_pack
    from dossier.packs.outline import build_outline
    from dossier.render.html import _owners

    d = api.load(EXAMPLES / "aav").dossier
    pack = load_pack("ind")
    outline = build_outline(pack, d)
    owner_of = _owners(pack, outline, {}, {n.anchor for r in outline for n in r.walk()})
    first = outline[0]
    assert owner_of("previous_human_experience", first).label == "2.5"
    with pytest.raises(PackError, match="not_a_fact"):
        owner_of("not_a_fact", first)


def test_a_section_build_without_the_owner_shows_the_fact_itself(tmp_path):
    d = api.load(EXAMPLES / "car-t").dossier
    out = tmp_path / "intro.html"
    api.build(EXAMPLES / "car-t", "ind", output=out, fmt="html", section="1.20")
    html = out.read_text(encoding="utf-8")
    words = " ".join(d.clinical.previous_human_experience.split()[-8:])  # plain words, no markup
    assert "*" not in words and words in plain(html) and 'href="#s-2-5"' not in html


@pytest.mark.parametrize("name", example_names())
def test_the_impd_particulars_point_to_the_cta_sections_instead_of_repeating_them(documents, name):
    d = api.load(EXAMPLES / name).dossier
    html = documents[(name, "impd")]
    front = html[html.index('id="fm-1"'):html.index('id="fm-2"')]
    assert 'see <a href="#s-cta-b">' in front and 'See <a href="#s-cta-h">' in front
    if d.eu.gmp_manufacturing_authorisation:
        gmp = " ".join(d.eu.gmp_manufacturing_authorisation.split())
        assert plain(html).count(gmp) == 1 and 'see <a href="#s-cta-f">' in front
    for a in d.eu.auxiliary_products:
        assert a.name not in plain(front)


@pytest.mark.parametrize("name", example_names())
def test_the_genetic_construct_is_shown_under_the_first_drug_substance_only(documents, name):
    d = api.load(EXAMPLES / name).dossier
    gm = d.product.genetic_modification
    if not (gm and (gm.vector or gm.car)):
        return
    for target in ("ind", "impd"):
        html = documents[(name, target)]
        shown = html.count("Genetic construct (product description)")
        owner = "s-3-2-s-1-2" if target == "ind" else "s-s-1-2"
        heading = html.find(f'id="{owner}"')
        if heading < 0 or 'class="not-applicable"' in html[heading:heading + 300]:
            continue  # an IMPD whose SmPC replaces the quality data
        assert shown == 1, (target, shown)
        assert html.count(f'Genetic construct: see <a href="#{owner}">') == len(d.quality.drug_substances) - 1, target
