from __future__ import annotations

import os
import tempfile
import textwrap
from pathlib import Path

import pytest

# Builds in tests use their own piece cache, never the user's (~/.cache/dossier).
os.environ.setdefault("DOSSIER_CACHE_DIR", tempfile.mkdtemp(prefix="dossier-test-cache-"))

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def write(tmp_path):
    """Write a dedented text (or bytes) file into tmp_path and return its path."""

    def _write(content: str | bytes, name: str = "dossier.yaml") -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
        return path

    return _write


@pytest.fixture
def minimal_text() -> str:
    return (DATA / "minimal.yaml").read_text(encoding="utf-8")


def rules_of(findings) -> set[str]:
    """Every rule that found these findings (a finding merged from several names the others in `also`)."""
    return {rule for f in findings for rule in (f.rule, *f.also)}


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> dict[tuple[str, str], Path]:
    """Every bundled example built to PDF for both targets, once per test session."""
    from dossier import api
    from tests.golden.snapshot import example_names

    out = tmp_path_factory.mktemp("pdf")
    pdfs = {}
    for name in example_names():
        for target in ("ind", "impd"):
            result = api.build(EXAMPLES / name / "dossier.yaml", target, output=out / f"{name}-{target}.pdf")
            assert result.output is not None, [str(f) for f in result.check.findings if f.severity.name == "ERROR"]
            pdfs[(name, target)] = result.output
    return pdfs


def bookmarks(path) -> list[tuple[int, str, int]]:
    """(depth from 1, title, 0-based page) of every bookmark of the PDF at `path`, in order."""
    import pikepdf

    items = []
    with pikepdf.open(path) as pdf:
        index = {p.obj.objgen: i for i, p in enumerate(pdf.pages)}
        names = dict(pikepdf.NameTree(pdf.Root.Names.Dests).items())

        def walk(entries, depth):
            for e in entries:
                dest = e.destination
                if isinstance(dest, (pikepdf.String, str)):
                    dest = names[str(dest)]
                items.append((depth, str(e.title), index[dest[0].objgen]))
                walk(e.children, depth + 1)

        with pdf.open_outline() as ol:
            walk(ol.root, 1)
    return items


@pytest.fixture(scope="session")
def car_t_docx(tmp_path_factory) -> Path:
    """The CAR-T IND as Word, built once per session from a copy of the example (beside it)."""
    import shutil

    from dossier import api

    folder = tmp_path_factory.mktemp("docx") / "car-t"
    shutil.copytree(EXAMPLES / "car-t", folder)
    result = api.build(folder / "dossier.yaml", "ind", output=folder / "ind.docx", fmt="docx")
    assert result.output is not None
    return result.output


def docx_controls(path) -> list[tuple[str, str, str]]:
    """(tag, title = YAML path, text) of every content control of a Word document, in order."""
    import docx
    from docx.oxml.ns import qn

    out = []
    for sdt in docx.Document(str(path)).element.body.iter(qn("w:sdt")):
        pr = sdt.find(qn("w:sdtPr"))
        tag, alias = pr.find(qn("w:tag")), pr.find(qn("w:alias"))
        text = "".join(t.text or "" for t in sdt.iter(qn("w:t")))
        out.append((tag.get(qn("w:val")) if tag is not None else "", alias.get(qn("w:val")) if alias is not None else "", text))
    return out
