"""Which facts a document prints as a value but not as "not yet known" when the YAML says so.

For each scalar field of an example's dossier.yaml (mapping values only: a list item cannot be
answered not yet known), one at a time: answer it `{unknown: {reason: probe-N}}`, build the
draft HTML, and report the fields whose value the original document printed but whose probe
reason the new document does not show (a field whose answer leaves the document unchanged is
not printed: its value's words stood there for another fact). A development aid for templates, not a test: it builds
one document per field (about a second each).

    .venv/bin/python scripts/unknown_coverage.py examples/aav --target ind [--limit N]
"""

from __future__ import annotations

import argparse
import html
import re
import shutil
import sys
import tempfile
from pathlib import Path

import yaml

from dossier import api
from dossier.errors import DossierError
from dossier.io.yamlsource import format_path


def leaves(node: yaml.Node, path: tuple = ()):
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(value, yaml.ScalarNode):
                yield (*path, key.value), value
            else:
                yield from leaves(value, (*path, key.value))
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            if not isinstance(item, yaml.ScalarNode):
                yield from leaves(item, (*path, i))


def text_of(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("example", type=Path)
    ap.add_argument("--target", default="ind")
    ap.add_argument("--limit", type=int, default=0)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp())
    try:
        shutil.copytree(args.example, work / "ex")
        source = work / "ex" / "dossier.yaml"
        original = source.read_text(encoding="utf-8")
        out = work / "doc.html"
        api.build(source, args.target, output=out, fmt="html", draft=True)
        first = out.read_text(encoding="utf-8")
        baseline = text_of(first)
        fields = [(p, n) for p, n in leaves(yaml.compose(original)) if n.value and len(n.value) >= 4 and n.value in baseline and "\n" not in n.value]
        if args.limit:
            fields = fields[: args.limit]
        missed = []
        for i, (path, node) in enumerate(list(fields)):
            reason = f"probe-{i}-reason"
            start, end = node.start_mark.index, node.end_mark.index
            source.write_text(original[:start] + "{unknown: {reason: " + reason + "}}" + original[end:], encoding="utf-8")
            try:
                api.build(source, args.target, output=out, fmt="html", draft=True)
            except DossierError as exc:  # the answer cannot stand here (e.g. an id others name)
                print(f"skip {format_path(path)}: {exc}", file=sys.stderr)
                fields.remove((path, node))
                continue
            except Exception as exc:  # noqa: BLE001 - an internal error is a field not shown
                missed.append(f"{format_path(path)} ({type(exc).__name__}: {exc})")
                continue
            page = out.read_text(encoding="utf-8")
            if page == first:  # the value's words stood there for another fact: not printed
                fields.remove((path, node))
            elif reason not in page:
                missed.append(format_path(path))
        print(f"{len(fields) - len(missed)} of {len(fields)} printed fields show their not-yet-known answer ({args.target}, {args.example})")
        for path in missed:
            print("  not shown:", path)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
