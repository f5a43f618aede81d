"""--layout ectd: one PDF per leaf in eCTD folders, attachments placed, relative links, and the
eCTD v3.2.2 backbone (index.xml, us-regional.xml, study tagging files) that `verify` checks."""

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
from tests.golden.snapshot import example_names
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
        generated = not f.name.startswith(("kbt-rpt", "form-fda", "form-1572-", "cv-", "loa-", "minutes-")) and not f.name.endswith(("-ib.pdf", "-protocol.pdf"))
        findings = api.preflight(f, "letter" if generated else None)
        assert [x for x in findings if x.severity.name == "ERROR"] == [], rel


def test_the_layout_has_the_ectd_folders_one_per_drug_substance(ind):
    out, _ = ind
    seq = out / "0000"
    d = api.load(CAR_T).dossier
    for ds in d.quality.drug_substances:
        folder = seq / "m3" / "32-body-data" / "32s-drug-sub" / re.sub(r"[^a-z0-9]+", "-", ds.id.lower()).strip("-")
        assert sorted(p.name for p in folder.iterdir()) == ["32s1-gen-info", "32s2-manuf", "32s3-charac", "32s4-contr-drug-sub", "32s5-ref-stand", "32s6-cont-closure-sys", "32s7-stab"]
    assert (seq / "m3/32-body-data/32p-drug-prod/kbt-1901/32p5-contr-drug-prod/control-of-drug-product.pdf").is_file()
    assert (seq / "m1/us/form-1571-information.pdf").is_file()


def test_attachments_are_placed_unchanged_and_linked_relatively(ind):
    out, _ = ind
    seq = out / "0000"
    report = seq / "m4/42-stud-rep/423-tox/4237-other-tox-stud/kbt-rpt-nc-004.pdf"
    assert report.read_bytes() == (CAR_T / "documents" / "kbt-rpt-nc-004.pdf").read_bytes()
    assert (seq / "m4/42-stud-rep/423-tox/4231-single-dose-tox/kbt-rpt-tx-001.pdf").is_file()  # filed under its study type
    assert (seq / "m1/us/kbt-1901-ib.pdf").read_bytes() == (CAR_T / "documents" / "kbt-1901-ib.pdf").read_bytes()
    summary = seq / "m4/42-stud-rep/423-tox/4237-other-tox-stud/other-toxicity-studies.pdf"
    with pikepdf.open(summary) as pdf:
        targets = [str(a.A.F.F) for p in pdf.pages for a in p.get("/Annots", []) if a.get("/A") is not None and a.A.get("/S") == "/GoToR"]
    assert "kbt-rpt-nc-004.pdf" in targets
    assert all((summary.parent / t).is_file() for t in targets)


def leaves_of(xml: Path) -> dict[str, tuple[str, str]]:
    """href (relative to the XML's folder) -> (ID, md5) of every leaf."""
    from lxml import etree

    doc = etree.parse(str(xml))
    x = "{http://www.w3c.org/1999/xlink}href"
    return {leaf.get(x): (leaf.get("ID"), leaf.get("checksum")) for leaf in doc.iter("leaf")}


def test_index_xml_is_valid_against_the_ich_dtd_and_names_every_file_with_its_md5(ind):
    from lxml import etree

    from dossier.backbone import ICH_DTD

    out, _ = ind
    seq = out / "0000"
    d = api.load(CAR_T).dossier
    assert seq.name == str(d.us.serial_number) == "0000"  # the sequence folder is the serial number
    doc = etree.parse(str(seq / "index.xml"))
    dtd = etree.DTD(str(ICH_DTD))
    assert dtd.validate(doc), dtd.error_log
    assert (seq / "util/dtd/ich-ectd-3-2.dtd").read_bytes() == ICH_DTD.read_bytes()
    assert (seq / "index-md5.txt").read_text() == hashlib.md5((seq / "index.xml").read_bytes()).hexdigest()
    listed = {**{h: v for h, v in leaves_of(seq / "index.xml").items()}, **{f"m1/us/{h}": v for h, v in leaves_of(seq / "m1/us/us-regional.xml").items()}}
    files = sorted(p.relative_to(seq).as_posix() for p in seq.rglob("*") if p.is_file() and not p.relative_to(seq).as_posix().startswith("util/") and p.name not in ("index.xml", "index-md5.txt"))
    assert sorted(listed) == files
    assert all(hashlib.md5((seq / href).read_bytes()).hexdigest() == md5 for href, (_, md5) in listed.items())
    assert not (seq / "checksums-md5.txt").exists()  # the backbone carries the checksums


def test_us_regional_xml_files_module_1_under_fda_headings(ind):
    from lxml import etree

    out, _ = ind
    doc = etree.parse(str(out / "0000/m1/us/us-regional.xml"))
    assert doc.getroot().get("dtd-version") == "3.3"
    where = {leaf.get("{http://www.w3c.org/1999/xlink}href"): leaf.getparent().tag for leaf in doc.iter("leaf")}
    assert where["cover-letter.pdf"] == "m1-2-cover-letters"
    assert where["form-fda-1571.pdf"] == where["form-1572-elena-marchetti-shaw.pdf"] == "m1-1-forms"
    assert where["loa-bb-mf-21736.pdf"] == "m1-4-1-letter-of-authorization"
    assert where["kbt-1901-ib.pdf"] == "m1-14-4-1-investigational-brochure"
    assert where["introductory-statement-and-general-investigational-plan.pdf"] == "m1-20-general-investigational-plan-for-initial-ind"


def test_a_study_tagging_file_per_study_names_its_documents_leaves(ind):
    from lxml import etree

    out, _ = ind
    seq = out / "0000"
    d = api.load(CAR_T).dossier
    index_ids = {v[0] for v in leaves_of(seq / "index.xml").values()}
    studies = [s.id for s in d.nonclinical.studies if s.report and s.report.file] + [p.id for p in d.clinical.protocols]
    stfs = {etree.parse(str(f)).findtext("study-identifier/study-id"): f for f in seq.rglob("stf-*.xml")}
    assert sorted(stfs) == sorted(studies)
    for study, f in stfs.items():
        refs = [c.get("{http://www.w3c.org/1999/xlink}href") for c in etree.parse(str(f)).iter("doc-content")]
        assert refs and all(r.split("#")[0] == os.path.relpath(seq / "index.xml", f.parent) and r.split("#")[1] in index_ids for r in refs), study
    protocol = etree.parse(str(stfs[d.clinical.protocols[0].id]))
    assert {t.get("name") for t in protocol.iter("file-tag")} == {"synopsis", "protocol-or-amendment"}


def test_changing_one_byte_of_any_leaf_is_reported_for_that_leaf(ind, capsys):
    from dossier import backbone

    out, _ = ind
    seq = out / "0000"
    assert backbone.check(seq) == []
    leaves = [seq / h for h in leaves_of(seq / "index.xml")] + [seq / "m1/us" / h for h in leaves_of(seq / "m1/us/us-regional.xml")]
    for leaf in leaves:
        original = leaf.read_bytes()
        changed = bytearray(original)
        changed[len(changed) // 2] ^= 1
        leaf.write_bytes(bytes(changed))
        try:
            problems = backbone.check(seq)
        finally:
            leaf.write_bytes(original)
        reported = {(p.rule, os.path.normpath(p.file)) for p in problems}
        assert ("ECTD-MD5", str(leaf)) in reported, leaf
    target = seq / "m4/42-stud-rep/423-tox/4231-single-dose-tox/kbt-rpt-tx-001.pdf"
    original = target.read_bytes()
    target.write_bytes(original[:-1] + bytes([original[-1] ^ 1]))
    try:
        code, text, _ = run(capsys, "verify", str(out), "--format", "json")
    finally:
        target.write_bytes(original)
    assert code == 1 and [(f["rule"], os.path.normpath(f["file"])) for f in json.loads(text)["findings"]] == [("ECTD-MD5", str(target))]
    code, _, _ = run(capsys, "verify", str(out))
    assert code == 0


def test_a_file_outside_the_backbone_and_a_missing_leaf_are_reported(ind):
    from dossier import backbone

    out, _ = ind
    seq = out / "0000"
    stray = seq / "m2/23-qos/notes.pdf"
    stray.write_bytes(b"%PDF-1.7 stray")
    gone = seq / "m5/52-tab-list/tabular-listing-of-clinical-studies.pdf"
    kept = gone.read_bytes()
    gone.unlink()
    try:
        rules = sorted((p.rule, os.path.basename(p.file)) for p in backbone.check(seq))
    finally:
        stray.unlink()
        gone.write_bytes(kept)
    assert rules == [("ECTD-HREF", "tabular-listing-of-clinical-studies.pdf"), ("ECTD-UNREF", "notes.pdf")]


def test_the_manifest_lists_every_file_of_the_sequence_and_verifies(ind, capsys):
    out, manifest = ind
    doc = json.loads(manifest.read_text())
    files = sorted(p for p in (out / "0000").rglob("*") if p.is_file())
    assert doc["layout"] == "ectd" and sorted(os.path.normpath(o["path"]) for o in doc["outputs"]) == sorted(os.path.relpath(f, manifest.parent) for f in files)
    code, _, _ = run(capsys, "verify", str(manifest))
    assert code == 0


def test_impd_layout_is_the_ctis_part_i_set_one_file_per_document(tmp_path):
    out = tmp_path / "impd"
    api.build(CAR_T, "impd", layout="ectd", output=out)
    names = sorted(p.name for p in out.iterdir())
    assert names == ["auxiliary-medicinal-products-kbt-1901.pdf", "checksums-md5.txt", "cover-letter-kbt-1901.pdf", "cta-part-i-particulars-kbt-1901.pdf", "documents.json",
                     "gmo-information-kbt-1901.pdf", "gmp-documentation-kbt-1901.pdf", "impd-q-kbt-1901.pdf", "impd-se-kbt-1901.pdf", "labelling-en-kbt-1901.pdf"]
    listing = json.loads((out / "documents.json").read_text(encoding="utf-8"))["documents"]
    assert sorted(row["file"] for row in listing) == [n for n in names if n.endswith(".pdf")]
    assert all(row["document_type"] and row["md5"] == hashlib.md5((out / row["file"]).read_bytes()).hexdigest() for row in listing)

    def headings(name):
        with pikepdf.open(out / name) as pdf, pdf.open_outline() as ol:
            return [item.title for item in ol.root] + [c.title for item in ol.root for c in item.children]

    particulars = headings("cta-part-i-particulars-kbt-1901.pdf")
    assert any("CTA-C" in h for h in particulars)
    # a section filed as a document of its own is not repeated in the particulars
    assert not any(code in h for h in particulars for code in ("CTA-B", "CTA-F", "CTA-H", "CTA-J"))
    assert any("CTA-B" in h for h in headings("cover-letter-kbt-1901.pdf"))


def test_the_labelling_is_one_file_per_language_each_with_only_its_labels(tmp_path):
    import shutil
    import subprocess

    ex = tmp_path / "car-t"
    shutil.copytree(CAR_T, ex)
    root = ex / "dossier.yaml"
    text = root.read_text(encoding="utf-8")
    german = "  - packaging: outer\n    region: eu\n    language: de\n    text: |\n      Nur zur klinischen Prüfung\n      KBT-1901 Infusionsbeutel\n"
    root.write_text(text.replace("\nlabels:\n", "\nlabels:\n" + german, 1), encoding="utf-8")
    out = tmp_path / "impd"
    result = api.build(ex, "impd", layout="ectd", output=out, draft=True)  # the new label lacks its Annex VI map
    assert result.output == out, [f.message for f in result.check.findings if f.severity.name == "ERROR"]
    files = sorted(p.name for p in out.glob("labelling-*.pdf"))
    assert files == ["labelling-de-kbt-1901.pdf", "labelling-en-kbt-1901.pdf"]
    de = subprocess.run(["pdftotext", str(out / files[0]), "-"], capture_output=True, text=True, check=True).stdout
    en = subprocess.run(["pdftotext", str(out / files[1]), "-"], capture_output=True, text=True, check=True).stdout
    assert "Nur zur klinischen Prüfung" in de and "Nur zur klinischen Prüfung" not in en
    assert "(en)" in en and "(en)" not in de


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
    """Form 1571 information points at the signed form and the transfer of obligations, files of their own."""
    out, _ = ind
    form = out / "0000/m1/us/form-1571-information.pdf"
    with pikepdf.open(form) as pdf:
        targets = [str(a.A.F.F) for p in pdf.pages for a in p.get("/Annots", []) if a.get("/A") is not None and a.A.get("/S") == "/GoToR"]
    assert targets == ["form-fda-1571.pdf", "transfer-of-obligations.pdf"] and all((form.parent / t).is_file() for t in targets)


@pytest.mark.parametrize("name", [n for n in example_names() if n != "car-t"])
def test_every_example_s_ind_sequence_has_a_backbone_that_checks(name, tmp_path):
    """car-t is checked in detail above; every other example's sequence is complete and consistent."""
    from dossier import backbone

    out = tmp_path / "seq"
    api.build(EXAMPLES / name, "ind", layout="ectd", output=out)
    d = api.load(EXAMPLES / name).dossier
    [seq] = backbone.sequences(out)
    assert seq.name == str(d.us.serial_number or "0000")
    assert backbone.check(seq) == []
    studies = {s.id for s in d.nonclinical.studies if s.report and s.report.file} | {p.id for p in d.clinical.protocols}
    assert len(list(seq.rglob("stf-*.xml"))) == len(studies)
