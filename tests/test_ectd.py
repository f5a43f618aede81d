"""--layout ectd: one PDF per leaf in eCTD folders, attachments placed, relative links, checksums."""

from __future__ import annotations

import hashlib
import json
import os
import re

import pikepdf
import pytest

from dossier import api
from dossier.ectd import MAX_NAME, MAX_PATH, NAME
from dossier.packs import available, load_pack
from tests.conftest import EXAMPLES
from tests.test_cli import run

CAR_T = EXAMPLES / "car-t"


@pytest.fixture(scope="module")
def ind(tmp_path_factory):
    out = tmp_path_factory.mktemp("ectd") / "kbt-1901-ind"
    result = api.build(CAR_T, "ind", layout="ectd", output=out)
    assert result.output == out
    return out, result.manifest


def pdfs(root):
    return sorted(p for p in root.rglob("*.pdf"))


def test_every_name_follows_the_ich_rule_and_every_pdf_passes_preflight(ind):
    out, _ = ind
    files = pdfs(out)
    assert len(files) > 40
    for f in files:
        rel = f.relative_to(out).as_posix()
        assert len(rel) <= MAX_PATH and all(NAME.match(part.removesuffix(".pdf")) and len(part) <= MAX_NAME for part in rel.split("/")), rel
        generated = not f.name.startswith("kbt-rpt") and not f.name.endswith(("-ib.pdf", "-protocol.pdf"))
        findings = api.preflight(f, "letter" if generated else None)
        assert [x for x in findings if x.severity.name == "ERROR"] == [], rel


def test_the_layout_has_the_ectd_folders_one_per_drug_substance(ind):
    out, _ = ind
    seq = out / "0001"
    d = api.load(CAR_T).dossier
    for ds in d.quality.drug_substances:
        folder = seq / "m3" / "32-body-data" / "32s-drug-sub" / re.sub(r"[^a-z0-9]+", "-", ds.id.lower()).strip("-")
        assert sorted(p.name for p in folder.iterdir()) == ["32s1-gen-info", "32s2-manuf", "32s3-charac", "32s4-contr-drug-sub", "32s5-ref-stand", "32s6-cont-closure-sys", "32s7-stab"]
    assert (seq / "m3/32-body-data/32p-drug-prod/kbt-1901/32p5-contr-drug-prod/control-of-drug-product.pdf").is_file()
    assert (seq / "m1/us/form-1571-information.pdf").is_file()


def test_attachments_are_placed_unchanged_and_linked_relatively(ind):
    out, _ = ind
    seq = out / "0001"
    report = seq / "m4/42-stud-rep/423-tox/kbt-rpt-nc-004.pdf"
    assert report.read_bytes() == (CAR_T / "documents" / "kbt-rpt-nc-004.pdf").read_bytes()
    assert (seq / "m1/us/kbt-1901-ib.pdf").read_bytes() == (CAR_T / "documents" / "kbt-1901-ib.pdf").read_bytes()
    summary = seq / "m4/42-stud-rep/423-tox/toxicology-studies.pdf"
    with pikepdf.open(summary) as pdf:
        targets = [str(a.A.F.F) for p in pdf.pages for a in p.get("/Annots", []) if a.get("/A") is not None and a.A.get("/S") == "/GoToR"]
    assert targets == ["kbt-rpt-nc-004.pdf"]
    assert all((summary.parent / t).is_file() for t in targets)


def test_checksums_list_every_file_with_its_md5(ind):
    out, _ = ind
    seq = out / "0001"
    lines = (seq / "checksums-md5.txt").read_text(encoding="utf-8").splitlines()
    listed = {}
    for line in lines:
        digest, rel = line.split("  ", 1)
        listed[rel] = digest
    assert sorted(listed) == sorted(p.relative_to(seq).as_posix() for p in pdfs(seq))
    assert all(hashlib.md5((seq / rel).read_bytes()).hexdigest() == digest for rel, digest in listed.items())


def test_the_manifest_verifies_and_catches_a_one_byte_change(ind, capsys):
    out, manifest = ind
    doc = json.loads(manifest.read_text())
    assert doc["layout"] == "ectd" and len(doc["outputs"]) == len(pdfs(out)) + 1
    code, _, _ = run(capsys, "verify", str(manifest))
    assert code == 0
    target = out / "0001/m2/23-qos/quality-overall-summary.pdf"
    data = bytearray(target.read_bytes())
    data[100] ^= 1
    target.write_bytes(bytes(data))
    code, text, _ = run(capsys, "verify", str(manifest), "--format", "json")
    assert code == 1 and [(f["rule"], os.path.normpath(f["file"])) for f in json.loads(text)["findings"]] == [("VERIFY-CHANGED", str(target))]


def test_impd_layout_is_the_ctis_part_i_set(tmp_path):
    out = tmp_path / "impd"
    api.build(CAR_T, "impd", layout="ectd", output=out)
    assert sorted(p.name for p in out.iterdir()) == ["checksums-md5.txt", "cta-part-i-particulars-kbt-1901.pdf", "impd-q-kbt-1901.pdf", "impd-se-kbt-1901.pdf"]


def test_an_existing_folder_is_never_overwritten(tmp_path, capsys):
    out = tmp_path / "busy"
    out.mkdir()
    (out / "keep.txt").write_text("x", encoding="utf-8")
    code, _, err = run(capsys, "build", str(CAR_T), "--target", "impd", "--layout", "ectd", "-o", str(out))
    assert code == 2 and "not an empty folder" in err
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_a_failure_half_way_leaves_nothing(tmp_path, monkeypatch):
    from dossier import ectd

    calls = []

    def failing(pdf_bytes):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return pdf_bytes

    monkeypatch.setattr(ectd, "remote_links", failing)
    with pytest.raises(RuntimeError):
        api.build(CAR_T, "impd", layout="ectd", output=tmp_path / "out")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("target", available())
def test_every_leaf_of_the_ectd_table_is_a_section_of_the_pack(target):
    pack = load_pack(target)

    def ids(sections):
        for s in sections:
            yield s.id
            yield from ids(s.sections)

    known = set(ids(pack.sections))
    assert pack.ectd and [leaf.section for leaf in pack.ectd.leaves if leaf.section not in known] == []


def test_generated_documents_link_to_each_other_by_relative_path(ind):
    """Form 1571 information points at the transfer of obligations, now a file of its own."""
    out, _ = ind
    form = out / "0001/m1/us/form-1571-information.pdf"
    with pikepdf.open(form) as pdf:
        targets = [str(a.A.F.F) for p in pdf.pages for a in p.get("/Annots", []) if a.get("/A") is not None and a.A.get("/S") == "/GoToR"]
    assert targets == ["transfer-of-obligations.pdf"] and (form.parent / targets[0]).is_file()
