"""Generate the fictional sample PDFs the examples attach.

    .venv/bin/python scripts/sample_documents.py [EXAMPLE ...] [--force]

A real submission attaches the sponsor's own documents (study reports, letters of
authorization). The examples stand in for them with small PDFs built from the example's own YAML
facts, so they agree with it. Every page says that the document is a fictional example. Each
`file:` of an example that names a missing PDF is generated from the record that holds it (with
--force: every PDF this script made before, recognised by its /Creator, is made again).

The PDFs pass `dossier preflight`: fonts fully embedded (cuts of Liberation Serif and DejaVu Sans
with the characters the examples use, renamed as the OFL asks of a modified font), a title,
fast web view, no security.
"""

from __future__ import annotations

import html
import io
import sys
import tempfile
from pathlib import Path

import pikepdf
from fontTools import subset
from fontTools.ttLib import TTFont
from pydantic import BaseModel
from weasyprint import HTML

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dossier import api  # noqa: E402
from dossier.attachments import collect  # noqa: E402
from dossier.render.markdown import render_markdown  # noqa: E402
from dossier.render.pdf import _strip_subset_tags  # noqa: E402
from dossier.resources import templates_dir  # noqa: E402

CREATOR = "dossier sample_documents.py (fictional example document)"
FAMILY = "Dossier Sample Serif"
_CHARS = [*range(0x20, 0x7F), *range(0xA0, 0x180), *range(0x2010, 0x2040), *range(0x2070, 0x208F), *range(0x391, 0x3CA),
          0x2122, 0x2190, 0x2192, 0x2212, 0x2248, 0x2260, 0x2264, 0x2265, 0x221E, 0x2022, 0x2103, 0x2032, 0x2033]


def _cut(source: str, family: str, chars: list[int], out: Path) -> Path:
    font = TTFont(templates_dir() / "_base" / "fonts" / source)
    options = subset.Options()
    options.name_IDs = ["*"]
    options.hinting = False
    options.drop_tables += ["FFTM"]
    cutter = subset.Subsetter(options)
    cutter.populate(unicodes=chars)
    cutter.subset(font)
    for record in font["name"].names:
        if record.nameID in (1, 4, 16):
            record.string = family
        elif record.nameID == 6:
            record.string = family.replace(" ", "")
    font.recalcTimestamp = False  # keep the source font's dates: the same bytes on every run
    font.save(out)
    return out


def sample_fonts(folder: Path) -> tuple[Path, Path]:
    """Liberation Serif cut to the characters the examples use, and DejaVu Sans cut to the
    symbols Liberation lacks (superscript and subscript digits, arrows, maths), each under a
    family name of its own (the OFL asks a modified font to be renamed)."""
    text = _cut("LiberationSerif-Regular.ttf", FAMILY, _CHARS, folder / "serif.ttf")
    symbols = _cut("DejaVuSans.ttf", FAMILY + " Symbols", _CHARS, folder / "symbols.ttf")
    return text, symbols


CSS = """
@font-face {{ font-family: S; src: url({font}); }}
@font-face {{ font-family: Sym; src: url({symbols}); }}
@page {{ size: {size}; margin: 25mm 22mm;
  @top-center {{ content: "Fictional example document — generated for the dossier {example} example"; font: 9pt S, Sym; color: #555; }}
  @bottom-center {{ content: "{label} · page " counter(page) " of " counter(pages); font: 9pt S, Sym; }} }}
body {{ font: 11pt/1.35 S, Sym; }}
h1 {{ font: 18pt S, Sym; margin-top: 40mm; }}
h2 {{ font: 13pt S, Sym; margin-top: 14pt; }}
strong, b, th {{ font-weight: normal; }}
table {{ border-collapse: collapse; width: 100%; font-size: 10pt; margin: 6pt 0; }}
td, th {{ border: 0.5pt solid #444; padding: 3pt; text-align: left; vertical-align: top; }}
p.notice {{ border: 1pt solid #000; padding: 6pt; }}
"""


_UPPER = {"glp": "GLP", "noael": "NOAEL", "id": "ID"}


def _words(name: str) -> str:
    words = [_UPPER.get(w, w) for w in name.split("_")]
    return " ".join(words)[:1].upper() + " ".join(words)[1:]


def _plain(value) -> str | None:
    if value is None or isinstance(value, (BaseModel, list, dict)):
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(getattr(value, "value", value))


def _sections(record: BaseModel) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Short facts of the record (a table) and its long texts and tables (sections)."""
    facts, sections = [], []
    for name in type(record).model_fields:
        value = getattr(record, name)
        if name in ("sources", "report", "document") or value in (None, [], ""):
            continue
        if hasattr(value, "columns") and hasattr(value, "rows"):
            head = "".join(f"<th>{html.escape(str(c))}</th>" for c in value.columns)
            body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in value.rows)
            sections.append((_words(name), f"<table><tr>{head}</tr>{body}</table>"))
            continue
        if isinstance(value, list) and all(not isinstance(v, BaseModel) for v in value):
            value = "; ".join(str(getattr(v, "value", v)) for v in value)
        text = _plain(value)
        if text is None:
            continue
        if len(text) > 160 or "\n" in text:
            sections.append((_words(name), render_markdown(text)))
        else:
            facts.append((_words(name), text))
    return facts, sections


def write_sample(doc, record: BaseModel | None, example: str, fonts: tuple[Path, Path], out: Path, about: list[tuple[str, str]] = ()) -> None:
    title = f"{doc.number}: {doc.title}" if doc.title else doc.number
    meta = [("Document", doc.number), ("Version", doc.version or ""), ("Status", doc.status.value if doc.status else ""), ("Date", doc.date.isoformat() if doc.date else ""), *about]
    facts, sections = _sections(record) if record is not None else ([], [])
    rows = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in meta + facts if v)
    body = "".join(f"<h2>{i}. {html.escape(h)}</h2>{content}" for i, (h, content) in enumerate(sections, 1))
    notice = ("<p class=\"notice\">This is not a real document. It was generated from the facts of the fictional "
              f"{html.escape(example)} example to show how dossier files and links an attached document.</p>")
    css = CSS.format(font=fonts[0].as_uri(), symbols=fonts[1].as_uri(), size="letter", example=html.escape(example), label=html.escape(doc.number))
    page = f"<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title><style>{css}</style></head><body><h1>{html.escape(title)}</h1>{notice}<table>{rows}</table>{body}</body></html>"
    raw = HTML(string=page).write_pdf(full_fonts=True, pdf_version="1.7")
    with pikepdf.open(io.BytesIO(raw)) as pdf:
        pdf.Root.PageMode = pikepdf.Name.UseOutlines
        _strip_subset_tags(pdf)
        pdf.docinfo[pikepdf.Name.Creator] = CREATOR
        out.parent.mkdir(parents=True, exist_ok=True)
        pdf.save(out, deterministic_id=True, linearize=True)


def _made_here(path: Path) -> bool:
    try:
        with pikepdf.open(path) as pdf:
            return str(pdf.docinfo.get(pikepdf.Name.Creator, "")) == CREATOR
    except Exception:  # noqa: BLE001 - not ours if it does not open
        return False


def _parent(model: BaseModel, where: tuple) -> BaseModel | None:
    node = model
    for step in where[:-1]:
        node = node[step] if isinstance(step, int) else getattr(node, step)
    return node if isinstance(node, BaseModel) else None


def generate(example: Path, force: bool, fonts: tuple[Path, Path]) -> list[Path]:
    loaded = api.load(example)
    if loaded.dossier is None:
        raise SystemExit(f"{example.name}: does not validate; fix it first")
    made = []
    for where, doc in collect(loaded.dossier):
        yaml_file = loaded.source_map.locate(where).file
        target = (Path(yaml_file).parent / doc.file).resolve()
        if target.exists() and not (force and _made_here(target)):
            continue
        d = loaded.dossier
        about = [("Sponsor", d.sponsor.name), ("Product", f"{d.product.name} ({d.product.code})")]
        write_sample(doc, _parent(d, where), example.name, fonts, target, about)
        made.append(target)
    return made


def main(argv: list[str]) -> None:
    force = "--force" in argv
    names = [a for a in argv if not a.startswith("--")]
    examples = [ROOT / "examples" / n for n in names] or sorted(p.parent for p in (ROOT / "examples").glob("*/dossier.yaml"))
    with tempfile.TemporaryDirectory() as tmp:
        fonts = sample_fonts(Path(tmp))
        for example in examples:
            for path in generate(example, force, fonts):
                print(path.relative_to(ROOT))


if __name__ == "__main__":
    main(sys.argv[1:])
