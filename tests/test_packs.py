"""Meta-tests over the pack data: every section, requirement and rule is well formed and sourced."""

from __future__ import annotations

import re

import pytest

from dossier import factpath, facts
from dossier.model import Dossier
from dossier.packs import available, load_pack
from dossier.packs.manifest import Verification, sources
from dossier.render.env import make_env
from dossier.resources import templates_dir
from dossier.rules.kinds import REGISTRY

PACKS = available()


def walk(sections, parents=()):
    for s in sections:
        yield s, parents
        yield from walk(s.sections, parents + (s,))


def test_both_packs_are_discovered():
    assert PACKS == ["impd", "ind"]


@pytest.mark.parametrize("name", PACKS)
def test_section_ids_unique_and_nesting_at_most_four_levels(name):
    pack = load_pack(name)
    ids = [s.id for s, _ in walk(pack.sections)]
    assert len(ids) == len(set(ids)), [i for i in ids if ids.count(i) > 1]
    assert max(len(parents) for _, parents in walk(pack.sections)) + 1 <= 4


@pytest.mark.parametrize("name", PACKS)
def test_every_template_exists_and_compiles(name):
    pack = load_pack(name)
    env = make_env()
    names = [s.template for s, _ in walk(pack.sections) if s.template] + [f.template for f in pack.front_matter]
    names += [f"{name}/title_facts.html.j2"]
    for t in names:
        assert (templates_dir() / t).is_file(), t
        env.get_template(t)


@pytest.mark.parametrize("name", PACKS)
def test_every_requirement_cites_a_source_and_resolves_against_the_model(name):
    pack = load_pack(name)
    empty = Dossier.model_construct()
    for section, parents in walk(pack.sections):
        for req in section.requires:
            for when, cite, _ in sources(req.cite, req.basis):
                assert cite.strip(), f"{section.id}: {req.path} has no citation"
                assert re.search(r"CFR|Regulation|Directive|[Gg]uid|ICH|EMA|U\.S\.C|Form|FDA", cite), cite
                assert all(c.lstrip("!") in facts.CONDITIONS for c in when), when
            for cond in req.when:
                assert facts.is_condition(cond), cond
                if cond.lstrip("!") in facts.ITEM_CONDITIONS:  # asked of a repeated section's item, or of each item of the list the path runs through
                    assert any(p.repeat for p in (*parents, section)) or "[]" in req.path, f"{section.id}: {cond} outside a repeated section and not on a path through a list"
            relative, path = factpath.split_relative(req.path)
            if relative:
                assert any(p.repeat for p in (*parents, section)), f"{section.id}: relative path outside a repeated section"
            else:
                _assert_path_in_model(Dossier, path)
        for cond in section.when:
            assert facts.is_condition(cond), cond


def _assert_path_in_model(model, path):
    import typing

    from pydantic import BaseModel

    current = model
    for name, _each in factpath.parse(path):
        assert name in current.model_fields, f"{path}: {current.__name__} has no {name}"
        ann = current.model_fields[name].annotation
        nxt = None
        for arg in [ann, *typing.get_args(ann)]:
            for inner in [arg, *typing.get_args(arg)]:
                if isinstance(inner, type) and issubclass(inner, BaseModel):
                    nxt = inner
        current = nxt or current
    return True


@pytest.mark.parametrize("name", PACKS)
def test_unverified_requirements_are_never_errors(name):
    """REFERENCE.md §0.1: rows tagged [R] stay warnings until a human checks the source."""
    pack = load_pack(name)
    for section, _ in walk(pack.sections):
        for req in section.requires:
            if req.basis.value == "R":
                assert req.severity.name != "ERROR", (section.id, req.path)
    for rule in pack.rules:
        if rule.basis.value == "R":
            assert rule.severity.name != "ERROR", rule.id


def test_rule_instances_unique_well_formed_cited_and_registered():
    seen = set()
    for name in PACKS:
        pack = load_pack(name)
        for rule in pack.rules:
            assert rule.id not in seen
            seen.add(rule.id)
            assert rule.id.startswith(pack.rule_prefix + "-")
            assert rule.use in REGISTRY, rule.use
            for when, cite, _ in sources(rule.cite, rule.basis):
                assert cite.strip() and all(c.lstrip("!") in facts.CONDITIONS for c in when), rule.id
            for cond in rule.when:
                assert cond.lstrip("!") in facts.CONDITIONS


def test_every_rule_kind_is_documented_with_examples():
    for kind, module in REGISTRY.items():
        doc = module.__doc__ or ""
        assert doc.startswith(kind), kind
        assert "Passes:" in doc and "Fails:" in doc, kind


def test_aliases_point_at_existing_sections():
    for name in PACKS:
        pack = load_pack(name)
        ids = {s.id for s, _ in walk(pack.sections)}
        for alias, targets in pack.aliases.items():
            assert set(targets) <= ids, (alias, set(targets) - ids)
            assert alias in pack.alias_titles


def test_ind_covers_every_312_23_a_item():
    pack = load_pack("ind")
    cited = " ".join(cite for s, _ in walk(pack.sections) for _, cite, _ in sources(s.cite, Verification.verified))
    for item in ("(a)(1)", "(a)(3)", "(a)(5)", "(a)(6)", "(a)(7)", "(a)(8)", "(a)(9)", "(a)(10)"):
        assert f"312.23{item}" in cited, item


def test_ind_cross_reference_lists_every_312_23_item_in_order():
    pack = load_pack("ind")
    items = [row.item for row in pack.cross_reference]
    expected = [f"312.23(a)({n})" for n in range(1, 12)]
    assert [i for i in items if i.startswith("312.23(a)")] == expected
    ids = {s.id for s, _ in walk(pack.sections)} | {"toc"}
    for row in pack.cross_reference:
        assert set(row.sections) <= ids, row.item
        assert row.sections or row.note, row.item


def test_requirement_ids_use_the_pack_prefix():
    for name in PACKS:
        pack = load_pack(name)
        for section, _ in walk(pack.sections):
            for req in section.requires:
                assert req.id.startswith(pack.rule_prefix + "-"), (section.id, req.id)


def test_fact_map_covers_shared_quality_facts_and_is_committed():
    from dossier.packs.factmap import as_markdown, fact_map
    from tests.conftest import ROOT

    table = fact_map()
    assert set(table["quality.drug_substances[].specification"]) == {"ind", "impd"}
    assert table["quality.drug_substances[].specification"]["ind"] == ["3.2.S.4.1"]
    assert table["quality.drug_substances[].specification"]["impd"] == ["S.4.1"]
    assert "impd" not in table["us.commitments.irb_review"]
    assert (ROOT / "docs" / "fact-map.md").read_text(encoding="utf-8") == as_markdown(), "run: dossier map -o docs/fact-map.md"


def test_every_condition_says_in_words_when_it_holds():
    for name, fn in {**facts.CONDITIONS, **facts.ITEM_CONDITIONS}.items():
        assert fn.__doc__ and fn.__doc__.strip()[0].islower(), name


# Fields the templates print through Python formatting (Address.one_line(), Duration and
# TemperatureRange and Dose __str__) or that are not document content (schema version; waivers
# are printed from the findings they cover).
_RENDERED_INDIRECTLY = {
    "Dossier.schema_version", "Dossier.waivers", "Waiver.approved_by",
    "Address.lines", "Address.city", "Address.region", "Address.postal_code",
    "Duration.unit", "TemperatureRange.max", "TemperatureRange.unit", "Dose.cap",
    "Dose.up_to", "Volume.value", "Volume.up_to", "Volume.unit", "WeightBand.above_kg", "WeightBand.dose", "DoseLevel.weight_bands",  # Dose.amount(), Volume.__str__, DoseLevel.dose_text()
    "ParameterRange.min", "ParameterRange.max", "ParameterRange.target", "ParameterRange.unit",  # ParameterRange.__str__
    "Product.proper_name_suffix",  # Product.nonproprietary_name()
    "Source.locator",  # Source.__str__
    "SequentialAdministration.min_interval", "SequentialAdministration.max_interval",  # SequentialAdministration.__str__
    "StabilitySeries.time_unit", "StabilitySeries.lower_limit", "StabilitySeries.upper_limit",  # drawn by render/figures.plot_svg
    # the Annex VI particulars of a label are printed by iterating AnnexVI's fields (labels.html.j2)
    *(f"AnnexVI.{name}" for name in ("a_main_contact", "b_substance_strength", "c_form_route_quantity", "d_batch", "e_trial_reference", "f_subject_number", "g_investigator", "h_directions", "i_clinical_trial_use", "j_storage", "k_period_of_use", "l_keep_out_of_reach")),
}


def test_every_fact_of_the_model_is_used_by_a_template_or_a_pack():
    """A field no template prints and no pack requires is a fact the writer enters for nothing
    (found this way: mechanism_of_action, positive_culture_plan, testing_sites were never printed)."""
    import re
    import typing

    from pydantic import BaseModel

    from dossier.model import Dossier
    from dossier.resources import templates_dir

    root = templates_dir()
    text = "\n".join(p.read_text(encoding="utf-8") for p in root.rglob("*") if p.suffix in {".j2", ".yaml"} and "starters" not in p.parts)
    seen, unused = set(), []

    def walk(model):
        if model in seen:
            return
        seen.add(model)
        for name, field in model.model_fields.items():
            if not re.search(rf"\b{name}\b", text) and f"{model.__name__}.{name}" not in _RENDERED_INDIRECTLY:
                unused.append(f"{model.__name__}.{name}")
            stack = [field.annotation]
            while stack:
                t = stack.pop()
                stack.extend(typing.get_args(t))
                if isinstance(t, type) and issubclass(t, BaseModel):
                    walk(t)

    walk(Dossier)
    assert unused == []
