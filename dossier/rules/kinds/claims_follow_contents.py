"""claims-follow-contents: text that says documents of a kind are provided, enclosed or
attached (the cover letter's inventory, "letter of authorization provided", "executed batch
records ... are provided in 3.2.R") matches the documents the submission attaches: a sentence
that claims a kind of which nothing is attached, or more of a kind than are attached ("the
reports of the eight nonclinical studies" with two reports attached), is reported where it
stands.

A sentence claims a kind when it names the kind (the pack's `words`) and says it is part of
the submission (`claim` words: provided, enclosed, attached, included in / contained in a
module, Module N contains). Each kind lists the fact paths of its documents; a document counts
when it has a `file:`. A number written before the kind's words ("eight nonclinical study
reports", "reports of all eight studies", "for each of the three investigators") is compared with
the documents attached.

Params: `kinds` (name, words: a regular expression, documents: fact paths), `claim` (a
regular expression) and `skip` (top-level keys whose text the documents do not show, e.g. the
other region's `eu`).

Passes: "The reports of the two pivotal studies are provided in Module 4" with two reports
attached. Fails: the same with one attached; "letter of authorization provided" with none.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from pydantic import BaseModel, ConfigDict, Field, field_validator

from dossier import factpath
from dossier.model import Dossier
from dossier.model.base import DocumentRef
from dossier.rules.violation import Violation


class Kind(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    """As the message says it, plural: 'study reports'."""
    words: str
    """Regular expression (case-insensitive) that names the kind in a sentence."""
    documents: list[str] = Field(min_length=1)
    """Fact paths of the kind's documents (DocumentRef fields)."""

    @field_validator("words")
    @classmethod
    def _compiles(cls, v: str) -> str:
        re.compile(v)
        return v


class Params(BaseModel):
    """Parameters of this kind, validated when a pack instance is loaded."""

    model_config = ConfigDict(extra="forbid")
    kinds: list[Kind] = Field(min_length=1)
    claim: str
    """Regular expression (case-insensitive) that says something is part of the submission."""
    skip: list[str] = Field(default_factory=list)
    """Top-level keys of the dossier whose text is not read (the other region's facts)."""

    @field_validator("claim")
    @classmethod
    def _compiles(cls, v: str) -> str:
        re.compile(v)
        return v


KIND = "claims-follow-contents"

_NUMBERS = {w: n for n, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty".split())}
_SENTENCE = re.compile(r"(?<=[.;:])\s+(?=[A-Z(])|\n\s*\n|\n\s*[-*]\s+")
_N = r"(\d{1,3}|" + "|".join(_NUMBERS) + r")"
_WORD_NUMBER = re.compile(r"\b" + "(" + "|".join(_NUMBERS) + r")\b", re.IGNORECASE)
_AFTER = re.compile(r"\s+(?:of|for|from)\s+(?:each\s+of\s+)?(?:the\s+|all\s+)?" + _N + r"\b", re.IGNORECASE)
_BEFORE = re.compile(r"(?<!Module )(?<!Section )(?<!Day )(?<!Week )(?<!Phase )(?<![\w-])" + _N + r"(?:\s+[A-Za-z][\w-]*){0,3}\s+$", re.IGNORECASE)


def attached(d: Dossier, kind: Kind) -> int:
    """How many documents of the kind the submission attaches."""
    files = set()
    for fact in kind.documents:
        for _, doc in factpath.resolve(d, fact):
            if isinstance(doc, DocumentRef) and doc.file:
                files.add(doc.file)
    return len(files)


def claimed_count(sentence: str, match: re.Match) -> int | None:
    """The number of documents a sentence claims: written inside the kind's words ("reports of
    the eight nonclinical studies"), just after them ("the CVs of the three investigators", "for
    each of the three investigators") or just before them ("eight study reports"); numbers that
    belong to a heading or an id ("Module 4", "Section 2", "Day 28") do not count."""
    inside = _WORD_NUMBER.search(match.group(0))
    if inside:
        return _number(inside.group(1))
    after = _AFTER.match(sentence[match.end():])
    if after:
        return _number(after.group(1))
    before = _BEFORE.search(sentence[: match.start()])
    return _number(before.group(1)) if before else None


def _number(word: str) -> int:
    return int(word) if word.isdigit() else _NUMBERS[word.lower()]


def check(d: Dossier, params: dict) -> Iterator[Violation]:
    p = Params.model_validate(params)
    claim = re.compile(p.claim, re.IGNORECASE)
    kinds = [(k, re.compile(k.words, re.IGNORECASE), attached(d, k)) for k in p.kinds]
    # the documents' own fields (numbers, titles) are not claims
    for path, text in factpath.texts(d, (), skip=(DocumentRef,)):
        if path[0] in p.skip:
            continue
        for sentence in _SENTENCE.split(text):
            if not claim.search(sentence):
                continue
            for kind, words, have in kinds:
                m = words.search(sentence)
                if m is None:
                    continue
                said = claimed_count(sentence, m)
                quoted = " ".join(sentence.split())
                quoted = quoted if len(quoted) <= 120 else quoted[:117] + "..."
                where = " or ".join(f"{f}.file" for f in kind.documents)
                if have == 0:
                    yield Violation(path, f"the text says {kind.name} are part of the submission, but it attaches none: \"{quoted}\"",
                                    f"attach them ({where}), or say where they are instead (e.g. 'held by the sponsor and available on request')")
                elif said is not None and said > have:
                    yield Violation(path, f"the text says {said} {kind.name} are part of the submission, but it attaches {have}: \"{quoted}\"",
                                    f"attach the others ({where}), or say which are attached")
