"""Where the time of `dossier check` goes: its steps, timed in order in one fresh process.

    python benchmarks/check_profile.py [--runs 5] [--dossier examples/car-t/dossier.yaml]

Follows what `dossier check --target all --format json` does (imports, YAML with source map,
validation, packs, rules, report) and times each step the first time, as a real run pays it;
steps that build something once (the pydantic validator, the packs) are timed a second time to
separate that construction from the work proper. Each run is a fresh interpreter; the report
gives the median per step. Wall time, no profiler overhead; for detail use
`python -X importtime -m dossier check ...` and `python -m cProfile -s cumtime -m dossier check ...`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, os, sys, time
t0 = time.perf_counter()
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")  # as dossier.cli.main does
steps = []
def step(name, since):
    now = time.perf_counter()
    steps.append((name, (now - since) * 1000))
    return now
t = t0
import yaml, pydantic
t = step("import yaml, pydantic (what the floor imports; pydantic's are lazy)", t)
from pydantic import BaseModel
t = step("pydantic's model machinery (first `from pydantic import BaseModel`)", t)
import typer
t = step("import typer", t)
import dossier.cli
t = step("import dossier.cli (rest)", t)
import dossier.model
t = step("import dossier.model: the model classes are built (validators deferred)", t)
from dossier import api
t = step("import dossier.api (rest: pack manifest models, YAML loader, ...)", t)
from dossier import report
from dossier.report import github
from dossier.rules.catalog import catalog
import typer._adapters
t = step("imports of the check command (report, rule kinds) and of typer's app()", t)
from pathlib import Path
from dossier.io.yamlsource import load_file
from dossier.packs import available, load_pack
from dossier.validate import validate
path = Path(sys.argv[1])
res = load_file(path, display=str(path), includes=True)
t = step("load the YAML with its source map", t)
d, findings = validate(res.data, res.source_map)
t = step("validate: the Dossier validator is built, then used", t)
packs = [load_pack(n) for n in available()]
t = step("load both packs (pack YAML, shared sections, pack models)", t)
loaded = api.Loaded(path, d, res.source_map, findings)
results = [api.check_pack(loaded, n) for n in api.targets_for("all")]
t = step("rules and completeness for both packs, waivers", t)
findings = findings + [f for _, pc, _ in results for f in pc.findings]
rep = report.Report(findings, [r.as_dict() for _, _, r in results], {}, "0", False, False)
report.render("json", rep)
t = step("render the JSON report", t)
total = (t - t0) * 1000
a = time.perf_counter(); load_file(path, display=str(path), includes=True); again = {"load the YAML": (time.perf_counter() - a) * 1000}
a = time.perf_counter(); validate(res.data, res.source_map); again["validate"] = (time.perf_counter() - a) * 1000
load_pack.cache_clear()
a = time.perf_counter(); [load_pack(n) for n in available()]; again["load both packs"] = (time.perf_counter() - a) * 1000
a = time.perf_counter(); [api.check_pack(loaded, n) for n in api.targets_for("all")]; again["rules"] = (time.perf_counter() - a) * 1000
print(json.dumps({"steps": steps, "total": total, "again": again}))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--dossier", default=str(ROOT / "examples" / "car-t" / "dossier.yaml"))
    args = ap.parse_args()
    runs = []
    for _ in range(args.runs + 1):  # the first run warms the file cache and the .pyc files
        out = subprocess.run([sys.executable, "-c", CHILD, args.dossier], capture_output=True, text=True, check=True, cwd=ROOT)
        runs.append(json.loads(out.stdout))
    runs = runs[1:]
    print(f"median of {args.runs} fresh processes (ms), after interpreter start-up:")
    for i, (name, _) in enumerate(runs[0]["steps"]):
        print(f"{statistics.median(r['steps'][i][1] for r in runs):7.1f}  {name}")
    print(f"{statistics.median(r['total'] for r in runs):7.1f}  total")
    print("the same steps again in the same process (the work without the one-time construction):")
    for name in runs[0]["again"]:
        print(f"{statistics.median(r['again'][name] for r in runs):7.1f}  {name}")


if __name__ == "__main__":
    main()
