"""Generate synthetic but schema-valid dossiers of a chosen size from the CAR-T example.

    python benchmarks/generate.py --scale 3 -o /tmp/bench/scale3/dossier.yaml

`--scale N` multiplies the repeated facts: nonclinical studies, lots, stability time points and
studies, protocols (each with its own id, investigators follow), and `--narrative K` repeats each
narrative paragraph K times. The result passes `dossier check` like the example it comes from, so
builds exercise every template. Pages of the IND (2026-11-22): scale 1 = 103, 3 = 166, 8 = 320, 10 = 383.

The example's attached PDFs are copied beside the generated dossier (`documents/`).
`--attached-pages P` also attaches a generated study report to every nonclinical study, P pages
in all (split evenly, the first reports taking the remainder): text pages with one embedded font,
a bookmark per chapter of 10 pages, as a report exported from a word processor would be; they pass
the attachment checks. Reports already generated with the same pages are reused.
"""

from __future__ import annotations

import argparse
import shutil
import copy
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dossier.io.yamlsource import load_file  # noqa: E402


def _suffix(value: str, n: int) -> str:
    return value if n == 0 else f"{value}-X{n}"


def _grow_narratives(node, k: int):
    if k <= 1:
        return node
    if isinstance(node, dict):
        return {key: _grow_narratives(v, k) for key, v in node.items()}
    if isinstance(node, list):
        return [_grow_narratives(v, k) for v in node]
    if isinstance(node, str) and "\n\n" in node.strip() or (isinstance(node, str) and len(node) > 300):
        return "\n\n".join([node.strip()] * k) + "\n"
    return node


def scale(data: dict, n: int, narrative: int = 1) -> dict:
    d = copy.deepcopy(data)
    q, nc, cl = d["quality"], d["nonclinical"], d["clinical"]
    lots = q["lots"]
    q["lots"] = [dict(lot, id=_suffix(lot["id"], i)) for i in range(n) for lot in lots]
    studies = nc["studies"]
    nc["studies"] = [
        dict(s, id=_suffix(s["id"], i), test_article_lots=[_suffix(x, i) for x in s.get("test_article_lots", [])]) for i in range(n) for s in studies
    ]
    for holder in [*q["drug_substances"], q["drug_product"]]:
        st = holder.get("stability")
        if st and st.get("studies"):
            st["studies"] = [
                dict(s, lots=[_suffix(x, i) for x in s.get("lots", [])], timepoints=[*s.get("timepoints", []), *[f"{t} (repeat {i})" for t in s.get("timepoints", [])[:2] if i]])
                for i in range(n)
                for s in st["studies"]
            ]
    protocols = cl["protocols"]
    cl["protocols"] = [dict(p, id=_suffix(p["id"], i), nct_number=p.get("nct_number") if i == 0 else None) for i in range(n) for p in protocols]
    for inv in cl.get("investigators", []):
        inv["protocols"] = [_suffix(pid, i) for pid in inv["protocols"] for i in range(n)]
    for cro in d["sponsor"].get("cros", []):
        cro["studies"] = [_suffix(pid, i) for pid in cro.get("studies", []) for i in range(n)]
    return _grow_narratives(d, narrative)


class _NoAliases(yaml.SafeDumper):
    """Repeated facts are written out in full: dossiers refuse YAML aliases."""

    def ignore_aliases(self, data) -> bool:
        return True


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=int, default=1)
    ap.add_argument("--narrative", type=int, default=1)
    ap.add_argument("--source", default=str(ROOT / "examples" / "car-t" / "dossier.yaml"))
    ap.add_argument("--attached-pages", type=int, default=0, help="attach generated study reports of this many pages in all")
    ap.add_argument("-o", "--output", required=True)
    args = ap.parse_args()
    source = Path(args.source)
    data = load_file(source, includes=True).data
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    data = scale(data, args.scale, args.narrative)
    attach_beside(data, source.parent, out.parent)
    if args.attached_pages:
        attach_reports(data, args.attached_pages, out.parent)
    text = yaml.dump(data, Dumper=_NoAliases, sort_keys=False, allow_unicode=True, width=100)
    out.write_text(text, encoding="utf-8")
    print(out)


def attach_beside(node, source_dir: Path, out_dir: Path) -> None:
    """The source's attached PDFs are named relative to the file that named them (an included
    file in a subfolder); the generated dossier is one file, so each is copied to
    `<out>/documents/` and named from there."""
    if isinstance(node, list):
        for item in node:
            attach_beside(item, source_dir, out_dir)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "file" and isinstance(value, str) and value.endswith(".pdf"):
                name = Path(value).name
                found = next(source_dir.rglob(name), None)
                if found is None:
                    raise SystemExit(f"generate: attached file {value} not found under {source_dir}")
                (out_dir / "documents").mkdir(parents=True, exist_ok=True)
                shutil.copyfile(found, out_dir / "documents" / name)
                node[key] = f"documents/{name}"
            else:
                attach_beside(value, source_dir, out_dir)


def attach_reports(data: dict, total: int, out_dir: Path) -> None:
    """Give every nonclinical study a generated report PDF; `total` pages in all."""
    studies = [s for s in data["nonclinical"]["studies"] if s.get("report")]
    if not studies:
        raise SystemExit("generate: the source has no study with a report to attach")
    each, extra = divmod(total, len(studies))
    for i, study in enumerate(studies):
        pages = each + (1 if i < extra else 0)
        if pages == 0:
            continue
        name = f"{study['id'].lower()}-report-{pages}p.pdf"
        path = out_dir / "documents" / "generated" / name
        if not path.exists():
            report_pdf(path, pages, f"{study['id']}: {study.get('title', 'study report')}")
        study["report"]["file"] = f"documents/generated/{name}"


LINES = [
    "The test item was administered as a single intravenous dose on Day 1; animals were observed twice daily.",
    "Body weights were recorded before dosing and weekly thereafter; no test item-related changes were seen.",
    "Clinical pathology samples were taken at the scheduled necropsies; values were within historical ranges.",
    "Tissues were fixed in 10% neutral buffered formalin, processed, embedded and stained with haematoxylin and eosin.",
    "Quantitative PCR for the transgene was performed on genomic DNA extracted from the collected tissues.",
]


def report_pdf(path: Path, pages: int, title: str) -> None:
    """A text-only report of `pages` Letter pages (each its own content), bookmarked per chapter."""
    import pikepdf

    from dossier.render.stamp import FooterFont, encode

    path.parent.mkdir(parents=True, exist_ok=True)
    pdf = pikepdf.new()
    font = FooterFont(pdf).font
    resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    for k in range(1, pages + 1):
        lines = [f"{title} - page {k} of {pages}", ""] + [f"{k}.{n} {LINES[(k + n) % len(LINES)]}" for n in range(1, 41)]
        ops = [b"BT /F1 10 Tf 12 TL 72 730 Td"] + [b"(" + encode(line).replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b") '" for line in lines] + [b"ET"]
        page = pikepdf.Dictionary(Type=pikepdf.Name.Page, MediaBox=[0, 0, 612, 792], Resources=resources, Contents=pdf.make_stream(b"\n".join(ops)))
        pdf.pages.append(pikepdf.Page(pdf.make_indirect(page)))
    with pdf.open_outline() as ol:
        for start in range(0, pages, 10):
            ol.root.append(pikepdf.OutlineItem(f"Chapter {start // 10 + 1}", start))
    pdf.docinfo["/Title"] = title
    pdf.save(path, compress_streams=True, deterministic_id=True, min_version="1.7")


if __name__ == "__main__":
    main()
