"""The built wheel carries templates and fonts, and an installed copy builds a PDF on its own."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile

import pikepdf
import pytest

from tests.conftest import DATA, ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(ROOT)], check=True, capture_output=True)
    (whl,) = out.glob("dossier-*.whl")
    return whl


def test_wheel_contains_packs_templates_fonts_and_licence(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "dossier/_templates/ind/pack.yaml",
        "dossier/_templates/impd/pack.yaml",
        "dossier/_templates/_base/document.html.j2",
        "dossier/_templates/_base/sections/drug_substance.yaml",
        "dossier/_templates/_base/fonts/LiberationSerif-Regular.ttf",
        "dossier/_templates/_base/fonts/OFL.txt",
        "dossier/rules/kinds/examples/atmp-class.yaml",
    ):
        assert required in names, required
    assert not any(n.startswith("tests/") for n in names)


def test_installed_wheel_builds_a_pdf_outside_the_source_tree(wheel, tmp_path):
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site), str(wheel)], check=True, capture_output=True)
    work = tmp_path / "work"
    work.mkdir()
    (work / "dossier.yaml").write_bytes((DATA / "minimal.yaml").read_bytes())
    script = (
        "import dossier, dossier.resources as r, sys\n"
        "print(dossier.__file__); print(r.templates_dir())\n"
        "from dossier.cli import main\n"
        "sys.argv=['dossier','build','dossier.yaml','--target','ind','--draft','-o','out.pdf']\n"
        "main()\n"
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    proc = subprocess.run([sys.executable, "-c", script], cwd=work, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    module_file, templates = proc.stdout.splitlines()[:2]
    assert module_file.startswith(str(site)) and templates.startswith(str(site))
    with pikepdf.open(work / "out.pdf") as pdf:
        assert len(pdf.pages) > 5
