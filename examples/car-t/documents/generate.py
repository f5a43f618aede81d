"""Generate the small sample PDFs the CAR-T example attaches (fictional documents).

    python examples/car-t/documents/generate.py

Real submissions attach the sponsor's own reports; these stand-ins are built from the example's
YAML facts so they agree with it, are labelled as examples on every page, use the bundled fonts
(one bundled font, fully embedded), carry bookmarks and a title, and so pass `dossier preflight`.
"""

from __future__ import annotations

import html
import io
from pathlib import Path

import pikepdf
from weasyprint import HTML

from dossier import api
from dossier.render.markdown import render_markdown
from dossier.resources import templates_dir

HERE = Path(__file__).resolve().parent
FONTS = templates_dir() / "_base" / "fonts"

CSS = f"""
@font-face {{ font-family: S; src: url({(FONTS / 'LiberationSerif-Regular.ttf').as_uri()}); }}
@font-face {{ font-family: S; font-weight: bold; src: url({(FONTS / 'LiberationSerif-Regular.ttf').as_uri()}); }}
@page {{ size: A4; margin: 25mm 22mm; @bottom-center {{ content: "{{label}} · page " counter(page) " of " counter(pages); font: 9pt S; }}
        @top-center {{ content: "Example document generated for the dossier CAR-T example — fictional"; font: 9pt S; color: #555; }} }}
body {{ font: 11pt/1.35 S; }}
h1 {{ font: 20pt S; margin-top: 60mm; }}
h2 {{ font: 14pt S; break-before: page; }}
h3 {{ font: 12pt S; }}
table {{ border-collapse: collapse; width: 100%; font-size: 10pt; }}
td, th {{ border: 0.5pt solid #444; padding: 3pt; text-align: left; vertical-align: top; }}
"""


def md(text) -> str:
    return render_markdown(str(text)) if text else ""


def document(title: str, label: str, meta: list[tuple[str, str]], sections: list[tuple[str, str]], out: Path) -> None:
    rows = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in meta)
    body = "".join(f"<h2>{html.escape(h)}</h2>{content}" for h, content in sections)
    page = f"<html><head><title>{html.escape(title)}</title><style>{CSS.replace('{label}', label)}</style></head><body><h1>{html.escape(title)}</h1><table>{rows}</table>{body}</body></html>"
    raw = HTML(string=page).write_pdf(full_fonts=True, pdf_version="1.7")  # one font, fully embedded
    with pikepdf.open(io.BytesIO(raw)) as pdf:
        pdf.Root.PageMode = pikepdf.Name.UseOutlines
        from dossier.render.pdf import _strip_subset_tags

        _strip_subset_tags(pdf)
        pdf.save(out, deterministic_id=True, linearize=True)
    print(out.relative_to(HERE.parent.parent.parent))


def main() -> None:
    d = api.load(HERE.parent / "dossier.yaml").dossier
    assert d is not None, "the example must load"
    study = next(s for s in d.nonclinical.studies if s.id == "KBT-NC-004")
    document(
        f"{study.report.number}: {study.report.title}",
        study.report.number,
        [("Study", study.id), ("Report", f"{study.report.number}, version {study.report.version}"), ("Test facility", study.facility.name if study.facility else "—"), ("GLP", study.glp.value)],
        [
            ("1 Summary", md(study.key_findings)),
            ("2 Test system and design", md(study.model_justification) + f"<p>Species: {html.escape(study.species)}; route: {html.escape(study.route)}.</p>"),
            ("3 Results", md(study.key_findings)),
            ("4 Compliance statement", f"<p>{html.escape(study.glp_statement or 'Conducted in compliance with 21 CFR Part 58.')}</p>"),
            ("5 Signatures", "<p>Study Director, Quality Assurance Unit (signatures on the archived original).</p>"),
        ],
        HERE / "kbt-rpt-nc-004.pdf",
    )
    p = d.clinical.protocols[0]
    document(
        p.title,
        f"Protocol {p.id}",
        [("Protocol", p.id), ("Version", p.version), ("Phase", p.phase.value), ("Sponsor", d.sponsor.name)],
        [
            ("1 Synopsis", md(p.design)),
            ("2 Objectives and endpoints", "<ul>" + "".join(f"<li><b>{o.level.value}:</b> {html.escape(o.objective)} — {html.escape('; '.join(o.endpoints))}</li>" for o in p.objectives) + "</ul>"),
            ("3 Trial population", md(p.population.description) + "<h3>Inclusion</h3><ul>" + "".join(f"<li>{html.escape(x)}</li>" for x in p.population.inclusion) + "</ul><h3>Exclusion</h3><ul>" + "".join(f"<li>{html.escape(x)}</li>" for x in p.population.exclusion) + "</ul>"),
            ("4 Treatment", md(p.treatment.schedule)),
            ("5 Safety monitoring", md(p.safety_monitoring)),
            ("6 Statistics", md(p.statistics)),
        ],
        HERE / "kbt19-101-protocol.pdf",
    )
    ib = d.clinical.investigators_brochure
    document(
        ib.document.title,
        ib.document.number,
        [("Document", ib.document.number), ("Edition", ib.document.version or ""), ("Sponsor", d.sponsor.name)],
        [
            ("1 Description of the investigational product", md(ib.description)),
            ("2 Nonclinical studies", md(ib.pharmacology_toxicology)),
            ("3 Pharmacokinetics and product persistence", md(ib.pharmacokinetics)),
            ("4 Effects in humans", md(ib.human_experience)),
            ("5 Summary of data and guidance for the investigator", md(ib.risks)),
        ],
        HERE / "kbt-1901-ib.pdf",
    )


if __name__ == "__main__":
    main()
