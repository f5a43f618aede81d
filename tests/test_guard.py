"""Issue 19: no command ever replaces an input, a folder, a device or a FIFO; stale temporary
files are cleaned; every output is written atomically."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest

from dossier.io import guard
from tests.conftest import EXAMPLES
from tests.test_cli import run


@pytest.fixture
def dossier_dir(tmp_path) -> Path:
    """The split CAR-T example (includes and attached PDFs) in a folder of its own."""
    target = tmp_path / "k"
    shutil.copytree(EXAMPLES / "car-t", target, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return target


def digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def inputs_of(folder: Path) -> list[Path]:
    root = folder / "dossier.yaml"
    return [root, folder / "quality" / "lots.yaml", sorted((folder / "documents").glob("*.pdf"))[0]]


COMMANDS = {
    "check": lambda d, o: ["check", str(d), "--output", str(o)],
    "check-json": lambda d, o: ["check", str(d), "--format", "json", "--output", str(o)],
    "build": lambda d, o: ["build", str(d), "--target", "ind", "--format", "html", "-o", str(o)],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("which", [0, 1, 2], ids=["root-yaml", "included-yaml", "attached-pdf"])
def test_no_command_overwrites_an_input(capsys, dossier_dir, command, which):
    before = digests(dossier_dir)
    victim = inputs_of(dossier_dir)[which]
    code, _, err = run(capsys, *COMMANDS[command](dossier_dir, victim))
    assert code == 2 and "is an input of this dossier" in err and "Traceback" not in err
    assert digests(dossier_dir) == before


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_other_names_of_an_input_are_refused(capsys, dossier_dir, tmp_path, command):
    """Compared by device and inode: a hard link, a symbolic link or a '..' spelling is the same file."""
    before = digests(dossier_dir)
    hard = tmp_path / "hard.out"
    os.link(dossier_dir / "dossier.yaml", hard)
    soft = tmp_path / "soft.out"
    soft.symlink_to(dossier_dir / "quality" / "lots.yaml")
    dotted = dossier_dir / "documents" / ".." / "dossier.yaml"
    for out in (hard, soft, dotted):
        code, _, err = run(capsys, *COMMANDS[command](dossier_dir, out))
        assert code == 2 and "is an input of this dossier" in err, out
    assert digests(dossier_dir) == before and soft.is_symlink()


def test_a_build_never_writes_its_manifest_over_an_input(capsys, tmp_path):
    """`<output>.manifest.json` is guarded like the output: here it would be the root file."""
    root = tmp_path / "d.manifest.json"
    shutil.copyfile(EXAMPLES / "aav" / "dossier.yaml", root)
    shutil.copytree(EXAMPLES / "aav" / "documents", tmp_path / "documents")  # its attached PDFs
    before = root.read_bytes()
    code, _, err = run(capsys, "build", str(root), "--target", "ind", "--format", "html", "-o", str(tmp_path / "d"))
    assert code == 2 and "d.manifest.json: is an input of this dossier" in err
    assert root.read_bytes() == before and not (tmp_path / "d").exists()


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_devices_fifos_and_folders_are_never_replaced(capsys, dossier_dir, tmp_path, command):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    folder = tmp_path / "folder"
    folder.mkdir()
    for out, kind in ((Path("/dev/full"), "character device"), (Path("/dev/null"), "character device"), (fifo, "FIFO"), (folder, "folder")):
        code, _, err = run(capsys, *COMMANDS[command](dossier_dir, out))
        assert code == 2 and kind in err and "Traceback" not in err, (out, err)
    assert fifo.exists() and not fifo.is_file() and folder.is_dir() and not any(folder.iterdir())
    assert not (tmp_path / "pipe.manifest.json").exists() and not Path("/dev/full.manifest.json").exists()
    assert Path("/dev/full").is_char_device() and Path("/dev/null").is_char_device()


def test_a_report_replaces_no_yaml_or_pdf_even_when_the_dossier_cannot_be_read(capsys, tmp_path):
    """A root file with a syntax error names its attachments nowhere we can see: a report still
    never replaces a PDF or YAML file."""
    (tmp_path / "dossier.yaml").write_text("submission: [unclosed\n")
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(b"%PDF-1.7 precious")
    code, _, err = run(capsys, "check", str(tmp_path), "--format", "json", "--output", str(pdf))
    assert code == 2 and "never replaces" in err
    assert pdf.read_bytes() == b"%PDF-1.7 precious"


def test_an_invalid_dossier_still_protects_its_attachments(capsys, dossier_dir):
    """Validation fails (unknown key), so no attachment passes its checks; the named file is still an input."""
    root = dossier_dir / "dossier.yaml"
    root.write_text(root.read_text().replace("submission:", "no_such_key: 1\nsubmission:", 1))
    before = digests(dossier_dir)
    victim = inputs_of(dossier_dir)[2]
    code, _, err = run(capsys, "build", str(dossier_dir), "--target", "ind", "--draft", "--format", "html", "-o", str(victim))
    assert code in (1, 2) and digests(dossier_dir) == before


def test_schema_map_and_init_use_the_same_guard(capsys, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for args in (["schema", "-o", str(fifo)], ["map", "-o", str(fifo)]):
        code, _, err = run(capsys, *args)
        assert code == 2 and "FIFO" in err
    (tmp_path / "d").mkdir()
    os.mkfifo(tmp_path / "d" / "dossier.yaml")
    code, _, err = run(capsys, "init", "--modality", "msc", str(tmp_path / "d"), "--force")
    assert code == 2 and "FIFO" in err


def test_the_dossier_itself_must_be_a_regular_file(capsys, tmp_path):
    fifo = tmp_path / "dossier.yaml"
    os.mkfifo(fifo)
    for path in (fifo, tmp_path, Path("/dev/zero")):
        code, _, err = run(capsys, "check", str(path))
        assert code == 2 and "not a regular file" in err, path


def test_writes_go_through_a_symbolic_link_to_a_regular_file(tmp_path):
    real = tmp_path / "real.txt"
    real.write_text("old")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    written = guard.write_output(link, b"new")
    assert written == real and real.read_text() == "new" and link.is_symlink()


def test_stale_temporary_files_of_dead_processes_are_removed(tmp_path):
    out = tmp_path / "ind.pdf"
    dead = 2**22 + 12345  # above the default pid_max of 4194304: never a live process
    stale = tmp_path / f".ind.pdf.{dead}-abc.tmp"
    stale.write_bytes(b"half a PDF")
    live = tmp_path / f".ind.pdf.{os.getppid()}-abc.tmp"  # our parent runs: maybe another build
    live.write_bytes(b"someone else's")
    other = tmp_path / f".other.pdf.{dead}-abc.tmp"
    other.write_bytes(b"not ours to judge")
    guard.atomic_write(out, b"%PDF")
    assert not stale.exists() and live.exists() and other.exists() and out.read_bytes() == b"%PDF"


def test_a_failed_write_leaves_no_temporary_file(tmp_path):
    out = tmp_path / "x.pdf"
    out.write_bytes(b"previous")

    def veto(tmp):
        raise OSError(28, "No space left on device")

    with pytest.raises(Exception, match="No space left"):
        guard.atomic_write(out, b"new", veto)
    assert out.read_bytes() == b"previous" and sorted(p.name for p in tmp_path.iterdir()) == ["x.pdf"]


def test_an_os_error_while_rendering_names_the_file_and_is_no_bug_report(capsys, tmp_path, monkeypatch):
    """ENOSPC in a temporary folder (here: while laying out) is the machine's problem, said with its path."""
    import errno

    from dossier.render import pdf

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", "/tmp/dossier-build-1/weasyprint-x/font")

    monkeypatch.setattr(pdf, "render_raw", full)
    code, _, err = run(capsys, "build", str(EXAMPLES / "aav"), "--target", "ind", "--jobs", "1", "--no-cache", "-o", str(tmp_path / "ind.pdf"))
    assert code == 2 and "/tmp/dossier-build-1/weasyprint-x/font: No space left on device" in err
    assert "internal error" not in err and "bug" not in err
    assert list(tmp_path.iterdir()) == []
