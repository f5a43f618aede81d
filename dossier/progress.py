"""Progress of a build as counted units of work, told to an optional callback.

`api.build(..., on_progress=f)` calls `f(done, total, label)`: `done` of `total` units are
finished and `label` names the unit now under way ("done" once `done == total`). The total is
fixed before the first call, so `done` only rises, one unit at a time, from 0 to `total` (unless
the build fails on the way). The units of a PDF build are:

- parallel build: "HTML" (the parts' HTML), one "laying out sections" per part laid out in a
  worker (the front part and each body part, counted as they finish, cache hits at once), then
  "contents and page numbers", "assembling" and "preflight";
- single pass: "HTML", "layout", "finishing", "preflight";
- HTML output: one unit, "HTML".

Nothing here prints: the command line turns the calls into a display (`dossier.cli`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

ProgressCallback = Callable[[int, int, str], None]


class Steps:
    """The units of one build. The renderer `plan`s its units; `after` are units its caller
    finishes later (the preflight), so the total is known from the first call on."""

    def __init__(self, callback: ProgressCallback | None = None, after: Sequence[str] = ()) -> None:
        self._callback = callback
        self._after = list(after)
        self._labels: list[str] | None = None
        self.done = 0

    def plan(self, labels: Sequence[str]) -> None:
        """Fix the units (the renderer's, then `after`) and report 0 done."""
        if self._labels is not None:
            raise RuntimeError("progress already planned")
        self._labels = [*labels, *self._after]
        self._emit()

    def advance(self) -> None:
        """One more unit finished."""
        if self._labels is None or self.done >= len(self._labels):
            raise RuntimeError("progress advanced past its plan")
        self.done += 1
        self._emit()

    def _emit(self) -> None:
        if self._callback is None:
            return
        assert self._labels is not None
        total = len(self._labels)
        self._callback(self.done, total, self._labels[self.done] if self.done < total else "done")
