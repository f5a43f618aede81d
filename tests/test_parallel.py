"""The parallel build lays out parts separately and assembles them: it must give the same
document as a single pass (pages, bookmarks with their pages, words on every page, links)."""

from __future__ import annotations

import shutil
import threading
from collections import defaultdict

import pikepdf
import pypdf
import pytest

from dossier import api
from dossier.cli import _BuildProgress
from dossier.preflight import preflight
from dossier.render import parallel as parallel_build
from tests.conftest import EXAMPLES, bookmarks


def links(path):
    """Per page, the set of link targets (one link may be drawn as several rectangles)."""
    with pikepdf.open(path) as pdf:
        return [{str(a.get("/Dest", "")) for a in p.get("/Annots", []) if a.get("/Subtype") == "/Link"} for p in pdf.pages]


@pytest.fixture(scope="module", params=[("car-t", "ind"), ("aav", "impd")], ids=["car-t-ind", "aav-impd"])
def pair(request, tmp_path_factory):
    """The same document built with jobs=1 and jobs=2. The CAR-T IND shows attached PDFs, so it is
    built in parts either way (their pages are placed at assembly); the AAV IMPD shows none and
    is a true single pass with jobs=1, which the parts must reproduce."""
    name, target = request.param
    key = f"{name}-{target}"
    out = tmp_path_factory.mktemp("par")
    src = EXAMPLES / name / "dossier.yaml"
    single = api.build(src, target, output=out / "single.pdf", jobs=1, on_progress=lambda *call: PROGRESS[(key, 1)].append(call)).output
    # the parallel build runs with the command line's progress bar drawing from its own thread
    # meanwhile, as `dossier build` on a terminal does while the workers are forked
    with _BuildProgress(delay=0, transient=False) as bar:

        def record(*call):
            PROGRESS[(key, 2)].append(call)
            bar(*call)

        parallel = api.build(src, target, output=out / "parallel.pdf", jobs=2, use_cache=False, on_progress=record).output
    BARS[key] = bar
    return single, parallel, target, src, key


PROGRESS: dict[tuple[str, int], list[tuple[int, int, str]]] = defaultdict(list)
BARS: dict[str, _BuildProgress] = {}


def test_same_pages_and_bookmarks(pair):
    single, parallel, *_ = pair
    assert len(pypdf.PdfReader(single).pages) == len(pypdf.PdfReader(parallel).pages)
    assert bookmarks(single) == bookmarks(parallel)


def test_same_words_on_every_page(pair):
    single, parallel, *_ = pair
    for n, (a, b) in enumerate(zip(pypdf.PdfReader(single).pages, pypdf.PdfReader(parallel).pages), 1):
        assert sorted(a.extract_text().split()) == sorted(b.extract_text().split()), f"page {n}"


def test_same_links_and_parallel_output_passes_preflight(pair):
    single, parallel, target, *_ = pair
    assert links(single) == links(parallel)
    size = "letter" if target == "ind" else "a4"
    assert [f for f in preflight(parallel, page_size=size) if f.severity.name != "INFO"] == []


def test_progress_counts_every_unit_up_to_the_total(pair):
    """Single pass: stages; parallel: the parts as they finish, then the closing stages. The
    total is known from the first call and `done` rises by one per call up to it."""
    _, _, target, src, key = pair
    loaded = api.load(src)
    outline = api.check_pack(loaded, target)[1].outline
    attached = parallel_build.attaches(outline, {a.file: a for a in loaded.attachments})
    assert attached == (key == "car-t-ind")

    def in_parts(jobs):
        parts = 1 + min(len(parallel_build._units(outline)), parallel_build.PARTS_PER_JOB * jobs)
        return ["HTML", *["laying out sections"] * parts, "contents and page numbers", "assembling", "preflight", "done"]

    expected = {1: in_parts(1) if attached else ["HTML", "layout", "finishing", "preflight", "done"], 2: in_parts(2)}
    for jobs, labels in expected.items():
        calls = PROGRESS[(key, jobs)]
        assert [done for done, _, _ in calls] == list(range(len(labels))), jobs
        assert {total for _, total, _ in calls} == {len(labels) - 1}, jobs
        assert [label for _, _, label in calls] == labels, jobs


def test_progress_bar_survives_forked_workers(pair):
    """The fork hook released the stream lock after each fork (else the bar's thread would have
    hung the build), and the bar ended at its total."""
    *_, key = pair
    bar = BARS[key]
    task = bar._progress.tasks[0]
    assert task.completed == task.total == PROGRESS[(key, 2)][-1][1] and task.description == "done"
    taken = []
    other = threading.Thread(target=lambda: taken.append(bar._stream.lock.acquire(timeout=5)))
    other.start()
    other.join()
    assert taken == [True]


def test_fonts_are_stored_once(pair):
    _, parallel, *_ = pair
    with pikepdf.open(parallel) as pdf:
        files = [o.FontFile2.objgen for o in pdf.objects if isinstance(o, pikepdf.Dictionary) and o.get("/Type") == "/FontDescriptor" and "/FontFile2" in o]
        streams = {pdf.get_object(g).read_raw_bytes() for g in set(files)}
    assert len(set(files)) == len(streams)


def test_cached_rebuild_after_one_change_is_identical_to_a_fresh_build(tmp_path, monkeypatch):
    """Change one study: the rebuild reuses the other sections and equals a build without cache."""
    from dossier.render import cache as cache_module

    monkeypatch.setenv("DOSSIER_CACHE_DIR", str(tmp_path / "cache"))
    text = (EXAMPLES / "aav" / "dossier.yaml").read_text(encoding="utf-8")
    src = tmp_path / "dossier.yaml"
    src.write_text(text, encoding="utf-8")
    shutil.copytree(EXAMPLES / "aav" / "documents", tmp_path / "documents")  # its attached PDFs
    api.build(src, "impd", output=tmp_path / "first.pdf", jobs=2)
    assert len(list((tmp_path / "cache").glob("*.pdf"))) >= 8  # front, body parts, folio pieces
    changed = text.replace("key_findings: |", "key_findings: |\n        Reviewed again for this rebuild.", 1)
    assert changed != text
    src.write_text(changed, encoding="utf-8")
    calls = []
    original = cache_module.PieceCache.get

    def counting_get(self, k):
        found = original(self, k)
        calls.append(found is not None)
        return found

    monkeypatch.setattr(cache_module.PieceCache, "get", counting_get)
    cached = api.build(src, "impd", output=tmp_path / "cached.pdf", jobs=2).output
    hits, misses = calls.count(True), calls.count(False)
    fresh = api.build(src, "impd", output=tmp_path / "fresh.pdf", jobs=2, use_cache=False).output
    assert cached.read_bytes() == fresh.read_bytes()
    assert hits >= 2 * misses and misses >= 1  # only the changed part (and what follows from it) is laid out again


def test_parts_are_contiguous_and_balanced_by_size():
    """Parts are cut at section edges into groups of similar HTML size: a large section is a part
    of its own rather than sharing one with its neighbours."""
    sizes = [5, 5, 5, 100, 5, 5, 60, 40, 5, 5]
    groups = parallel_build._groups(sizes, 4)
    assert groups == [(0, 3), (3, 4), (4, 7), (7, 10)]
    assert parallel_build._groups([10] * 12, 6) == [(0, 2), (2, 4), (4, 6), (6, 8), (8, 10), (10, 12)]
    assert parallel_build._groups([7, 1, 1], 6) == [(0, 1), (1, 2), (2, 3)]  # never more parts than sections
    assert parallel_build._groups([3], 4) == [(0, 1)]
