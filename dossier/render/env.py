"""The one place that builds a Jinja environment: sandboxed, autoescape on, undefined is an error.

User data is only ever passed to templates as values, never compiled as template source; the
sandbox additionally keeps templates away from Python internals (attributes starting with an
underscore, frames, code objects), so a template cannot be a way out of the renderer either.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

import jinja2
import markupsafe
from jinja2.sandbox import SandboxedEnvironment

from dossier.model.base import sci
from dossier.render.markdown import render_markdown
from dossier.resources import templates_dir


def _value(v: Any) -> str:
    """Enum members print their value; everything else its str()."""
    return str(getattr(v, "value", v))


def _date_filter(fmt: str):
    def _date(v: dt.date | None) -> str:
        # %-d (no zero padding) is glibc-only; build it portably
        return v.strftime(fmt.replace("%-d", str(v.day))) if v else ""

    return _date


NOT_STATED = markupsafe.Markup('<span class="not-stated">not stated</span>')
"""What a document shows for a fact the YAML does not give: never a default presented as a fact."""


def _yesno(v: bool | None) -> str:
    """Yes / No for a stated flag; "not stated" (marked) when the YAML does not say."""
    if v is None:
        return NOT_STATED
    return "Yes" if v else "No"


def _stated(v: Any) -> Any:
    """The value, or "not stated" (marked) when the YAML does not give it."""
    return NOT_STATED if v is None else v


def _place_of_business(d):
    from dossier.facts import us_place_of_business

    return us_place_of_business(d)


def _classification(d):
    """The derived EU ATMP class with its reasoning (decided in Python, presented by templates)."""
    from dossier.classify import classify

    return classify(d)


def _describe(names: list[str]) -> str:
    from dossier.facts import describe

    return describe(names)


@functools.cache
def make_env(date_format: str = "%-d %B %Y") -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters.update(md=render_markdown, v=_value, date=_date_filter(date_format), sci=sci, yesno=_yesno, stated=_stated)
    env.tests["lower_startswith"] = lambda value, prefix: str(value or "").lower().startswith(prefix)
    env.globals.update(atmp_classification=_classification, describe_conditions=_describe, us_place_of_business=_place_of_business)
    return env
