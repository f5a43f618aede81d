"""Build progress: the units counted (dossier/progress.py) and the command line's bar, which goes
to standard error only, on a terminal outside CI (or when forced), after a delay.

The counts of real PDF builds, single pass and parallel, are checked on the builds that
tests/test_parallel.py makes anyway (test_progress_counts_every_unit_up_to_the_total)."""

from __future__ import annotations

import re
import sys
import time

import pytest

from dossier import api, cli
from dossier.progress import Steps
from tests.conftest import DATA
from tests.test_cli import run

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def plain(text: str) -> str:
    return ANSI.sub("", text)


def test_steps_report_a_fixed_total_and_each_unit_once():
    calls = []
    steps = Steps(lambda *call: calls.append(call), after=["preflight"])
    steps.plan(["HTML", "layout"])
    steps.advance()
    steps.advance()
    steps.advance()
    assert calls == [(0, 3, "HTML"), (1, 3, "layout"), (2, 3, "preflight"), (3, 3, "done")]
    with pytest.raises(RuntimeError):
        steps.advance()
    with pytest.raises(RuntimeError):
        steps.plan(["again"])


def test_html_build_reports_one_unit_and_a_refused_build_none(tmp_path):
    calls = []
    api.build(DATA / "minimal.yaml", "ind", output=tmp_path / "x.html", fmt="html", draft=True, on_progress=lambda *c: calls.append(c))
    assert calls == [(0, 1, "HTML"), (1, 1, "done")]
    calls.clear()
    result = api.build(DATA / "minimal.yaml", "ind", output=tmp_path / "y.pdf", on_progress=lambda *c: calls.append(c))
    assert result.output is None and calls == []  # check found errors: nothing rendered, nothing counted


def build_html(capsys, tmp_path, *flags: str) -> tuple[int, str, str]:
    return run(capsys, "build", str(DATA / "minimal.yaml"), "--target", "ind", "--draft", "--format", "html", "-o", str(tmp_path / "x.html"), *flags)


def test_forced_progress_writes_to_stderr_only(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("CI", "true")  # --progress wins over the CI default; capsys' stderr is no terminal either
    code, out, err = build_html(capsys, tmp_path, "--no-progress")
    assert code == 0 and "dossier build:" not in err and out == ""  # a build keeps stdout clean
    code, forced_out, forced_err = build_html(capsys, tmp_path, "--progress")
    assert code == 0
    assert forced_out == out == ""  # nothing of the bar on stdout
    shown = plain(forced_err)
    assert re.search(r"dossier build: done .* 1/1", shown)  # the final state stays (not transient when forced)
    assert shown.splitlines()[-1] == err.splitlines()[-1]  # "wrote ..." still last, on its own line
    assert err.splitlines()[-1].startswith("wrote ")


@pytest.mark.parametrize(
    ("env", "flags", "shown"),
    [
        ({}, (), True),
        ({"CI": "false"}, (), True),
        ({"CI": "true"}, (), False),
        ({"CI": "1"}, (), False),
        ({"TERM": "dumb"}, (), False),
        ({}, ("--no-progress",), False),
    ],
    ids=["terminal", "ci-false", "ci-true", "ci-1", "term-dumb", "no-progress"],
)
def test_default_progress_only_on_a_terminal_outside_ci(capsys, tmp_path, monkeypatch, env, flags, shown):
    monkeypatch.setattr(cli, "PROGRESS_DELAY", 0.0)  # show at once: this build takes well under a second
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    code, out, err = build_html(capsys, tmp_path, *flags)
    assert code == 0
    assert ("dossier build:" in plain(err)) is shown
    assert "dossier build" not in out and "\x1b" not in out
    assert plain(err).splitlines()[-1].startswith("wrote ")  # after the bar (erased on a terminal)


def test_default_progress_stays_off_when_stderr_is_no_terminal(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(cli, "PROGRESS_DELAY", 0.0)
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    code, _, err = build_html(capsys, tmp_path)
    assert code == 0 and "dossier build:" not in err and "\x1b" not in err


def test_bar_appears_only_after_the_delay(capsys):
    with cli._BuildProgress(delay=5, transient=False) as bar:  # over before the delay: never shown
        bar(0, 2, "layout")
        bar(2, 2, "done")
    assert capsys.readouterr().err == ""
    with cli._BuildProgress(delay=0.05, transient=False) as bar:
        bar(0, 2, "layout")
        time.sleep(0.3)
        bar(1, 2, "finishing")
    shown = plain(capsys.readouterr().err)
    assert "dossier build: layout" in shown  # drawn by the timer, before any further call
    assert re.search(r"dossier build: stopped .* 1/2", shown)  # ended early: says so, keeps the count
