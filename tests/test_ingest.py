"""dossier ingest: a writer's edits of the Word output back to the YAML — the right path and
file, only the changed lines, structured facts and conflicts reported and never written, a
backup kept, the input never lost."""

from __future__ import annotations

import shutil

import docx
import pytest
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from dossier import api
from dossier.ingest import ingest
from dossier.io import yamledit
from dossier.io.yamlsource import format_path
from tests.test_cli import run


def _controls(document, path: str):
    for sdt in document.element.body.iter(qn("w:sdt")):
        alias = sdt.find(qn("w:sdtPr")).find(qn("w:alias"))
        tag = sdt.find(qn("w:sdtPr")).find(qn("w:tag"))
        if alias is not None and alias.get(qn("w:val")) == path and tag.get(qn("w:val"))[8:].isdigit():
            yield sdt


def edit(src, dst, path: str, old: str, new: str) -> None:
    """What a writer does in Word: change words inside the first control that shows `path`."""
    document = docx.Document(str(src))
    for sdt in _controls(document, path):
        for t in sdt.iter(qn("w:t")):
            if old in (t.text or ""):
                t.text = t.text.replace(old, new, 1)
                document.save(str(dst))
                return
    raise AssertionError(f"{old!r} not shown under {path}")


@pytest.fixture
def project(tmp_path, car_t_docx):
    """A writer's copy of the CAR-T dossier beside the Word document generated from it."""
    folder = tmp_path / "car-t"
    shutil.copytree(car_t_docx.parent, folder)
    return folder


def _lines_changed(before: str, after: str) -> list[int]:
    a, b = before.splitlines(), after.splitlines()
    assert len(a) == len(b)
    return [i + 1 for i, (x, y) in enumerate(zip(a, b)) if x != y]


def test_an_untouched_document_has_no_changes(project):
    assert ingest(project / "ind.docx").changes == []


def test_one_edited_paragraph_is_one_change_at_its_path_and_written_in_place(project, capsys):
    yaml = project / "dossier.yaml"
    before = yaml.read_text()
    edit(project / "ind.docx", project / "edited.docx", "product.mechanism_of_action", "more than", "over")
    code, out, err = run(capsys, "ingest", str(project / "edited.docx"))
    assert code == 0
    assert "dossier.yaml:118: product.mechanism_of_action: edited in Word" in out
    assert "-The CAR redirects the patient's T cells to CD19, a B-lineage antigen expressed on more than\n" in out
    assert "+The CAR redirects the patient's T cells to CD19, a B-lineage antigen expressed on over\n" in out
    lines = out.splitlines()
    assert sum(x.startswith("-") and not x.startswith("---") for x in lines) == 1  # one line out, one in
    assert sum(x.startswith("+") and not x.startswith("+++") for x in lines) == 1
    assert yaml.read_text() == before  # without --write nothing is written

    code, out, err = run(capsys, "ingest", str(project / "edited.docx"), "--write")
    assert code == 0 and "backup" in err
    after = yaml.read_text()
    assert _lines_changed(before, after) == [119]
    assert (project / "dossier.yaml.bak").read_text() == before
    assert api.check(yaml).ok
    assert api.load(yaml).dossier.product.mechanism_of_action.startswith("The CAR redirects the patient's T cells to CD19, a B-lineage antigen expressed on over\n95 %")
    assert ingest(project / "edited.docx").changes == []  # the document and the YAML agree now


def test_an_edit_in_an_included_file_is_written_there(project):
    study = project / "nonclinical" / "kbt-nc-001.yaml"
    root_before, before = (project / "dossier.yaml").read_text(), study.read_text()
    edit(project / "ind.docx", project / "edited.docx", "nonclinical.studies[0].key_findings", "Specific lysis", "Specific killing")
    result = ingest(project / "edited.docx", write=True)
    [change] = result.changes
    assert (format_path(change.path), change.file.endswith("nonclinical/kbt-nc-001.yaml")) == ("nonclinical.studies[0].key_findings", True)
    assert [f.name for f, _ in result.written] == ["kbt-nc-001.yaml"]
    assert (project / "dossier.yaml").read_text() == root_before
    assert _lines_changed(before, study.read_text()) == [before.splitlines().index("  - Specific lysis at E:T 1:1 (24 h): Nalm-6 78 %, Raji 62 %, K562-CD19 81 %, K562 4 %") + 1]
    assert api.check(project / "dossier.yaml").ok


def test_an_edited_cell_of_a_narrative_table_is_written_as_its_row(project):
    yaml = project / "dossier.yaml"
    before = yaml.read_text()
    edit(project / "ind.docx", project / "edited.docx", "quality.drug_substances[0].general_properties", "355–375", "350–380")
    [change] = ingest(project / "edited.docx", write=True).changes
    assert change.kind == "edit"
    assert _lines_changed(before, yaml.read_text()) == [before.splitlines().index("        | Osmolality | 355–375 mOsm/kg (sucrose-containing buffer) |") + 1]
    assert api.check(yaml).ok


def test_a_structured_fact_is_reported_never_written(project, capsys):
    yaml = project / "dossier.yaml"
    before = yaml.read_text()
    edit(project / "ind.docx", project / "edited.docx", "us.ind_number", "031544", "031545")
    code, out, err = run(capsys, "ingest", str(project / "edited.docx"), "--write", "--check")
    assert code == 1  # --check: the document says something the YAML does not
    assert "us.ind_number: structured fact edited in Word — not written back" in out and "'031545'" in out
    assert yaml.read_text() == before and not (project / "dossier.yaml.bak").exists()


def test_a_narrative_changed_in_both_places_is_a_conflict_and_not_written(project):
    yaml = project / "dossier.yaml"
    edit(project / "ind.docx", project / "edited.docx", "product.mechanism_of_action", "more than", "over")
    yaml.write_text(yaml.read_text().replace("long-term persistence.", "long-term persistence in vivo."))
    changed = yaml.read_text()
    [change] = ingest(project / "edited.docx", write=True).changes
    assert change.kind == "conflict" and format_path(change.path) == "product.mechanism_of_action"
    assert yaml.read_text() == changed


def test_tracked_changes_are_reported_and_left_alone(project):
    document = docx.Document(str(project / "ind.docx"))
    sdt = next(_controls(document, "product.mechanism_of_action"))
    p = sdt.find(qn("w:sdtContent")).find(qn("w:p"))
    ins = OxmlElement("w:ins")
    ins.set(qn("w:id"), "9001")
    ins.set(qn("w:author"), "Writer")
    r = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = " Inserted."
    r.append(t)
    ins.append(r)
    p.append(ins)
    document.save(str(project / "tracked.docx"))
    [change] = ingest(project / "tracked.docx", write=True).changes
    assert change.kind == "tracked"
    assert not (project / "dossier.yaml.bak").exists()


def test_a_second_write_keeps_the_first_backup(project):
    yaml = project / "dossier.yaml"
    original = yaml.read_text()
    edit(project / "ind.docx", project / "e1.docx", "product.mechanism_of_action", "more than", "over")
    ingest(project / "e1.docx", write=True)
    after_first = yaml.read_text()
    edit(project / "e1.docx", project / "e2.docx", "product.mechanism_of_action", "over", "above")
    # e2 was made from e1, which was generated from the original text: a conflict, not a write
    assert [c.kind for c in ingest(project / "e2.docx", write=True).changes] == ["conflict"]
    api.build(yaml, "ind", output=project / "ind2.docx", fmt="docx")
    edit(project / "ind2.docx", project / "e3.docx", "product.mechanism_of_action", "over", "above")
    ingest(project / "e3.docx", write=True)
    assert (project / "dossier.yaml.bak").read_text() == original
    assert (project / "dossier.yaml.bak.1").read_text() == after_first
    assert "expressed on above" in yaml.read_text()


@pytest.mark.parametrize("content, message", [(b"not a zip", "not a Word document"), (None, "no dossier provenance")])
def test_documents_it_cannot_read_are_refused_with_a_message(tmp_path, capsys, content, message):
    path = tmp_path / "in.docx"
    if content is None:
        document = docx.Document()
        document.add_paragraph("A document not made by dossier")
        document.save(str(path))
    else:
        path.write_bytes(content)
    code, out, err = run(capsys, "ingest", str(path))
    assert code == 2 and message in err and "Traceback" not in err


@pytest.mark.parametrize(
    "markdown",
    [
        "One paragraph with **bold**, *italic*, H~2~O and 10^6^ cells.",
        "First.\n\nSecond paragraph.",
        "- one\n- two with *emphasis*\n- three",
        "1. first\n1. second",
        "See [the guideline](https://www.ema.europa.eu/en) for details.",
        "Text with a star * and an under_score and [brackets].",
        "| Property | Value |\n|---|---|\n| pH | 7.3 |\n| Osmolality | 355–375 mOsm/kg |",
    ],
)
def test_markdown_read_back_from_word_renders_the_same(markdown):
    from dossier.ingest import _Renderer, merge_text, to_markdown

    r = _Renderer()
    blocks = r.blocks(markdown)
    assert r.blocks(to_markdown(blocks, escape=True)) == blocks or r.blocks(to_markdown(blocks)) == blocks
    assert merge_text(markdown, blocks, r) == markdown  # nothing changed: the source text is kept as written


def test_yaml_edit_changes_only_the_value_and_keeps_comments_quotes_and_crlf():
    text = "# comment\r\na:\r\n  name: Alpha   # trailing\r\n  text: |\r\n    Old line.\r\n\r\n  q: 'kept'\r\n"
    edited = yamledit.replace_value(text, ("a", "text"), "New line.\n")
    assert edited == text.replace("Old line.", "New line.")
    assert yamledit.replace_value(text, ("a", "name"), "Beta: x") == text.replace("Alpha", '"Beta: x"')


def test_yaml_edit_refuses_a_path_that_is_not_text():
    with pytest.raises(yamledit.EditError):
        yamledit.replace_value("a:\n  b: [1, 2]\n", ("a", "b"), "x")


def test_a_part_that_unpacks_past_the_limit_is_refused(project, monkeypatch, capsys):
    import dossier.ingest

    monkeypatch.setattr(dossier.ingest, "MAX_PART_BYTES", 10_000)
    code, out, err = run(capsys, "ingest", str(project / "ind.docx"))
    assert code == 2 and "unpacks to more than 10,000 bytes" in err


def test_a_document_nobody_edited_is_out_of_date_not_in_conflict(project, capsys):
    yaml = project / "dossier.yaml"
    yaml.write_text(yaml.read_text().replace("long-term persistence.", "long-term persistence in vivo."))
    assert ingest(project / "ind.docx").changes == []
    code, _, _ = run(capsys, "ingest", str(project / "ind.docx"), "--check")
    assert code == 0


def test_an_edit_and_a_new_paragraph_keep_the_line_breaks_of_the_rest(project):
    yaml = project / "dossier.yaml"
    before = yaml.read_text()
    document = docx.Document(str(project / "ind.docx"))
    sdt = next(_controls(document, "product.mechanism_of_action"))
    first = sdt.find(qn("w:sdtContent")).find(qn("w:p"))
    for t in first.iter(qn("w:t")):
        if "more than" in (t.text or ""):
            t.text = t.text.replace("more than", "over")
    import copy

    added = copy.deepcopy(first)
    for t in list(added.iter(qn("w:t")))[1:]:
        t.text = ""
    next(added.iter(qn("w:t"))).text = "A new paragraph from the writer."
    first.addnext(added)
    document.save(str(project / "edited.docx"))
    [change] = ingest(project / "edited.docx", write=True).changes
    after = yaml.read_text().splitlines()
    old = before.splitlines()
    gone = [x for x in old if x not in after]
    new = [x for x in after if x not in old]
    assert gone == ["    The CAR redirects the patient's T cells to CD19, a B-lineage antigen expressed on more than"]
    assert new == ["    The CAR redirects the patient's T cells to CD19, a B-lineage antigen expressed on over", "    A new paragraph from the writer.", ""][: len(new)]
    assert api.check(yaml).ok
