"""Table shapes a reviewer reads: batch results as a test × lot grid beside the acceptance
criterion, and columns whose every cell is the same said once instead of in every row.

Presentation only: nothing here decides what the dossier says; it arranges the facts the
templates would otherwise print row by row.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dossier.render.absent import value_of

LOTS_PER_TABLE = 4
"""Lot columns per batch-results table (a test, its criterion and four lots fit a portrait page)."""


@dataclass
class BatchRow:
    test: str
    acceptance: str | None
    """The criterion of the material's specification for this test (None: not in the specification)."""
    results: list[str | None]
    """One per lot of the table; None where the lot gives no result for the test."""


@dataclass
class BatchTable:
    lots: list = field(default_factory=list)
    rows: list[BatchRow] = field(default_factory=list)
    specification_given: bool = True
    """False when the material's specification is not stated: a test then has no criterion to
    show, rather than being 'not in the specification'."""


def _key(item) -> object:
    """A test's row key: its name, compared without case and spacing; a test whose name is not
    yet known is a row of its own."""
    if item.test is None:
        return ("not yet known", id(item))
    return " ".join(item.test.casefold().split())


def batch_tables(material, lots: list, per_table: int = LOTS_PER_TABLE) -> list[BatchTable]:
    """The results of `lots` as grids of at most `per_table` lots: one row per test, in the order of
    the material's specification, then any other test in the order the lots give them; a row only
    where a lot of that table has a result."""
    spec = {_key(t): t for t in (getattr(material, "specification", None) or [])}
    order: dict[object, object] = {}
    for t in getattr(material, "specification", None) or []:
        order.setdefault(_key(t), value_of(t, "test"))
    for lot in lots:
        for r in lot.results:
            order.setdefault(_key(r), value_of(r, "test"))
    tables = []
    with_results = [lot for lot in lots if lot.results]
    for start in range(0, len(with_results), per_table):
        chunk = with_results[start : start + per_table]
        by_lot = [{_key(r): value_of(r, "result") for r in lot.results} for lot in chunk]
        rows = []
        for key, name in order.items():
            cells = [results.get(key) for results in by_lot]
            if any(c is not None for c in cells):
                criterion = value_of(spec[key], "acceptance") if key in spec else None
                rows.append(BatchRow(name, criterion, cells))
        given = bool(getattr(material, "specification", None)) or (hasattr(material, "told") and material.told("specification") == "given")
        tables.append(BatchTable(chunk, rows, given))
    return tables


def constant(values: list) -> tuple[bool, object]:
    """(True, the value) when every value is the same (an empty list is not constant)."""
    if not values:
        return False, None
    first = values[0]
    return all(v == first for v in values[1:]), first
