"""Issue 16: each region's document speaks its region (in progress: EU Part I particulars)."""

from __future__ import annotations

import re
import shutil

import pytest

from dossier import api
from tests.conftest import EXAMPLES, rules_of


@pytest.fixture
def car_t(tmp_path):
    shutil.copytree(EXAMPLES / "car-t", tmp_path / "car-t")
    return tmp_path / "car-t" / "dossier.yaml"


def _remove_block(path, key: str) -> None:
    text, n = re.subn(rf"\n  {key}:\n(?:    .*\n|      .*\n)+", "\n", path.read_text(encoding="utf-8"), count=1)
    assert n == 1, key
    path.write_text(text, encoding="utf-8")


def test_a_us_sponsor_with_eu_sites_shows_its_legal_representative_and_qp_declarations(car_t, tmp_path):
    result = api.check(car_t, "impd")
    assert result.ok and not rules_of(result.findings) & {"IMPD-CTA-015", "IMPD-CTA-016"}
    out = tmp_path / "impd.html"
    api.build(car_t, "impd", output=out, fmt="html", section="CTA")
    html = out.read_text(encoding="utf-8")
    assert "Legal representative in the Union</th><td>Kestrel Bay Therapeutics B.V., Wilhelminakade 91, Rotterdam" in html
    assert "QP declarations of GMP equivalence" in html and "RCS-QPD-2026-014" in html


def test_without_its_legal_representative_a_sponsor_outside_the_eea_gets_a_finding(car_t):
    _remove_block(car_t, "legal_representative")
    found = [f for f in api.check(car_t, "impd").findings if f.rule == "IMPD-CTA-015"]
    assert [f.path for f in found] == ["eu.legal_representative"] and "Art 74" in found[0].citation


def test_without_qp_declarations_each_third_country_site_is_named(car_t):
    _remove_block(car_t, "qp_declarations")
    found = [f for f in api.check(car_t, "impd").findings if "IMPD-CTA-016" in (f.rule, *f.also)]
    assert "eu.qp_declarations" in {f.path for f in found}
    named = {f.message.split(" (US)")[0] for f in found if "(US)" in f.message}
    assert named == {"Aldermoor Viral Manufacturing, LLC", "Brightwater Biosafety Testing, Inc.", "Kestrel Bay Therapeutics, Inc. – Cell Therapy Manufacturing Facility"}


def test_a_declaration_that_leaves_out_a_site_names_that_site(car_t):
    text = car_t.read_text(encoding="utf-8").replace("        - Brightwater Biosafety Testing, Inc.\n", "", 1)
    car_t.write_text(text, encoding="utf-8")
    found = [f.message for f in api.check(car_t, "impd").findings if f.rule == "IMPD-CTA-016"]
    assert len(found) == 1 and found[0].startswith("Brightwater Biosafety Testing, Inc. (US)")


def test_an_eu_sponsor_with_eu_sites_is_asked_for_neither(tmp_path):
    result = api.check(EXAMPLES / "aav" / "dossier.yaml", "impd")
    assert not rules_of(result.findings) & {"IMPD-CTA-015", "IMPD-CTA-016"}
    assert api.load(EXAMPLES / "aav" / "dossier.yaml").dossier.eu.legal_representative is None


def test_an_imp_authorised_in_the_eu_needs_no_qp_declaration(car_t):
    _remove_block(car_t, "qp_declarations")
    text = car_t.read_text(encoding="utf-8").replace("\neu:\n", "\neu:\n  imp_authorised: true\n", 1)
    car_t.write_text(text, encoding="utf-8")
    assert "IMPD-CTA-016" not in rules_of(api.check(car_t, "impd").findings)


def test_a_commercial_ind_needs_its_pre_assigned_number(car_t):
    text = car_t.read_text(encoding="utf-8")
    assert '  ind_number: "031544"' in text
    car_t.write_text(re.sub(r'\n  ind_number: "031544".*', "", text), encoding="utf-8")
    found = [f for f in api.check(car_t, "ind").findings if f.rule == "IND-FORM-012"]
    assert [f.path for f in found] == ["us.ind_number"] and "SOPP 8117" in found[0].citation
    # a research IND is not asked; an IND whose category is not stated is told why it may be
    car_t.write_text(car_t.read_text(encoding="utf-8").replace("  ind_category: commercial", "  ind_category: research"), encoding="utf-8")
    assert not [f for f in api.check(car_t, "ind").findings if f.rule == "IND-FORM-012"]
    car_t.write_text(car_t.read_text(encoding="utf-8").replace("  ind_category: research\n", ""), encoding="utf-8")
    undecided = [f for f in api.check(car_t, "ind").findings if f.rule == "IND-FORM-012"]
    assert undecided and all("us.ind_category is not stated" in f.message for f in undecided)


# --- text per region and the bleed-through rule ---------------------------------------------


def _set_block(path, key: str, indent: str, block: str) -> None:
    """Replace the YAML block `key:` at `indent` with `block` (already indented)."""
    text = path.read_text(encoding="utf-8")
    text, n = re.subn(rf"\n{indent}{key}:.*\n(?:{indent}  .*\n|\s*\n)+", "\n" + block, text, count=1)
    assert n == 1, key
    path.write_text(text, encoding="utf-8")


def test_text_given_per_region_shows_each_region_only_its_own(car_t, tmp_path):
    for target, section, own, other in (("impd", "CTA-F", "imported by Rhenvale Clinical Supply", "21 CFR 211.22"), ("ind", "3.2.R", "21 CFR 211.22", "Rhenvale Clinical Supply")):
        out = tmp_path / f"{target}.html"
        api.build(car_t, target, output=out, fmt="html", section=section)
        html = out.read_text(encoding="utf-8")
        assert own in html and other not in html, target


def test_every_example_passes_the_bleed_through_rule():
    for example in sorted(EXAMPLES.iterdir()):
        result = api.check(example / "dossier.yaml")
        found = [f"{f.rule} {f.path}: {f.message}" for f in result.findings if f.rule in {"IND-REG-001", "IMPD-REG-001"}]
        assert not found, example.name


def test_a_us_statement_in_an_eu_only_field_is_found_where_it_is_written(car_t):
    _set_block(car_t, "traceability", "  ", "  traceability: |\n    Deviations are reported to FDA in an information amendment within 15 days.\n")
    found = [f for f in api.check(car_t, "impd").findings if f.rule == "IMPD-REG-001"]
    assert [f.path for f in found] == ["eu.traceability"]
    assert "commitment addressed to FDA" in found[0].message and found[0].location.line > 1


def test_a_us_statement_in_the_eu_variant_is_found_at_the_variant(car_t):
    text = car_t.read_text(encoding="utf-8").replace("      KBT-1901 is imported by Rhenvale", "      Each lot is released under 21 CFR 211.22. KBT-1901 is imported by Rhenvale", 1)
    car_t.write_text(text, encoding="utf-8")
    found = [f for f in api.check(car_t, "impd").findings if f.rule == "IMPD-REG-001"]
    assert [f.path for f in found] == ["quality.regional_information.eu"]
    lines = car_t.read_text(encoding="utf-8").splitlines()
    at = found[0].location.line - 1
    assert lines[at].strip() == "eu: |" and "Each lot is released under 21 CFR 211.22" in lines[at + 1]
    assert not [f for f in api.check(car_t, "ind").findings if f.rule == "IND-REG-001" and "regional_information" in f.path]


def test_a_label_for_one_region_is_not_checked_or_shown_in_the_other(car_t, tmp_path):
    result = api.check(car_t, "impd")
    assert not [f for f in result.findings if f.rule == "IMPD-REG-001" and f.path.startswith("labels")]
    out = tmp_path / "impd.html"
    api.build(car_t, "impd", output=out, fmt="html", section="CTA-J")
    html = out.read_text(encoding="utf-8")
    assert "EU CT 2026-512345-21-00" in html and "Limited by Federal" not in html


def test_template_text_is_in_the_packs_language_and_the_sponsors_text_as_written():
    from dossier.render.env import make_env

    source = '<p title="Labelling">Characterisation of {{ x }}; {{ "Organisation" }}; {{ "bias_minimisation" }}</p>'
    us = make_env("%-d %B %Y", "en-US").from_string(source).render(x="the characterisation batch")
    gb = make_env("%-d %B %Y", "en-GB").from_string(source).render(x="the characterisation batch")
    assert us == '<p title="Labeling">Characterization of the characterisation batch; Organization; bias_minimisation</p>'
    assert gb == '<p title="Labelling">Characterisation of the characterisation batch; Organisation; bias_minimisation</p>'


@pytest.mark.parametrize("target,language", [("ind", "en-US"), ("impd", "en-GB")])
def test_each_document_declares_its_language(car_t, tmp_path, target, language):
    out = tmp_path / f"{target}.html"
    api.build(car_t, target, output=out, fmt="html", section="3.2.P.1" if target == "ind" else "P")
    assert f'<html lang="{language}">' in out.read_text(encoding="utf-8")


def test_an_ex_vivo_vector_is_headed_a_starting_material_in_the_impd_only(car_t, tmp_path):
    def h2(target):
        out = tmp_path / f"{target}.html"
        api.build(car_t, target, output=out, fmt="html")
        return [re.sub("<[^>]+>", "", h) for h in re.findall(r"<h2 id=\"[^\"]*\">(.*?)</h2>", out.read_text(encoding="utf-8"))]

    vector = "LV-KBT19 lentiviral vector (anti-CD19 CAR)"
    impd = h2("impd")
    assert f"S Starting material (vector, with active-substance-level information) — {vector}" in impd
    assert any(h.startswith("S Active substance — KBT-1901") for h in impd)  # the cells stay the active substance
    assert f"3.2.S Drug substance — {vector}" in h2("ind")
    _edit(car_t, f"      name: {vector}\n      kind: vector\n", f"      name: {vector}\n")
    assert f"S Active substance — {vector}" in h2("impd")  # the kind not stated: no heading is derived


# --- US and EU particulars the facts call for -----------------------------------------------


def _edit(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_protocol_enrolling_children_needs_its_subpart_d_safeguards(car_t, tmp_path):
    protocol = car_t.parent / "clinical" / "protocol-kbt19-101.yaml"  # the protocol is an included file
    assert not rules_of(api.check(car_t, "ind").findings) & {"IND-PROT-014"}  # adults only
    _edit(protocol, "min_age_years: 18", "min_age_years: 12")
    found = [f for f in api.check(car_t, "ind").findings if f.rule == "IND-PROT-014"]
    assert [f.path for f in found] == ["clinical.protocols[0].children_safeguards"] and "Subpart D" in found[0].citation
    assert found[0].location.file.endswith("protocol-kbt19-101.yaml")
    protocol.write_text(protocol.read_text(encoding="utf-8") + "children_safeguards: |\n  Greater than minimal risk with the prospect of direct benefit (21 CFR 50.52).\n", encoding="utf-8")
    assert not rules_of(api.check(car_t, "ind").findings) & {"IND-PROT-014"}
    out = tmp_path / "ind.html"
    api.build(car_t, "ind", output=out, fmt="html", section="5.3.5.2-c")
    assert "Additional safeguards for children" in out.read_text(encoding="utf-8")


def test_eu_sites_need_the_ind_to_say_whether_they_are_under_it(car_t, tmp_path):
    out = tmp_path / "ind.html"
    api.build(car_t, "ind", output=out, fmt="html", section="1.1-1572")
    assert "Sites outside the United States" in out.read_text(encoding="utf-8")
    _remove_block(car_t, "foreign_sites")
    found = [f for f in api.check(car_t, "ind").findings if f.rule == "IND-FORM-013"]
    assert [f.path for f in found] == ["us.foreign_sites"] and "312.120" in found[0].citation


def test_fda_meetings_are_shown_with_fdas_advice_and_the_response(car_t, tmp_path):
    out = tmp_path / "ind.html"
    api.build(car_t, "ind", output=out, fmt="html", section="1.6")
    html = out.read_text(encoding="utf-8")
    assert "1.6</span> Meetings" in html and "FDA advice" in html and "Sponsor's response" in html
    _remove_block(car_t, "meetings")
    api.build(car_t, "ind", output=out, fmt="html", section="1.6", draft=True)
    assert '<p class="none">No meeting' not in out.read_text(encoding="utf-8")  # left out is not "none"


def test_the_rsi_is_content_and_a_first_in_human_trial_expects_no_serious_reaction(car_t, tmp_path):
    out = tmp_path / "impd.html"
    api.build(car_t, "impd", output=out, fmt="html", section="CTA-E")
    html = out.read_text(encoding="utf-8")
    assert "RSI version" in html
    _remove_block(car_t.parent / "dossier.yaml", "    rsi") if False else None
    text = car_t.read_text(encoding="utf-8")
    text = re.sub(r"(\n    rsi:\n(?:      .*\n)*?      expected_serious_adverse_reactions:)(?:\n        - .*)+|(\n    rsi:\n(?:      .*\n)*?      expected_serious_adverse_reactions:) \[\]", lambda m: (m.group(1) or m.group(2)) + " []", text, count=1)
    car_t.write_text(text, encoding="utf-8")
    api.build(car_t, "impd", output=out, fmt="html", section="CTA-E")
    assert "No serious adverse reaction is expected" in out.read_text(encoding="utf-8")


def test_the_impd_is_prefaced_by_its_glossary(car_t, tmp_path):
    out = tmp_path / "impd.html"
    api.build(car_t, "impd", output=out, fmt="html")
    html = out.read_text(encoding="utf-8")
    glossary = html[html.index('class="data glossary"'):]
    terms = re.findall(r"<tr><td>([^<]+)</td>", glossary[: glossary.index("</table>")])
    assert len(terms) >= 10 and terms == sorted(terms, key=str.lower)
    assert not rules_of(api.check(car_t, "impd").findings) & {"IMPD-GEN-001"}
    _remove_block(car_t, "glossary") if "\nglossary:\n" not in car_t.read_text(encoding="utf-8") else _edit(car_t, "\nglossary:\n", "\nx_glossary_removed:\n")


def _headings(path) -> list[str]:
    return [re.sub("<[^>]+>", "", h) for _, h in re.findall(r"<(h\d) id=\"[^\"]*\">(.*?)</\1>", path.read_text(encoding="utf-8"))]


def test_an_added_protocol_heading_that_does_not_apply_is_left_out_of_the_ind(tmp_path):
    """Surgical administration is a heading the tool adds for surgically given products; the IND
    of an intravenous product does not carry it as 'not applicable'."""
    for example, surgical in (("car-t", False), ("catmp-membrane", True)):
        out = tmp_path / f"{example}.html"
        api.build(EXAMPLES / example / "dossier.yaml", "ind", output=out, fmt="html", section="5.3.5.2")
        assert ("Surgical administration" in _headings(out)) is surgical, example


def test_the_ind_cites_no_eu_guidance_for_its_own_headings():
    from dossier.packs import load_pack
    from dossier.packs.manifest import sources

    def walk(sections):
        for s in sections:
            yield s
            yield from walk(s.sections)

    for section in walk(load_pack("ind").sections):
        cites = [c for _, c, _ in sources(section.cite, None)] + [c for r in section.requires for _, c, _ in sources(r.cite, r.basis)]
        assert not [c for c in cites if re.search(r"EC Guidelines|Regulation \(EU\)|Directive 20|EudraLex|EMA/", c)], section.id


def test_clinical_lots_that_expire_before_enrolment_ends_are_found_at_the_lot(tmp_path):
    shutil.copytree(EXAMPLES / "aav", tmp_path / "aav")
    path = tmp_path / "aav" / "dossier.yaml"
    assert not rules_of(api.check(path, "ind").findings) & {"IND-CMC-021"}
    _edit(path, "enrolment_period: {start: 2027-01-11, end: 2028-03-31}", "enrolment_period: {start: 2027-01-11, end: 2028-09-30}")
    [found] = [f for f in api.check(path, "ind").findings if f.rule == "IND-CMC-021"]
    assert found.path.endswith("expiry_date") and "2028-05-18" in found.message and "312.23(a)(7)(ii)" in found.citation
    assert "expiry_date: 2028-05-18" in path.read_text(encoding="utf-8").splitlines()[found.location.line - 1]


def test_eu_labels_map_each_annex_vi_particular_to_their_words(car_t, tmp_path):
    out = tmp_path / "impd.html"
    api.build(car_t, "impd", output=out, fmt="html", section="CTA-J")
    html = out.read_text(encoding="utf-8")
    assert html.count("Annex VI A.1 particulars on this label") == 2  # the two EU labels; the US ones are not shown
    assert "(i) &#34;For clinical trial use only&#34; or similar wording." in html or '(i) "For clinical trial use only" or similar wording.' in html
    text = car_t.read_text(encoding="utf-8")
    mapped = re.search(r"\n( +)i_clinical_trial_use: \{text: \"?([^\"}]+)\"?\}", text)
    assert mapped, "the car-t EU labels map (i)"
    car_t.write_text(text.replace(mapped.group(0), f"\n{mapped.group(1)}i_clinical_trial_use: {{text: \"Nur zur klinischen Prüfung\"}}", 1), encoding="utf-8")
    found = [f for f in api.check(car_t, "impd").findings if f.rule == "IMPD-LBL-001"]
    assert len(found) == 1 and found[0].path.endswith("annex_vi.i_clinical_trial_use.text")
    assert "Nur zur klinischen Prüfung" in found[0].message and "Annex VI" in found[0].citation
