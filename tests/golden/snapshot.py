"""Golden snapshots of the examples: findings and document outline per target.

Regenerate after an intended change (and review the diff before committing):

    python -m tests.golden.snapshot            # every example
    python -m tests.golden.snapshot msc limbal # some

The outline is the section tree `dossier` renders (numbers, titles, whether each heading
applies), not page layout, so snapshots do not change with incidental rendering.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from dossier import api
from dossier.classify import classify
from dossier.packs import available, load_pack
from dossier.packs.outline import build_outline

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
GOLDEN = Path(__file__).resolve().parent


def example_names() -> list[str]:
    return sorted(p.name for p in EXAMPLES.iterdir() if (p / "dossier.yaml").is_file())


def snapshot(name: str) -> dict:
    path = EXAMPLES / name / "dossier.yaml"
    result = api.check(path, "all")
    d = result.loaded.dossier
    outline = {}
    for target in available():
        rows = []
        for root in build_outline(load_pack(target), d):
            rows += [[n.level, n.heading, n.applicable] for n in root.walk()]
        outline[target] = rows
    return {
        "example": name,
        "eu_class": {"declared": d.product.eu_class.value if d.product.eu_class else None, "derived": classify(d).summary},
        "findings": [[f.rule, f.severity.name.lower(), f.path, bool(f.waiver)] for f in result.findings],
        "outline": outline,
    }


def golden_path(name: str) -> Path:
    return GOLDEN / f"{name}.json"


def write(name: str) -> Path:
    out = golden_path(name)
    out.write_text(_dump(snapshot(name)), encoding="utf-8")
    return out


def _dump(snap: dict) -> str:
    """JSON with one finding or outline row per line, so a diff shows what changed."""
    row = lambda r: "    " + json.dumps(r, ensure_ascii=False)  # noqa: E731
    parts = [
        "{",
        f' "example": {json.dumps(snap["example"])},',
        f' "eu_class": {json.dumps(snap["eu_class"])},',
        ' "findings": [' + ("\n" + ",\n".join(row(f) for f in snap["findings"]) + "\n " if snap["findings"] else "") + "],",
        ' "outline": {',
        ",\n".join(f'  {json.dumps(t)}: [\n' + ",\n".join(row(r) for r in rows) + "\n  ]" for t, rows in snap["outline"].items()),
        " }",
        "}",
    ]
    return "\n".join(parts) + "\n"


if __name__ == "__main__":
    for n in sys.argv[1:] or example_names():
        print(f"wrote {write(n).relative_to(ROOT)}")
