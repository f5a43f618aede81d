"""Issue 17: tables a reviewer reads — batch results as a test × lot grid beside the acceptance
criterion, a column that says the same in every row said once, critical steps not repeated."""

from __future__ import annotations

import re

import pytest

from dossier import api
from dossier.model.quality import DrugProduct, Lot
from dossier.render.tables import batch_tables, constant
from tests.conftest import EXAMPLES


def _lot(lot_id, results):
    return Lot.model_validate({"id": lot_id, "material": "drug_product", "process_version": "1", "uses": ["clinical"], "results": [{"test": t, "result": r} for t, r in results]})


DP = DrugProduct.model_validate({
    "name": "P", "description": "d",
    "specification": [
        {"test": "Sterility", "category": "sterility", "method": "Ph. Eur. 2.6.27", "acceptance": "No growth"},
        {"test": "Viability", "category": "viability", "method": "flow", "acceptance": "≥ 70 %"},
    ],
})


def test_batch_results_are_a_grid_in_specification_order_with_the_criterion():
    lots = [_lot("L1", [("viability", "91 %"), ("Sterility", "No growth"), ("VCN", "1.2")]), _lot("L2", [("Viability", "88 %")]), _lot("L3", [])]
    (table,) = batch_tables(DP, lots)
    assert [lot.id for lot in table.lots] == ["L1", "L2"]  # a lot without results has no column
    assert [(r.test, r.acceptance, r.results) for r in table.rows] == [
        ("Sterility", "No growth", ["No growth", None]),
        ("Viability", "≥ 70 %", ["91 %", "88 %"]),
        ("VCN", None, ["1.2", None]),
    ]


def test_many_lots_are_split_into_tables_and_each_keeps_only_its_rows():
    lots = [_lot(f"L{i}", [("Viability", f"{80 + i} %")]) for i in range(1, 6)] + [_lot("L6", [("Sterility", "No growth")])]
    tables = batch_tables(DP, lots, per_table=4)
    assert [[lot.id for lot in t.lots] for t in tables] == [["L1", "L2", "L3", "L4"], ["L5", "L6"]]
    assert [r.test for r in tables[0].rows] == ["Viability"]
    assert [r.test for r in tables[1].rows] == ["Sterility", "Viability"]


def test_constant():
    assert constant([True, True]) == (True, True)
    assert constant([True, None]) == (False, True)
    assert constant([]) == (False, None)


@pytest.fixture(scope="module")
def car_t_p5(tmp_path_factory):
    out = tmp_path_factory.mktemp("p5") / "p5.html"
    api.build(EXAMPLES / "car-t", "ind", output=out, fmt="html", section="3.2.P.5")
    return out.read_text(encoding="utf-8")


def test_the_built_section_shows_the_grid_and_no_constant_column(car_t_p5):
    html = car_t_p5
    grid = html.split("Batch results", 1)[1].split("</table>", 1)[0]
    assert re.search(r'<th scope="row">Viable CAR\+ T-cell dose</th><td>80–120 %', grid)
    assert "KBT19-ENG-2511" in grid
    spec = html.split("<th>Test</th><th>Category</th>", 1)[1].split("</table>", 1)[0]
    assert "Stage tested" not in spec  # no test gives a stage
    assert "No sampling stage is given for any test." in html


def test_critical_steps_name_each_step_once(tmp_path):
    out = tmp_path / "s24.html"
    api.build(EXAMPLES / "car-t", "ind", output=out, fmt="html", section="3.2.P.3.4")
    html = out.read_text(encoding="utf-8")
    rows = re.findall(r'<td rowspan="(\d+)">([^<]+)</td>', html)
    assert rows, "critical steps with several controls span their rows"
    names = [name for _, name in rows if re.match(r"DP-\d", name)]
    assert names and len(names) == len(set(names))
    assert any(int(span) > 1 for span, _ in rows)


def test_a_long_schedule_is_split_evenly_with_windows_and_notes(tmp_path):
    """15 visits: two tables of 8 and 7 visits, each with only the assessments it marks; a visit
    window under its visit; assessment footnotes and schedule notes under the table."""
    import shutil

    import yaml

    folder = tmp_path / "hsc-lv"
    shutil.copytree(EXAMPLES / "hsc-lv", folder)
    path = folder / "dossier.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    soa = data["clinical"]["protocols"][0]["schedule_of_assessments"]
    assert len(soa["visits"]) == 15
    soa["windows"] = [{"visit": "Day 28", "window": "± 3 days"}]
    soa["assessments"][0]["note"] = "Assent from subjects aged 7 years or more."
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "p.html"
    api.build(path, "ind", output=out, fmt="html", section="5.3.5.2")
    html = out.read_text(encoding="utf-8")
    tables = re.findall(r'<table[^>]*class="data soa"[^>]*>(.*?)</table>', html, re.S)
    assert [t.count('<th scope="col">') - 1 for t in tables] == [8, 7]
    assert "Schedule of assessments (1 of 2: Screening to Day 42)" in html
    assert 'Day 28<br><span class="window">± 3 days</span>' in html
    assert '<sup class="fn">a</sup>' in tables[0] and "Assent from subjects aged 7 years or more." in html
    assert "weekly from discharge to Day 60" in html
    first_row_of_second = re.search(r"<tbody>\s*<tr><td>([^<]+)<", tables[1]).group(1)
    assert not first_row_of_second.startswith("Informed consent")  # done at Screening only: not in the second table
