"""Issue 17: figures drawn from the data — a manufacturing flow per process, a trial schema per
protocol with periods, a stability plot per numeric series — numbered through the document,
captioned, listed after the contents with their pages, bookmarked under their section and the
same to the byte on every build."""

from __future__ import annotations

import json
import re
import shutil

import pikepdf
import pypdf
import pytest
import yaml

from dossier import api
from dossier.model.quality import StabilitySeries
from dossier.render.figures import inputs_by_step, plot_svg
from tests.conftest import EXAMPLES
from tests.golden.snapshot import example_names

SERIES = {
    "attribute": "Viability (post-thaw)", "unit": "%", "time_unit": "months", "lower_limit": 70,
    "points": [
        {"time": 0, "value": 92.1, "lot": "ENG-2511"}, {"time": 3, "value": 90.4, "lot": "ENG-2511"}, {"time": 6, "value": 89.8, "lot": "ENG-2511"},
        {"time": 0, "value": 90.0, "lot": "ENG-2512"}, {"time": 3, "value": 88.7, "lot": "ENG-2512"},
    ],
}
PERIODS = [
    {"name": "Screening", "duration": {"value": 28, "unit": "days"}},
    {"name": "Leukapheresis and manufacture", "duration": {"value": 3, "unit": "weeks"}},
    {"name": "Lymphodepletion", "duration": {"value": 3, "unit": "days"}, "description": "fludarabine and cyclophosphamide, Days −5 to −3"},
    {"name": "Infusion and DLT window", "duration": {"value": 28, "unit": "days"}},
    {"name": "Follow-up", "duration": {"value": 24, "unit": "months"}},
]


def test_the_plot_is_deterministic_and_shows_lots_limits_and_units():
    series = StabilitySeries.model_validate(SERIES)
    svg = str(plot_svg(series))
    assert svg == str(plot_svg(StabilitySeries.model_validate(SERIES)))
    assert "lower limit 70" in svg and 'stroke-dasharray="5 3"' in svg
    assert "Time (months)" in svg and "Viability (post-thaw) (%)" in svg
    assert "ENG-2511" in svg and "ENG-2512" in svg
    assert svg.count("<circle") == 3 + 1 and svg.count("<rect") >= 2 + 1  # one shape per lot, and its legend entry
    assert "<script" not in svg and "href" not in svg


def test_materials_enter_the_flow_at_the_step_the_yaml_names():
    d = api.load(EXAMPLES / "car-t").dossier
    vector = d.quality.drug_substances[0]
    inputs = inputs_by_step(vector, vector.process)
    names = {step: [n for n, _ in mats] for step, mats in inputs.items()}
    assert any("HEK293T working cell bank" in n for n in names["1"])
    assert any(ref == "1–3" for _, ref in inputs["1"])  # a range enters at its first step
    placed = sum(len(v) for v in inputs.values())
    assert placed == sum(1 for m in vector.materials if m.step and (m.step in {s.step for s in vector.process.steps} or m.step.split("–")[0] in {s.step for s in vector.process.steps}))


@pytest.fixture(scope="module")
def car_t_with_data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fig") / "car-t"
    shutil.copytree(EXAMPLES / "car-t", folder)
    path = folder / "dossier.yaml"
    text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    # the example keeps its protocols in included files; add the periods to the included protocol
    protocol_ref = data["clinical"]["protocols"][0]
    protocol_file = folder / protocol_ref["include"]
    protocol = yaml.safe_load(protocol_file.read_text(encoding="utf-8"))
    protocol["periods"] = PERIODS
    protocol_file.write_text(yaml.safe_dump(protocol, sort_keys=False, allow_unicode=True), encoding="utf-8")
    studies = data["quality"]["drug_product"]["stability"]["studies"]
    studies[0]["data"] = [SERIES]
    data["clinical"]["protocols"][0] = protocol_ref
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    out = folder.parent / "ind.pdf"
    api.build(path, "ind", output=out)
    return out


def _outline(pdf_path):
    pdf = pikepdf.open(pdf_path)
    rows = []

    def walk(items, parent):
        for item in items:
            page = pikepdf.Page(item.destination[0]) if isinstance(item.destination, pikepdf.Array) else None
            rows.append((parent, item.title, pdf.pages.index(page) + 1 if page is not None else None))
            walk(item.children, item.title)

    with pdf.open_outline() as outline:
        walk(outline.root, None)
    return rows


def _depths(pdf_path) -> list[int]:
    depths = []

    def walk(items, depth):
        for item in items:
            depths.append(depth)
            walk(item.children, depth + 1)

    with pikepdf.open(pdf_path) as pdf, pdf.open_outline() as outline:
        walk(outline.root, 1)
    return depths


def test_every_figure_is_numbered_listed_and_bookmarked_under_its_section(car_t_with_data):
    reader = pypdf.PdfReader(car_t_with_data)
    pages = [page.extract_text() for page in reader.pages]
    text = "\n".join(pages)
    captions = re.findall(r"^(Figure \d+)\. (Manufacturing process flow|Trial schema|Stability)", text, re.M)
    kinds = [k for _, k in captions]
    assert kinds.count("Manufacturing process flow") >= 2 * 3  # listed and drawn: two substances and the product
    assert "Trial schema" in kinds and "Stability" in kinds
    numbers = sorted({int(n.split()[1]) for n, _ in captions})
    assert numbers == list(range(1, len(numbers) + 1))
    rows = _outline(car_t_with_data)
    # a figure's section: its parent, or (for a level-4 section, FDA's deepest bookmark level) the
    # section bookmarked just before it
    figures = []
    for i, (parent, title, page) in enumerate(rows):
        if title.startswith("Figure "):
            before = next(t for _, t, _ in reversed(rows[:i]) if not t.startswith("Figure "))
            figures.append((f"{parent} / {before}", title, page))
    assert len(figures) == len(numbers)
    assert max(_depths(car_t_with_data)) <= 4
    listing = text.split("List of figures", 1)[1]
    for parent, title, page in figures:
        assert title.split(".")[0] + "." in pages[page - 1], (title, page)  # the bookmark goes to the figure's page
        assert re.search(re.escape(title.split(".")[0]) + r"\..*?(\d+)\s*$", listing, re.M | re.S)
        if "process flow" in title:
            assert "Description of manufacturing process" in parent
        if "Trial schema" in title:
            assert "design" in parent.lower()
        if "Stability" in title:
            assert "Stability data" in parent or "stability data" in parent.lower()


def test_figures_are_the_same_on_every_build(car_t_with_data, tmp_path):
    again = tmp_path / "again.pdf"
    path = car_t_with_data.parent / "car-t" / "dossier.yaml"
    api.build(path, "ind", output=again, use_cache=False)
    assert again.read_bytes() == car_t_with_data.read_bytes()


def test_large_values_print_as_powers_of_ten_and_a_long_label_takes_two_lines():
    series = StabilitySeries.model_validate({
        "attribute": "Infectious titre of the lentiviral vector after thaw", "unit": "TU/mL", "time_unit": "months",
        "lower_limit": 1.0e9, "points": [{"time": 0, "value": 3.1e9, "lot": "LV412-G-2506"}, {"time": 12, "value": 2.8e9, "lot": "LV412-G-2506"}],
    })
    svg = str(plot_svg(series))
    assert "e+0" not in svg and "lower limit 1.0 × 10⁹" in svg
    assert svg.count('transform="rotate(-90') == 2 and "(× 10⁹ TU/mL)" in svg
    assert ">3<" in svg or ">3.5<" in svg or ">2.5<" in svg  # ticks in units of the power of ten


@pytest.mark.parametrize("lo,hi", [(0, 9), (75.3, 97.7), (0, 1), (63.1, 92.2), (0, 24), (1e9, 4.2e9), (-3, 2.5)])
def test_the_axis_covers_every_value(lo, hi):
    from dossier.render.figures import _nice_ticks

    ticks = _nice_ticks(lo, hi)
    assert ticks[0] <= lo and ticks[-1] >= hi and 3 <= len(ticks) <= 12


def _png(width: int = 4, height: int = 3) -> bytes:
    import struct
    import zlib

    raw = b"".join(b"\x00" + b"\x00\x00\xff" * width for _ in range(height))
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="60"><rect x="1" y="1" width="198" height="58" fill="none" stroke="#000"/><text x="10" y="35">LV-KBT19 transfer plasmid</text></svg>'


@pytest.fixture
def aav_with_figures(tmp_path):
    folder = tmp_path / "aav"
    shutil.copytree(EXAMPLES / "aav", folder)
    (folder / "figures").mkdir()
    (folder / "figures" / "map.svg").write_text(SVG, encoding="utf-8")
    (folder / "figures" / "flow.png").write_bytes(_png())
    path = folder / "dossier.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    ds = data["quality"]["drug_substances"][0]
    ds["figures"] = [{"file": "figures/map.svg", "caption": "Map of the transgene cassette", "sources": [{"citation": "Plasmid map PM-201 v2"}]}]
    ds["process"]["figures"] = [{"file": "figures/flow.png", "caption": "Manufacturing suite layout"}]
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def test_supplied_figures_are_embedded_numbered_and_listed(aav_with_figures, tmp_path):
    out = tmp_path / "s.pdf"
    result = api.build(aav_with_figures, "ind", output=out, section="3.2.S")
    assert result.output == out, [f.message for f in result.check.findings if f.severity.name == "ERROR"]
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(out).pages)
    assert "Map of the transgene cassette" in text and "Manufacturing suite layout" in text
    assert "LV-KBT19 transfer plasmid" in text  # the SVG's text stays text
    assert "Source: Plasmid map PM-201 v2" in text
    pdf = pikepdf.open(out)
    images = [x for page in pdf.pages for x in page.get_images().values()]
    assert images, "the PNG is an image of the page"
    figures = [title for _, title, _ in _outline(out) if title.startswith("Figure ")]
    assert any("Map of the transgene cassette" in t for t in figures) and any("Manufacturing suite layout" in t for t in figures)
    manifest = json.loads(out.with_name(out.name + ".manifest.json").read_text(encoding="utf-8"))
    assert {"figures/map.svg", "figures/flow.png"} <= {e["path"].split("aav/")[-1] for e in manifest["inputs"] if e["role"] == "figure"}


@pytest.mark.parametrize("content,expected", [
    (SVG.replace("<rect", '<script>alert(1)</script><rect'), "<script>"),
    (SVG.replace("<rect", '<image href="file:///etc/passwd" width="1" height="1"/><rect'), "outside the file"),
    (SVG.replace("<rect", '<rect style="fill: url(https://example.org/x)"/><rect'), "in a style"),
    (SVG.replace("<rect", '<rect onload="x()"/><rect'), "event handler"),
    ('<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]>' + SVG, "DTD or entities"),
    ("<html><body>not svg</body></html>", "not an SVG document"),
    ("GIF89a....", "not well-formed"),
])
def test_an_unsafe_svg_is_refused_where_it_is_named(aav_with_figures, content, expected):
    (aav_with_figures.parent / "figures" / "map.svg").write_text(content, encoding="utf-8")
    found = [f for f in api.load(aav_with_figures).findings if f.rule == "FIG-FILE"]
    assert len(found) == 1 and expected in found[0].message, [f.message for f in found]
    assert found[0].path == "quality.drug_substances[0].figures[0].file" and found[0].location.line > 0


def test_a_png_that_is_not_one_or_a_file_outside_the_folder_is_refused(aav_with_figures, tmp_path):
    (aav_with_figures.parent / "figures" / "flow.png").write_bytes(b"GIF89a" + b"\x00" * 40)
    assert any(f.rule == "FIG-FILE" and "not a PNG" in f.message for f in api.load(aav_with_figures).findings)
    text = aav_with_figures.read_text(encoding="utf-8").replace("figures/flow.png", "../../outside.png")
    (tmp_path / "outside.png").write_bytes(_png())
    aav_with_figures.write_text(text, encoding="utf-8")
    assert any(f.rule == "FIG-FILE" and ("leaves the dossier" in f.message or "does not exist" in f.message) for f in api.load(aav_with_figures).findings)


def test_an_output_never_replaces_a_figure(aav_with_figures):
    from typer.testing import CliRunner

    from dossier.cli import app

    target = aav_with_figures.parent / "figures" / "flow.png"
    before = target.read_bytes()
    result = CliRunner().invoke(app, ["check", str(aav_with_figures), "-o", str(target)])
    assert result.exit_code != 0 and target.read_bytes() == before


@pytest.mark.parametrize("name", example_names())
def test_every_drug_substance_and_drug_product_of_every_example_has_its_flow(built, name):
    """Done when of issue 17: each example's documents carry a flow figure for each drug substance
    and the drug product (an IMPD that gives the SmPC in place of quality data has none)."""
    from dossier import facts

    d = api.load(EXAMPLES / name).dossier
    items = [x for x in [*d.quality.drug_substances, d.quality.drug_product] if x is not None]
    assert all(x.process and x.process.steps for x in items), "every bundled example describes its processes step by step"
    for target in ("ind", "impd"):
        if target == "impd" and not facts.impd_needs_p(d):
            continue
        text = "".join(" ".join(p.extract_text() for p in pypdf.PdfReader(built[(name, target)]).pages).split())
        substances = items if target == "ind" or facts.impd_needs_s(d) else items[-1:]
        for x in substances:
            assert "".join(f"Manufacturing process flow: {x.name}".split()) in text, (target, x.name)
