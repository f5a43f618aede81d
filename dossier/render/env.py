"""The one place that builds a Jinja environment: sandboxed, autoescape on, undefined is an error.

User data is only ever passed to templates as values, never compiled as template source; the
sandbox additionally keeps templates away from Python internals (attributes starting with an
underscore, frames, code objects), so a template cannot be a way out of the renderer either.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from pathlib import Path
from typing import Any

import jinja2
import jinja2.ext
import jinja2.lexer
import markupsafe
from jinja2.sandbox import SandboxedEnvironment

from dossier.model.base import sci
from dossier.model.identifiers import in_union, jurisdiction_name
from dossier.packs.manifest import UNVERIFIED
from dossier.render import provenance
from dossier.render.absent import NOT_STATED, Absent, NotYetKnown, absent, absent_as, keeps_absent, keeps_unknown, shown_absent, unknown_marker, value_of
from dossier.render.markdown import render_markdown, render_scripts
from dossier.render.figures import inputs_by_step, plot_svg
from dossier.render.tables import batch_tables, constant
from dossier.resources import templates_dir


def _value(v: Any) -> Any:
    """Enum members print their value; everything else its str(); an absent fact "not stated",
    or its not-yet-known answer."""
    if absent(v):
        return shown_absent(v)
    return str(getattr(v, "value", v))


def _date_filter(fmt: str):
    def _date(v: dt.date | None) -> Any:
        # %-d (no zero padding) is glibc-only; build it portably
        if absent(v):
            return shown_absent(v)
        return v.strftime(fmt.replace("%-d", str(v.day)))

    return _date


def _yesno(v: bool | None) -> str:
    """Yes / No for a stated flag; "not stated" (marked) when the YAML does not say."""
    if absent(v):
        return shown_absent(v)
    return "Yes" if v else "No"


def _stated(v: Any) -> Any:
    """The value, or "not stated" (marked) when the YAML does not give it."""
    return shown_absent(v) if absent(v) else v


def _said(obj: Any, field: str, none: str = "none", sep: str = "; ") -> Any:
    """What the YAML says about `obj.field`, for a document: the value (a list joined by `sep`);
    `none` for a list the YAML gives empty; "not yet known" with the reason for that answer; else
    "not stated" (marked). An empty list the YAML leaves out is never read as "none"."""
    if absent(obj) or isinstance(obj, jinja2.Undefined):
        return NOT_STATED
    told = obj.told(field)
    if told == "unknown":
        return unknown_marker(*obj.unknown_reason(field), provenance.path_of(obj, field))
    value = getattr(obj, field)
    if isinstance(value, list):
        if value:
            return sep.join(str(getattr(v, "value", v)) for v in value)
        return none if told == "given" else NOT_STATED
    return NOT_STATED if value is None else getattr(value, "value", value)


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


class _Environment(SandboxedEnvironment):
    """Jinja's sandbox, where a field answered not yet known reads as that answer (see
    NotYetKnown), not as the empty value the model holds for it -- by attribute (`a.b`), by
    item (`a["b"]`) and through filters that look fields up (`map(attribute="b")`)."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        return self._answer(obj, attribute, super().getattr(obj, attribute))

    def getitem(self, obj: Any, argument: Any) -> Any:
        return self._answer(obj, argument, super().getitem(obj, argument))

    @staticmethod
    def _answer(obj: Any, name: Any, value: Any) -> Any:
        if (value is None or (isinstance(value, list) and not value)) and isinstance(name, str) and name[:1] != "_" and hasattr(obj, "told"):
            return value_of(obj, name)
        return value


@jinja2.pass_eval_context
def _join(eval_ctx, value, d: str = "", attribute=None):
    """Jinja's join, with an absent item shown as "not stated" rather than None, and a list
    answered not yet known shown as that answer."""
    from jinja2.filters import do_join, make_attrgetter

    if isinstance(value, NotYetKnown):
        return value
    if attribute is not None:
        value = map(make_attrgetter(eval_ctx.environment, attribute), value)
        attribute = None
    return do_join(eval_ctx, [shown_absent(v) if absent(v) else v for v in value], d)


def _finalize(value: Any) -> Any:
    """What `{{ ... }}` prints: an absent fact (None) is "not stated", never the word None."""
    return NOT_STATED if value is None else provenance.mark_value(value)


def _md(text: Any) -> markupsafe.Markup:
    """Narrative Markdown -> HTML; while Word output tracks provenance, wrapped with its fact."""
    html = render_markdown(text)
    n = provenance.text_number(text)
    if n is None or not html:
        return html
    return markupsafe.Markup(f'<div class="fact" data-fact="{n}">') + html + markupsafe.Markup("</div>")


@functools.cache
def _spelling(language: str) -> dict[str, str]:
    """en-GB word -> the `language` variant's word (dossier/data/spelling-<language>.tsv); none for en-GB."""
    path = Path(__file__).resolve().parent.parent / "data" / f"spelling-{language}.tsv"
    if not path.exists():
        return {}
    pairs = (line.split("\t") for line in path.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#"))
    return {gb: us.strip() for gb, us in pairs}


_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_.]*$")  # a field name: left as it is


class _Spelling(jinja2.ext.Extension):
    """Template text in the pack's language variant: the literal text of the templates (and the
    string literals they pass as labels) is written in en-GB; for another variant each listed
    word is replaced, whole word and case-preserving. Values from the dossier are never touched,
    nor are string literals that look like identifiers (field names)."""

    def filter_stream(self, stream):
        table = _spelling(self.environment.dossier_language)
        if not table:
            yield from stream
            return
        words = re.compile(r"\b(" + "|".join(sorted(map(re.escape, table), key=len, reverse=True)) + r")\b", re.IGNORECASE)

        def swap(m: re.Match) -> str:
            word = m.group(0)
            us = table[word.lower()]
            return us.upper() if word.isupper() else us[0].upper() + us[1:] if word[0].isupper() else us

        for token in stream:
            if token.type == "data" or (token.type == "string" and not _IDENTIFIER.match(token.value)):
                token = jinja2.lexer.Token(token.lineno, token.type, words.sub(swap, token.value))
            yield token


def _annex_vi_particulars() -> list[tuple[str, str]]:
    """(field, "(a) what it is") for each Annex VI A.1 particular, in order (labels.html.j2)."""
    from dossier.model.administrative import AnnexVI

    return [(name, info.description or name) for name, info in AnnexVI.model_fields.items()]


class _BytecodeCache(jinja2.FileSystemBytecodeCache):
    """Compiled templates kept between runs (as Python keeps .pyc files): compiling the templates
    took about a second of every build. Jinja checks each entry against the template's source
    and its own version; the folder names the tool version and the language, since the spelling
    extension compiles the same source differently per language. A cache that cannot be read or
    written only costs time. Its entries are code, trusted as the .pyc files beside an installed
    package are: the folder is the user's own (dossier/io/cachedir.py)."""

    def load_bytecode(self, bucket):
        try:
            super().load_bytecode(bucket)
        except (OSError, EOFError, ValueError, TypeError):
            bucket.reset()

    def dump_bytecode(self, bucket):
        try:
            Path(self.directory).mkdir(parents=True, exist_ok=True)
            super().dump_bytecode(bucket)
        except OSError:
            pass


def _bytecode_cache(language: str) -> jinja2.BytecodeCache:
    from dossier import __version__
    from dossier.io.cachedir import cache_dir

    return _BytecodeCache(str(cache_dir() / "templates" / f"{__version__}-{language}"))


@functools.cache
def make_env(date_format: str = "%-d %B %Y", language: str = "en-GB") -> SandboxedEnvironment:
    env = _Environment(
        extensions=[_Spelling],
        bytecode_cache=_bytecode_cache(language),
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        autoescape=True,
        undefined=Absent,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.dossier_language = language
    env.filters.update(md=keeps_unknown(_md), scripts=keeps_unknown(render_scripts), v=_value, date=_date_filter(date_format), sci=keeps_unknown(sci), yesno=_yesno, stated=_stated, absent_as=absent_as, join=_join, jurisdiction=keeps_unknown(jurisdiction_name))
    for name in ("capitalize", "upper", "lower", "title", "round", "int", "float", "trim"):
        env.filters[name] = keeps_unknown(env.filters[name])
    env.filters["string"] = keeps_absent(env.filters["string"])
    env.tests["none"] = absent
    env.tests["unknown"] = lambda value: isinstance(value, NotYetKnown)
    env.tests["said"] = lambda value: isinstance(value, NotYetKnown) or bool(value)  # a value, or the answer
    env.tests["lower_startswith"] = lambda value, prefix: str(value or "").lower().startswith(prefix)
    env.globals.update(fact_path=provenance.path_of, in_union=in_union, plot_svg=plot_svg, flow_inputs=inputs_by_step, batch_tables=batch_tables, constant=constant, jurisdiction_name=jurisdiction_name, annex_vi_particulars=_annex_vi_particulars(), not_stated=NOT_STATED, said=_said, unverified_marker=UNVERIFIED, atmp_classification=_classification, describe_conditions=_describe, us_place_of_business=_place_of_business)
    return env
