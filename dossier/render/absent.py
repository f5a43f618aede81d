"""How a document shows a fact the YAML does not give: "not stated", or the "not yet known"
answer with its reason (never the empty value the model holds for it, never a default).

Templates meet absent facts as `Absent` (an attribute of a fact that is not there) and
`NotYetKnown` (a field the YAML answered not yet known); Python that composes table cells for
templates asks `value_of` for a field so that an answer keeps its reason.
"""

from __future__ import annotations

import functools
from typing import Any

import jinja2
import markupsafe

from dossier.render import provenance

NOT_STATED = markupsafe.Markup('<span class="not-stated">not stated</span>')
"""What a document shows for a fact the YAML does not give: never a default presented as a fact."""


def unknown_marker(reason: str, expected: str | None, path: str = "") -> markupsafe.Markup:
    more = f" (expected: {expected})" if expected else ""
    where = markupsafe.Markup(' data-path="{}"').format(path) if path else ""
    return markupsafe.Markup('<span class="unknown"{}>not yet known: {}{}</span>').format(where, reason, more)


def absent(v: Any) -> bool:
    """None, or an attribute of an absent fact (see Absent), or a fact answered not yet known."""
    return v is None or (isinstance(v, jinja2.Undefined) and isinstance(v, Absent) and v._absent())


def shown_absent(v: Any, text: Any = None) -> Any:
    """What a document shows for an absent fact: the not-yet-known answer with its reason, else
    `text` ("not stated")."""
    if isinstance(v, NotYetKnown):
        return v
    return NOT_STATED if text is None else text


def keeps_absent(f):
    """A filter that passes an absent fact through (None, the not-yet-known answer), so that
    `str` never prints the word None and a facts table still leaves out a row not stated."""

    @functools.wraps(f)
    def keep(v, *args, **kwargs):
        return v if v is None or isinstance(v, NotYetKnown) else f(v, *args, **kwargs)

    return keep


def keeps_unknown(f):
    """A presentation filter that passes the not-yet-known answer through, so the document shows
    the answer and its reason instead of formatting the absence."""

    @functools.wraps(f)
    def keep(v, *args, **kwargs):
        return v if isinstance(v, NotYetKnown) else f(v, *args, **kwargs)

    return keep


class Absent(jinja2.StrictUndefined):
    """Undefined, strict as before for a name or attribute a template gets wrong, but lenient for
    an attribute of a fact that is absent (None: not stated, or answered not yet known): that
    renders as "not stated" instead of failing, and reads as false, empty and absent."""

    __slots__ = ()

    def _absent(self) -> bool:
        if self._undefined_obj is None or isinstance(self._undefined_obj, Absent):
            return True
        # no name and no object: a filter's "nothing" (first/last of an empty list)
        return self._undefined_name is None and self._undefined_obj is jinja2.utils.missing

    def __str__(self) -> str:
        return "not stated" if self._absent() else super().__str__()

    def __html__(self) -> str:
        return str(NOT_STATED) if self._absent() else super().__str__()

    def __iter__(self):
        return iter(()) if self._absent() else super().__iter__()

    def __bool__(self) -> bool:
        return False if self._absent() else super().__bool__()

    def __len__(self) -> int:
        return 0 if self._absent() else super().__len__()

    def __eq__(self, other):
        return (other is None or isinstance(other, Absent)) if self._absent() else super().__eq__(other)

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        return hash(None)

    def __getattr__(self, name):
        if name[:2] == "__":
            raise AttributeError(name)
        return self if self._absent() else super().__getattr__(name)

    def __getitem__(self, key):
        return self if self._absent() else super().__getitem__(key)


class NotYetKnown(Absent):
    """A field the YAML answered "not yet known": absent to every test a template makes (false,
    empty, none), but shown with its reason wherever the field is printed, and so are its
    attributes (the answer stands for a whole object)."""

    __slots__ = ("_answer",)

    def __init__(self, obj: Any, field: str) -> None:
        super().__init__(obj=None, name=field)
        reason, expected = obj.unknown_reason(field)
        self._answer = unknown_marker(reason, expected, provenance.path_of(obj, field))

    def __str__(self) -> str:
        return markupsafe.Markup(self._answer).striptags()

    def __eq__(self, other):  # an answer is not "not stated": equal only to the same answer
        return isinstance(other, NotYetKnown) and other._answer == self._answer

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        return hash(str(self._answer))

    def __html__(self) -> str:
        return str(self._answer)


def value_of(obj: Any, field: str) -> Any:
    """`obj.field`, or the NotYetKnown answer when the YAML answered the field not yet known."""
    value = getattr(obj, field)
    if value is None or (isinstance(value, list) and not value):
        told = getattr(obj, "told", None)
        if told is not None and field[:1] != "_" and told(field) == "unknown":
            return NotYetKnown(obj, field)
    return value


def absent_as(value: Any, text: Any = NOT_STATED) -> Any:
    """`value or text` (a dash in a grid), except that a not-yet-known answer shows itself."""
    return value if isinstance(value, NotYetKnown) else value or text
