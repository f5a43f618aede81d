"""The parallel build lays out parts separately and assembles them: it must give the same
document as a single pass (pages, bookmarks with their pages, words on every page, links)."""

from __future__ import annotations

import pikepdf
import pypdf
import pytest

from dossier import api
from dossier.preflight import preflight
from tests.conftest import EXAMPLES


def outline(path):
    items = []
    with pikepdf.open(path) as pdf:
        index = {p.obj.objgen: i for i, p in enumerate(pdf.pages)}
        names = dict(pikepdf.NameTree(pdf.Root.Names.Dests).items())

        def walk(entries, depth):
            for e in entries:
                dest = e.destination
                if isinstance(dest, (pikepdf.String, str)):
                    dest = names[str(dest)]
                items.append((depth, e.title, index[dest[0].objgen]))
                walk(e.children, depth + 1)

        with pdf.open_outline() as ol:
            walk(ol.root, 1)
    return items


def links(path):
    """Per page, the set of link targets (one link may be drawn as several rectangles)."""
    with pikepdf.open(path) as pdf:
        return [{str(a.get("/Dest", "")) for a in p.get("/Annots", []) if a.get("/Subtype") == "/Link"} for p in pdf.pages]


@pytest.fixture(scope="module", params=[("car-t", "ind"), ("aav", "impd")], ids=["car-t-ind", "aav-impd"])
def pair(request, tmp_path_factory):
    name, target = request.param
    out = tmp_path_factory.mktemp("par")
    src = EXAMPLES / name / "dossier.yaml"
    single = api.build(src, target, output=out / "single.pdf", jobs=1).output
    parallel = api.build(src, target, output=out / "parallel.pdf", jobs=2).output
    return single, parallel, target


def test_same_pages_and_bookmarks(pair):
    single, parallel, _ = pair
    assert len(pypdf.PdfReader(single).pages) == len(pypdf.PdfReader(parallel).pages)
    assert outline(single) == outline(parallel)


def test_same_words_on_every_page(pair):
    single, parallel, _ = pair
    for n, (a, b) in enumerate(zip(pypdf.PdfReader(single).pages, pypdf.PdfReader(parallel).pages), 1):
        assert sorted(a.extract_text().split()) == sorted(b.extract_text().split()), f"page {n}"


def test_same_links_and_parallel_output_passes_preflight(pair):
    single, parallel, target = pair
    assert links(single) == links(parallel)
    size = "letter" if target == "ind" else "a4"
    assert [f for f in preflight(parallel, page_size=size) if f.severity.name != "INFO"] == []


def test_fonts_are_stored_once(pair):
    _, parallel, _ = pair
    with pikepdf.open(parallel) as pdf:
        files = [o.FontFile2.objgen for o in pdf.objects if isinstance(o, pikepdf.Dictionary) and o.get("/Type") == "/FontDescriptor" and "/FontFile2" in o]
        streams = {pdf.get_object(g).read_raw_bytes() for g in set(files)}
    assert len(set(files)) == len(streams)
