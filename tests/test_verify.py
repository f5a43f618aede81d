"""dossier verify: a one-byte change to any input or output is detected; --sign-off is recorded."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from dossier import api
from tests.conftest import EXAMPLES
from tests.test_cli import run


@pytest.fixture()
def built(tmp_path):
    """The split CAR-T example copied (so it can be changed), built to HTML with a sign-off."""
    src = tmp_path / "car-t"
    shutil.copytree(EXAMPLES / "car-t", src)
    out = tmp_path / "out" / "ind.html"
    out.parent.mkdir()
    result = api.build(src, "ind", output=out, fmt="html", sign_off="R. Okafor, Regulatory Affairs")
    return src, out, result.manifest


def _flip_one_byte(path):
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def test_an_untouched_build_verifies(built, capsys):
    _, _, manifest = built
    code, out, err = run(capsys, "verify", str(manifest))
    assert code == 0 and out == "" and "every file matches" in err
    doc = json.loads(manifest.read_text())
    assert doc["sign_off"]["name"] == "R. Okafor, Regulatory Affairs"
    assert {e["role"] for e in doc["inputs"]} == {"dossier", "include", "attachment"}


@pytest.mark.parametrize("which", ["dossier.yaml", "nonclinical/kbt-nc-003.yaml", "quality/lots.yaml", "documents/kbt-1901-ib.pdf", "OUTPUT"])
def test_a_one_byte_change_to_any_input_or_output_is_reported(built, capsys, which):
    src, out, manifest = built
    changed = out if which == "OUTPUT" else src / which
    _flip_one_byte(changed)
    code, text, _ = run(capsys, "verify", str(manifest), "--format", "json")
    assert code == 1
    findings = json.loads(text)["findings"]
    assert [(f["rule"], f["file"]) for f in findings] == [("VERIFY-CHANGED", os.path.normpath(changed))]


def test_a_missing_file_is_reported(built, capsys):
    src, _, manifest = built
    (src / "quality" / "lots.yaml").unlink()
    code, text, _ = run(capsys, "verify", str(manifest), "--format", "json")
    assert code == 1 and [f["rule"] for f in json.loads(text)["findings"]] == ["VERIFY-MISSING"]


def test_the_archive_can_move_as_a_whole(built, tmp_path, capsys):
    """Paths are relative to the manifest: moving the folder that holds inputs and outputs keeps it valid."""
    moved = tmp_path.parent / (tmp_path.name + "-moved")
    shutil.copytree(tmp_path, moved)
    code, _, _ = run(capsys, "verify", str(moved / "out" / "ind.html.manifest.json"))
    assert code == 0


def test_not_a_manifest(tmp_path, capsys):
    bad = tmp_path / "x.json"
    bad.write_text("{}", encoding="utf-8")
    code, text, _ = run(capsys, "verify", str(bad), "--format", "json")
    assert code == 1 and json.loads(text)["findings"][0]["rule"] == "VERIFY-MANIFEST"
    code, _, err = run(capsys, "verify", str(tmp_path / "none.json"))
    assert code == 2 and "no such file" in err
