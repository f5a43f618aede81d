"""Where each piece of generated text came from: the YAML path of the fact it shows.

While a `Tracker` is active (Word output), the template environment marks what it prints:

* a narrative rendered with the ``md`` filter is wrapped in ``<div class="fact" data-fact="N">``;
* any other fact printed by ``{{ ... }}`` (a name, a limit, a cell of a table) is wrapped in
  private-use characters, ``\\ue000N\\ue001text\\ue002``, which are inert in HTML (they can sit in
  an attribute without breaking it) and are removed by the Word writer.

``N`` is an index into `Tracker.entries`. A fact is recognised by identity: the string object the
template prints is the one the model holds (a regional view shares unchanged strings), so two
fields that happen to hold the same text are usually told apart, and text the template composes
(a sentence, a joined list) is never mistaken for a fact. Where one string object is the value
of several facts (the validator may share equal short strings), no path is claimed for it. Nothing is marked when no tracker is
active, so PDF and HTML output are unchanged.
"""

from __future__ import annotations

import contextlib
import contextvars
from dataclasses import dataclass, field
from typing import Any, Iterator

from pydantic import BaseModel

from dossier import factpath

OPEN, SEP, CLOSE = "\ue000", "\ue001", "\ue002"
"""Marker characters of a fact printed inline (Unicode private use area)."""


@dataclass(frozen=True)
class Entry:
    path: tuple
    """YAML path of the fact in the dossier (as `factpath.texts` gives it)."""
    kind: str
    """'text': a narrative (Markdown) field a writer may edit; 'value': a structured fact."""


@dataclass
class Tracker:
    by_id: dict[int, tuple | None] = field(default_factory=dict)
    """id of each text -> its YAML path; None when the same object is the value of several facts."""
    entries: list[Entry] = field(default_factory=list)
    texts: dict[int, str] = field(default_factory=dict)
    """Entry number -> the text as it was rendered."""
    objects: dict[int, tuple] = field(default_factory=dict)
    """id of each record (a pydantic model) -> its YAML path, for facts answered "not yet known"."""
    _numbers: dict[tuple[tuple, str], int] = field(default_factory=dict)
    _keep: list = field(default_factory=list)

    @classmethod
    def of(cls, view: Any) -> "Tracker":
        """A tracker for the facts of `view` (the dossier as the rendered region sees it)."""
        t = cls()
        for path, obj in _records(view):
            t.objects.setdefault(id(obj), path)
            t._keep.append(obj)
        for path, text in factpath.texts(view):
            if len(text) > 1:  # one-character strings are shared by the interpreter
                if id(text) in t.by_id and t.by_id[id(text)] != path:
                    t.by_id[id(text)] = None  # one string object held by two facts: which one is shown cannot be told
                else:
                    t.by_id[id(text)] = path
                t._keep.append(text)  # ids stay valid while the tracker lives
        return t

    def number(self, value: Any, kind: str) -> int | None:
        path = self.by_id.get(id(value)) if isinstance(value, str) else None
        if path is None:
            return None
        key = (path, kind)
        if key not in self._numbers:
            self._numbers[key] = len(self.entries)
            self.texts[len(self.entries)] = value
            self.entries.append(Entry(path, kind))
        return self._numbers[key]


def _records(obj: Any, path: tuple = ()):
    """Every record (pydantic model) under `obj` with its YAML path."""
    if isinstance(obj, BaseModel):
        yield path, obj
        for name in type(obj).model_fields:
            yield from _records(getattr(obj, name), (*path, name))
    elif isinstance(obj, (list, tuple)):
        for i, item in enumerate(obj):
            yield from _records(item, (*path, i))


def path_of(obj: Any, name: str) -> str:
    """The YAML path of `obj.name` while Word output is tracked ('' otherwise): where a fact
    answered "not yet known" is to be given."""
    from dossier.io.yamlsource import format_path

    tracker = _CURRENT.get()
    where = tracker.objects.get(id(obj)) if tracker is not None else None
    return "" if where is None else format_path((*where, name))


_CURRENT: contextvars.ContextVar[Tracker | None] = contextvars.ContextVar("dossier_provenance", default=None)


@contextlib.contextmanager
def tracking(tracker: Tracker) -> Iterator[Tracker]:
    token = _CURRENT.set(tracker)
    try:
        yield tracker
    finally:
        _CURRENT.reset(token)


def mark_value(value: Any) -> Any:
    """`value` wrapped in inline markers when it is a tracked fact (else unchanged)."""
    tracker = _CURRENT.get()
    if tracker is None or type(value) is not str:  # Markup and composed values are not facts
        return value
    n = tracker.number(value, "value")
    return value if n is None else f"{OPEN}{n}{SEP}{value}{CLOSE}"


def text_number(text: Any) -> int | None:
    """The entry number of a narrative about to be rendered, when it is a tracked fact."""
    tracker = _CURRENT.get()
    return None if tracker is None else tracker.number(text, "text")


def strip_markers(text: str) -> str:
    """`text` without inline markers (for attributes and for any output other than Word)."""
    if OPEN not in text:
        return text
    out, i = [], 0
    while True:
        j = text.find(OPEN, i)
        if j < 0:
            out.append(text[i:])
            return "".join(out).replace(CLOSE, "")
        out.append(text[i:j])
        k = text.find(SEP, j)
        i = j + 1 if k < 0 else k + 1
