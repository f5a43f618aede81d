"""Word output: the document's HTML written as a DOCX a writer can edit.

The same templates that give the PDF give the HTML this module reads, so the Word document says
what the PDF says. Structure becomes Word structure: numbered headings use the Heading styles
(Word's navigation pane and its own table of contents work), the contents is a TOC field,
tables are Word tables whose header rows repeat, figures are pictures (laid out by WeasyPrint
and rasterised, so they look as in the PDF) with captions, and the running header and the
"Page X of Y" footer are fields.

Where text came from (dossier/render/provenance.py): every narrative field is a content control
(`w:sdt`) whose title is the fact's YAML path and whose tag is ``dossier:N``; every other fact
printed from the YAML (a name, a limit, a table cell) is an inline content control the same way;
a table's control names the deepest path its facts share; a missing or not-yet-known fact is
highlighted and named too. The table of entries (path, kind, SHA-256 of the text as generated)
is a custom XML part (`customXml/item1.xml`), which `dossier ingest` reads to find and check the
writer's edits.

The same input gives the same bytes: document properties come from the YAML (or
SOURCE_DATE_EPOCH), ids are counters, and the ZIP entries carry a fixed time.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import hashlib
import io
import re
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import quoteattr

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_BREAK
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.part import Part
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Inches, Pt, RGBColor, Twips
from docx.text.paragraph import Paragraph
from lxml import html as lxml_html

from dossier.errors import InputFileError
from dossier.io.yamlsource import format_path
from dossier.render.docx_blocks import NAMESPACE
from dossier.render.provenance import CLOSE, OPEN, SEP, Entry, strip_markers

TAG_PREFIX = "dossier:"
PAGE = {"letter": (Inches(8.5), Inches(11)), "a4": (Emu(7560310), Emu(10692130))}
MARGINS = (Inches(1), Inches(0.85), Inches(0.95), Inches(1))
"""Top, right, bottom, left: as the PDF (print.css)."""
FIGURE_DPI = 200
_BLOCK = {"p", "div", "section", "nav", "ul", "ol", "table", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dl", "blockquote", "pre"}
_SKIP_CLASSES = {"running-header", "draft-mark", "att-pages", "link-target"}
_NOTE_CLASSES = {"empty", "none", "not-applicable"}
_HIGHLIGHT_CLASSES = {"placeholder", "unknown"}


@dataclass
class DocxMeta:
    title: str
    author: str
    subject: str
    keywords: str
    created: dt.date | None
    page_size: str
    """letter or a4 (the pack's preflight size)."""
    source: str
    """The dossier's root file, relative to the DOCX's folder (for `dossier ingest`)."""
    target: str
    region: str | None
    version: str
    draft: bool = False


@dataclass
class _State:
    bookmarks: dict[str, str] = field(default_factory=dict)
    next_id: int = 1
    headers: list[str] = field(default_factory=list)

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id


def bookmark_name(anchor: str, taken: dict[str, str]) -> str:
    """A Word bookmark name for an HTML id: letters, digits and _, at most 40, starting with a letter."""
    if anchor in taken:
        return taken[anchor]
    name = re.sub(r"[^A-Za-z0-9_]", "_", anchor)
    if not name[:1].isalpha():
        name = "d_" + name
    if len(name) > 40:
        name = name[:31] + "_" + hashlib.sha1(anchor.encode()).hexdigest()[:8]
    used = set(taken.values())
    base, n = name, 1
    while name in used:
        n += 1
        name = f"{base[:36]}_{n}"
    taken[anchor] = name
    return name


def write_docx(html: str, entries: list[Entry], texts: dict[int, str], meta: DocxMeta, *, template: Path | None = None, extra_roots: list[Path] | None = None) -> bytes:
    """The DOCX of a rendered document. `entries` and `texts` (entry number -> text as generated)
    come from the provenance tracker that was active while `html` was rendered."""
    root = lxml_html.document_fromstring(html)
    body = root.find("body")
    doc = _open(template)
    if template is None:
        section = doc.sections[0]
        section.page_width, section.page_height = PAGE.get(meta.page_size.lower(), PAGE["letter"])
        section.top_margin, section.right_margin, section.bottom_margin, section.left_margin = MARGINS
    state = _State()
    for el in body.iter():
        if isinstance(el.tag, str) and el.get("id"):
            bookmark_name(strip_markers(el.get("id")), state.bookmarks)
    writer = _Writer(doc, entries, state, _figures(root, extra_roots or [], meta.page_size))
    for child in body:
        writer.block(child, doc.element.body)
    _header_footer(doc, template is not None, body)
    _properties(doc, meta)
    _provenance_part(doc, entries, texts, _shown(doc, entries), meta)
    _settings(doc)
    _drop_thumbnail(doc)
    out = io.BytesIO()
    doc.save(out)
    return _normalise_zip(out.getvalue())


def build_docx(pack, d, nodes, options, *, source: str, target: str, version: str, template: Path | None = None, extra_roots: list[Path] | None = None) -> bytes:
    """Render `nodes` of the pack for Word, with the provenance of every fact."""
    import dataclasses

    from dossier.model import regional
    from dossier.render.html import document_date, render_html
    from dossier.render.provenance import Tracker, tracking

    view = regional.view(d, pack.region)
    with tracking(Tracker.of(view)) as tracker:
        html = render_html(pack, d, nodes, dataclasses.replace(options, output="docx"))
    title = f"{d.product.code} {pack.title}" + (f" — {options.section_title}" if options.section_title else "")
    meta = DocxMeta(
        title=title,
        author=str(d.sponsor.name),
        subject=f"{pack.title} for {d.product.name} ({d.product.code})",
        keywords=f"{pack.short_title}, {d.product.code}",
        created=document_date(d),
        page_size=pack.page.preflight_size,
        source=source,
        target=target,
        region=pack.region,
        version=version,
        draft=options.draft,
    )
    return write_docx(html, tracker.entries, tracker.texts, meta, template=template, extra_roots=extra_roots)


# --- the document and its styles -------------------------------------------------------------

def _open(template: Path | None):
    if template is None:
        doc = docx.Document()
        _default_styles(doc)
    else:
        try:
            doc = docx.Document(str(template))
        except Exception:  # python-docx raises several types for a file that is not DOCX
            raise InputFileError(f"{template}: not a Word document (.docx)", hint="give the company template saved from Word as 'Word Document (.docx)'; a .dotx template or a .doc file must be saved as .docx first") from None
        body = doc.element.body
        for child in list(body):
            if child.tag != qn("w:sectPr"):
                body.remove(child)
    _ensure_styles(doc)
    return doc


def _default_styles(doc) -> None:
    """Styles of the bundled default: the PDF's fonts, sizes and spacing."""
    st = doc.styles
    normal = st["Normal"]
    normal.font.name = "Liberation Serif"
    normal.font.size = Pt(11)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.15
    for level, size in enumerate((16, 13.5, 12, 11, 11, 11), start=1):
        h = st[f"Heading {level}"]
        h.font.name = "Liberation Sans"
        h.font.size = Pt(size)
        h.font.bold = True
        h.font.italic = False
        h.font.color.rgb = RGBColor(0, 0, 0)
        h.paragraph_format.space_before = Pt(14 if level > 1 else 0)
        h.paragraph_format.space_after = Pt(6)
        h.paragraph_format.keep_with_next = True
        h.paragraph_format.page_break_before = level == 1
    for name in ("Title", "Subtitle", "TOC Heading", "Caption"):
        s = st[name]
        s.font.name = "Liberation Sans"
        s.font.color.rgb = RGBColor(0, 0, 0)
    st["Title"].font.size = Pt(24)
    st["Subtitle"].font.size = Pt(14)
    st["Caption"].font.size = Pt(9.5)
    st["Caption"].font.bold = False


def _ensure_styles(doc) -> None:
    """Styles this writer uses that a template may lack, created from Normal."""
    st = doc.styles
    names = {s.name for s in st}
    for name, size, italic in (("Caption", 9.5, False), ("Title", 24, False), ("Subtitle", 14, False), ("TOC Heading", 16, False), ("Dossier Requirement", 9, True), ("Dossier Note", None, True), ("Dossier Table", 9, False), ("Dossier Running Header", 9, False)):
        if name not in names:
            s = st.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            s.base_style = st["Normal"]
            if size:
                s.font.size = Pt(size)
            s.font.italic = italic
            if name == "Dossier Requirement":
                s.font.color.rgb = RGBColor(0x44, 0x44, 0x44)
            if name in ("Dossier Table", "Dossier Running Header"):  # as the PDF's tables: 9 pt, tight lines
                s.paragraph_format.space_after = Pt(0)
                s.paragraph_format.line_spacing = 1.0
    for level in range(1, 10):
        if f"Heading {level}" not in names:
            s = st.add_style(f"Heading {level}", WD_STYLE_TYPE.PARAGRAPH)
            s.base_style = st["Normal"]
            s.font.bold = True
    for level in range(1, 5):
        if f"TOC {level}" not in names:
            s = st.add_style(f"TOC {level}", WD_STYLE_TYPE.PARAGRAPH)
            s.base_style = st["Normal"]
            s.paragraph_format.left_indent = Inches(0.25 * (level - 1))
            s.paragraph_format.space_after = Pt(2)


def _header_footer(doc, from_template: bool, body) -> None:
    """The running header (sponsor and product left, document right) and "Page X of Y", unless a
    company template brings its own."""
    section = doc.sections[0]
    header = section.header
    if from_template and not header.is_linked_to_previous and any(p.text.strip() for p in header.paragraphs):
        return  # the company template's header and footer stay
    rh = body.find_class("running-header")
    left = right = ""
    if rh:
        spans = rh[0].findall("span")
        left = strip_markers(spans[0].text_content()).strip() if spans else ""
        right = strip_markers(spans[1].text_content()).strip() if len(spans) > 1 else ""
    width = None
    for section in doc.sections:  # a landscape section gets its own, with the right text at its margin
        if section.page_width == width:
            continue
        width = section.page_width
        section.header.is_linked_to_previous = False
        section.footer.is_linked_to_previous = False
        _running_header(doc, section, left, right)
        _page_footer(section)


def _running_header(doc, section, left: str, right: str) -> None:
    p = section.header.paragraphs[0]
    p.text = ""
    p.style = doc.styles["Dossier Running Header"]  # Word's Header style has a centre tab the right text would stop at
    width = section.page_width - section.left_margin - section.right_margin
    p.paragraph_format.tab_stops.add_tab_stop(width, alignment=2)  # right
    run = p.add_run(left + "\t" + right)
    run.font.size = Pt(9)


def _page_footer(section) -> None:
    footer = section.footer.paragraphs[0]
    footer.text = ""
    footer.alignment = 1  # centre
    for piece in ("Page ", ("PAGE", "1"), " of ", ("NUMPAGES", "1")):
        if isinstance(piece, tuple):
            _field(footer._p, piece[0], piece[1], size=9)
        else:
            r = footer.add_run(piece)
            r.font.size = Pt(9)


def _properties(doc, meta: DocxMeta) -> None:
    cp = doc.core_properties
    cp.title = meta.title
    cp.author = meta.author
    cp.subject = meta.subject
    cp.keywords = meta.keywords
    cp.comments = f"Generated by dossier {meta.version} from {meta.source} ({meta.target})" + ("; DRAFT" if meta.draft else "")
    cp.last_modified_by = "dossier"
    cp.revision = 1
    when = dt.datetime.combine(meta.created, dt.time()) if meta.created else dt.datetime(2000, 1, 1)
    cp.created = cp.modified = cp.last_printed = when
    cp.category = "Regulatory submission draft" if meta.draft else "Regulatory submission"


def _drop_thumbnail(doc) -> None:
    """python-docx's default package carries a preview picture of another document."""
    package = doc.part.package
    for r_id, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            del package.rels[r_id]


def _settings(doc) -> None:
    """Ask Word to update fields (contents page numbers, page count) when the document opens."""
    settings = doc.settings.element
    if settings.find(qn("w:updateFields")) is not None:
        return
    el = OxmlElement("w:updateFields")
    el.set(qn("w:val"), "true")
    later = next((c for c in settings if isinstance(c.tag, str) and c.tag.split("}")[1] in _AFTER_UPDATE_FIELDS), None)
    if later is not None:
        later.addprevious(el)  # CT_Settings is a sequence: Word refuses elements out of order
    else:
        settings.append(el)


_AFTER_UPDATE_FIELDS = {
    "hdrShapeDefaults", "footnotePr", "endnotePr", "compat", "docVars", "rsids", "mathPr", "attachedSchema", "themeFontLang",
    "clrSchemeMapping", "doNotIncludeSubdocsInStats", "doNotAutoCompressPictures", "forceUpgrade", "captions",
    "readModeInkLockDown", "smartTagType", "schemaLibrary", "shapeDefaults", "doNotEmbedSmartTags", "decimalSymbol", "listSeparator",
}


def _shown(doc, entries: list[Entry]) -> dict[int, str]:
    """Entry number -> digest of what its first control shows, read as `dossier ingest` reads a
    writer's document: a control whose digest is unchanged was not edited."""
    from dossier.render import docx_blocks

    styles = {s.style_id: s.name.lower() for s in doc.styles}
    links = {r_id: rel.target_ref for r_id, rel in doc.part.rels.items() if rel.is_external}
    out: dict[int, str] = {}
    for sdt in doc.element.body.iter(qn("w:sdt")):
        tag = sdt.find(qn("w:sdtPr")).find(qn("w:tag")).get(qn("w:val"))
        if not tag[len(TAG_PREFIX):].isdigit() or int(tag[len(TAG_PREFIX):]) in out:
            continue
        n = int(tag[len(TAG_PREFIX):])
        content = sdt.find(qn("w:sdtContent"))
        if entries[n].kind == "text":
            out[n] = docx_blocks.digest(docx_blocks.read_blocks(content, styles, links))
        else:
            out[n] = docx_blocks.digest(docx_blocks.shown_text(content, links))
    return out


def _provenance_part(doc, entries: list[Entry], texts: dict[int, str], shown: dict[int, str], meta: DocxMeta) -> None:
    facts = []
    for n, e in enumerate(entries):
        digest = hashlib.sha256(texts.get(n, "").encode("utf-8")).hexdigest()
        facts.append(f"  <fact id=\"{n}\" kind=\"{e.kind}\" path={quoteattr(format_path(e.path))} sha256=\"{digest}\" shown=\"{shown.get(n, '')}\"/>")
    region = f" region=\"{meta.region}\"" if meta.region else ""
    xml = (
        f"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<dossier xmlns=\"{NAMESPACE}\" source={quoteattr(meta.source)} "
        f"target={quoteattr(meta.target)}{region} version={quoteattr(meta.version)}>\n" + "\n".join(facts) + "\n</dossier>\n"
    )
    package = doc.part.package
    item = Part(package.next_partname("/customXml/item%d.xml"), "application/xml", xml.encode("utf-8"), package)
    guid = "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, NAMESPACE + "/" + meta.source + "/" + meta.target)).upper() + "}"
    props = (
        f"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n<ds:datastoreItem ds:itemID=\"{guid}\" "
        "xmlns:ds=\"http://schemas.openxmlformats.org/officeDocument/2006/customXml\">"
        f"<ds:schemaRefs><ds:schemaRef ds:uri=\"{NAMESPACE}\"/></ds:schemaRefs></ds:datastoreItem>"
    )
    item_props = Part(package.next_partname("/customXml/itemProps%d.xml"), "application/vnd.openxmlformats-officedocument.customXmlProperties+xml", props.encode("utf-8"), package)
    item.relate_to(item_props, RT.CUSTOM_XML_PROPS)
    doc.part.relate_to(item, RT.CUSTOM_XML)


def _normalise_zip(data: bytes) -> bytes:
    """The same archive with every entry dated 1980-01-01, so equal input gives equal bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


_MARGIN_BOXES = [f"{edge}-{part}" for edge in ("top", "bottom") for part in ("left-corner", "left", "center", "right", "right-corner")] + [
    f"{edge}-{part}" for edge in ("left", "right") for part in ("top", "middle", "bottom")
]


# --- figures ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Picture:
    png: bytes
    width: int
    """Pixels at FIGURE_DPI."""


def _figures(root, extra_roots: list[Path], page_size: str) -> dict[str, Picture]:
    """Each figure's drawing laid out by WeasyPrint with the document's styles, rasterised and
    cropped: figure id -> PNG. One layout pass for all figures of the document, each on a page
    of the text width and 20 inches high (twice a body page: a figure the PDF fits on one page
    fits; the bitmap of a taller page would cost memory for nothing)."""
    figs = [f for f in root.iter("figure") if f.get("id")]
    if not figs:
        return {}
    import copy

    import pypdfium2
    from PIL import Image, ImageChops

    from dossier.render.pdf import render_raw

    width = (PAGE.get(page_size.lower(), PAGE["letter"])[0] - MARGINS[1] - MARGINS[3]) / 914400
    styles = "".join(lxml_html.tostring(s, encoding="unicode") for s in root.iter("style"))
    parts = []
    for f in figs:
        drawing = copy.deepcopy(f)
        for cap in drawing.findall("figcaption"):
            drawing.remove(cap)
        for extra in drawing.find_class("sources"):
            extra.getparent().remove(extra)
        parts.append("<div class=\"docx-fig\">" + strip_markers(lxml_html.tostring(drawing, encoding="unicode")) + "</div>")
    boxes = " ".join(f"@{box} {{ content: none }}" for box in _MARGIN_BOXES)  # no running header or page number in a picture
    page = (
        f"<style>@page {{ size: {width:.3f}in 20in; margin: 0; {boxes} }} @page :first {{ margin: 0; {boxes} }} "
        "body { margin: 0 } .docx-fig { break-after: page } figure { margin: 0 }</style>"
    )
    html = f"<!DOCTYPE html><html><head><meta charset=\"utf-8\">{styles}{page}</head><body class=\"final mode-body\">{''.join(parts)}</body></html>"
    pdf = pypdfium2.PdfDocument(render_raw(html, extra_roots))
    out: dict[str, Picture] = {}
    try:
        for f, i in zip(figs, range(len(pdf))):
            image = pdf[i].render(scale=FIGURE_DPI / 72).to_pil().convert("RGB")
            box = ImageChops.difference(image, Image.new("RGB", image.size, (255, 255, 255))).getbbox()
            if box is None:
                continue
            pad = 6
            image = image.crop((max(box[0] - pad, 0), max(box[1] - pad, 0), min(box[2] + pad, image.width), min(box[3] + pad, image.height)))
            buf = io.BytesIO()
            image.save(buf, "PNG")
            out[f.get("id")] = Picture(buf.getvalue(), image.width)
    finally:
        pdf.close()
    return out


# --- text ------------------------------------------------------------------------------------

def _run(parent, text: str, fmt: dict) -> None:
    """Append runs for `text` (tabs and line feeds as Word's) to a paragraph or hyperlink element."""
    r = OxmlElement("w:r")
    rpr = OxmlElement("w:rPr")  # children in the schema's order: rFonts b i color sz highlight u vertAlign
    if fmt.get("code"):
        fonts = OxmlElement("w:rFonts")
        for a in ("w:ascii", "w:hAnsi", "w:cs"):
            fonts.set(qn(a), "Liberation Mono")
        rpr.append(fonts)
    for key, tag in (("b", "w:b"), ("i", "w:i")):
        if fmt.get(key):
            rpr.append(OxmlElement(tag))
    for keys, tag, value in _RUN_PROPERTIES:
        if any(fmt.get(k) for k in keys):
            rpr.append(_el(tag, val=value(fmt) if callable(value) else value))
    if len(rpr):
        r.append(rpr)
    for i, line in enumerate(text.split("\n")):
        if i:
            r.append(OxmlElement("w:br"))
        for j, piece in enumerate(line.split("\t")):
            if j:
                r.append(OxmlElement("w:tab"))
            if piece:
                t = OxmlElement("w:t")
                t.text = piece
                t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
                r.append(t)
    parent.append(r)


def _el(tag: str, **attrs: str):
    """A WordprocessingML element with w: attributes."""
    el = OxmlElement(tag)
    for name, value in attrs.items():
        el.set(qn(f"w:{name}"), value)
    return el


# Run properties after rFonts, b and i, in the schema's order: (format keys, element, w:val).
_RUN_PROPERTIES = (
    (("link",), "w:color", "0563C1"),
    (("size",), "w:sz", lambda fmt: str(int(fmt["size"] * 2))),
    (("highlight",), "w:highlight", "yellow"),
    (("link",), "w:u", "single"),
    (("sup", "sub"), "w:vertAlign", lambda fmt: "superscript" if fmt.get("sup") else "subscript"),
)


def _field_start(p, code: str, dirty: bool = False) -> None:
    """The runs that open a complex field with instruction `code`, up to its result."""
    begin = _el("w:fldChar", fldCharType="begin", **({"dirty": "true"} if dirty else {}))
    instr = OxmlElement("w:instrText")
    instr.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    instr.text = f" {code} "
    for child in (begin, instr, _el("w:fldChar", fldCharType="separate")):
        r = OxmlElement("w:r")
        r.append(child)
        p.append(r)


def _field_end(p) -> None:
    r = OxmlElement("w:r")
    r.append(_el("w:fldChar", fldCharType="end"))
    p.append(r)


def _field(p, code: str, shown: str, size: float | None = None) -> None:
    """A complex field (PAGE, NUMPAGES, ...) with `shown` as its current result."""
    _field_start(p, code)
    _run(p, shown, {"size": size} if size else {})
    _field_end(p)


def _sdt(state: _State, alias: str, tag: str):
    """A content control titled `alias` and tagged `tag`; returns (sdt, its content element)."""
    sdt = OxmlElement("w:sdt")
    pr = OxmlElement("w:sdtPr")
    a = OxmlElement("w:alias")
    a.set(qn("w:val"), alias)
    t = OxmlElement("w:tag")
    t.set(qn("w:val"), tag)
    i = OxmlElement("w:id")
    i.set(qn("w:val"), str(state.new_id()))
    pr.extend([a, t, i])
    sdt.append(pr)
    content = OxmlElement("w:sdtContent")
    sdt.append(content)
    return sdt, content


def _append(container, el) -> None:
    """Append a block to the body (before its final section properties) or another container."""
    sect = container.find(qn("w:sectPr")) if container.tag == qn("w:body") else None
    if sect is not None:
        sect.addprevious(el)
    else:
        container.append(el)


class _Writer:
    def __init__(self, doc, entries: list[Entry], state: _State, figures: dict[str, Picture]) -> None:
        self.doc = doc
        self.entries = entries
        self.state = state
        self.figures = figures
        self.list_depth = 0
        self.in_table = 0
        self.style_ids: dict[str, str] = {}
        self.text_width = doc.sections[0].page_width - doc.sections[0].left_margin - doc.sections[0].right_margin

    # blocks

    def block(self, el, into) -> None:
        if not isinstance(el.tag, str):
            return
        classes = set((el.get("class") or "").split())
        if classes & _SKIP_CLASSES or el.tag in ("style", "script", "svg"):
            return
        tag = el.tag
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self.heading(el, int(tag[1]), into)
        elif tag == "nav" and "toc" in classes:
            self.contents(el, into)
        elif tag == "section" and "title-page" in classes:
            self.title_page(el, into)
        elif tag == "figure":
            self.figure(el, into)
        elif tag == "table":
            self.table(el, into)
        elif tag in ("ul", "ol"):
            self.listing(el, into, ordered=tag == "ol")
        elif tag == "div" and el.get("data-fact") is not None:
            self.fact_block(el, into)
        elif "landscape" in classes and into is self.doc.element.body:
            self.landscape(el, into)
        elif classes & _HIGHLIGHT_CLASSES and tag in ("div", "p"):
            self.marked(el, into, classes)
        elif tag in ("p", "figcaption", "dt", "dd") or not self._has_blocks(el):
            style = "Dossier Requirement" if "cite" in classes else "Dossier Note" if classes & _NOTE_CLASSES else None
            self.paragraph(el, into, style)
        else:
            self.mixed(el, into)

    @staticmethod
    def _has_blocks(el) -> bool:
        return any(isinstance(c.tag, str) and c.tag in _BLOCK for c in el)

    def mixed(self, el, into) -> None:
        """A container: its blocks in order; loose inline content between them as paragraphs."""
        pending: list = []

        def flush() -> None:
            if pending and any((strip_markers(x).strip() if isinstance(x, str) else True) for x in pending):
                p = self.new_paragraph(into)
                for x in pending:
                    if isinstance(x, str):
                        self.text(p, x, {})
                    else:
                        self.inline(x, p, {})
                _trim(p._p)
            pending.clear()

        if el.text and el.text.strip():
            pending.append(el.text)
        for child in el:
            if isinstance(child.tag, str) and child.tag in _BLOCK:
                flush()
                self.block(child, into)
            elif isinstance(child.tag, str):
                pending.append(child)
            if child.tail and child.tail.strip():
                pending.append(child.tail)
        flush()

    def new_paragraph(self, into, style: str | None = None) -> Paragraph:
        p_el = OxmlElement("w:p")
        _append(into, p_el)
        p = Paragraph(p_el, self.doc._body)
        if style is None and self.in_table:
            style = "Dossier Table"
        if style:
            ppr = OxmlElement("w:pPr")
            ps = OxmlElement("w:pStyle")
            ps.set(qn("w:val"), self.style_id(style))
            ppr.append(ps)
            p_el.insert(0, ppr)
        return p

    def style_id(self, name: str) -> str:
        """The id of a paragraph style by name, looked up once (python-docx scans every style)."""
        if name not in self.style_ids:
            self.style_ids[name] = self.doc.styles[name].style_id
        return self.style_ids[name]

    def paragraph(self, el, into, style: str | None = None, fmt: dict | None = None) -> Paragraph | None:
        if not strip_markers(el.text_content()).strip() and not el.findall(".//img"):
            return None
        p = self.new_paragraph(into, style)
        with self.bookmarked(p, el.get("id")):
            self.inline_content(el, p, fmt or {})
        _trim(p._p)
        return p

    def heading(self, el, level: int, into) -> None:
        p = self.new_paragraph(into, f"Heading {min(level, 9)}")
        with self.bookmarked(p, el.get("id")):
            _run(p._p, " ".join(strip_markers(el.text_content()).split()), {})

    @contextlib.contextmanager
    def bookmarked(self, p: Paragraph, anchor: str | None):
        """What is written into `p` inside the block is the target of links to `anchor`."""
        if not anchor:
            yield
            return
        n = str(self.state.new_id())
        start = OxmlElement("w:bookmarkStart")
        start.set(qn("w:id"), n)
        start.set(qn("w:name"), bookmark_name(strip_markers(anchor), self.state.bookmarks))
        p._p.append(start)
        yield
        end = OxmlElement("w:bookmarkEnd")
        end.set(qn("w:id"), n)
        p._p.append(end)

    def title_page(self, el, into) -> None:
        styles = {"tp-title": "Title", "tp-section": "Subtitle", "tp-product": "Subtitle", "tp-kind": "Subtitle", "tp-code": "Subtitle"}
        for child in el:
            if not isinstance(child.tag, str):
                continue
            cls = (child.get("class") or "").split()
            if child.tag == "table":
                self.table(child, into)
            else:
                style = next((styles[c] for c in cls if c in styles), None)
                fmt = {"highlight": True, "b": True} if "tp-draft" in cls else {}
                self.paragraph(child, into, style, fmt)
        self.page_break(into)

    def page_break(self, into) -> None:
        p = self.new_paragraph(into)
        p.add_run().add_break(WD_BREAK.PAGE)

    def contents(self, el, into) -> None:
        """The table of contents as a TOC field (Word fills in page numbers when it updates the
        field); its entries, linked to the headings, are the field's current result."""
        heading = el.find("h1")
        p = self.new_paragraph(into, "TOC Heading")
        anchor = heading.get("id") if heading is not None else None
        with self.bookmarked(p, anchor):
            _run(p._p, strip_markers(heading.text_content()).strip() if heading is not None else "Table of contents", {})
        entries = []
        first_list = el.find("ul")
        if first_list is not None:
            for li in first_list.iter("li"):
                level = int(re.sub(r"\D", "", (li.get("class") or "toc-1")) or 1)
                a = li.find("a")
                if a is not None:
                    entries.append((min(level, 4), strip_markers(a.get("href", "")).lstrip("#"), " ".join(strip_markers(a.text_content()).split())))
        self.toc_field(into, entries)
        for child in el:
            if child.tag == "p" and "lof-title" in (child.get("class") or ""):
                self.paragraph(child, into, "TOC Heading")
            elif child.tag == "ul" and "lof" in (child.get("class") or ""):
                for li in child.iter("li"):
                    a = li.find("a")
                    if a is not None:
                        q = self.new_paragraph(into, "TOC 1")
                        self.link(q._p, strip_markers(a.get("href", "")), " ".join(strip_markers(a.text_content()).split()), {}, plain=True)
        self.page_break(into)

    def toc_field(self, into, entries: list[tuple[int, str, str]]) -> None:
        first = self.new_paragraph(into, f"TOC {entries[0][0]}" if entries else None)
        _field_start(first._p, 'TOC \\o "1-4" \\h \\z \\u', dirty=True)
        p = first
        for i, (level, anchor, text) in enumerate(entries):
            if i:
                p = self.new_paragraph(into, f"TOC {level}")
            self.link(p._p, "#" + anchor, text, {}, plain=True)
        _field_end(p._p)

    def figure(self, el, into) -> None:
        picture = self.figures.get(el.get("id"))
        if picture is not None:
            p = self.new_paragraph(into)
            p.alignment = 1
            width = min(Emu(int(picture.width / FIGURE_DPI * 914400)), self.text_width)
            p.add_run().add_picture(io.BytesIO(picture.png), width=width)
        anchor = el.get("id")
        for child in el:
            if child.tag == "figcaption":  # the figure's bookmark is on its caption (the list of figures links to it)
                cap = self.new_paragraph(into, "Caption")
                with self.bookmarked(cap, anchor):
                    self.inline_content(child, cap, {})
                _trim(cap._p)
            elif isinstance(child.tag, str) and "sources" in (child.get("class") or ""):
                self.block(child, into)

    def listing(self, el, into, ordered: bool) -> None:
        self.list_depth += 1
        depth = min(self.list_depth, 3)
        style = ("List Number" if ordered else "List Bullet") + (f" {depth}" if depth > 1 else "")
        if style not in self.doc.styles:
            style = None
        for n, li in enumerate(el.findall("li"), start=1):
            p = self.new_paragraph(into, style)
            if style is None:
                _run(p._p, (f"{n}. " if ordered else "• "), {})
            self.inline_content(li, p, {}, nested_lists=into)
            _trim(p._p)
        self.list_depth -= 1

    def fact_block(self, el, into) -> None:
        n = int(el.get("data-fact"))
        entry = self.entries[n]
        sdt, content = _sdt(self.state, format_path(entry.path), f"{TAG_PREFIX}{n}")
        _append(into, sdt)
        self.mixed(el, content)
        if not len(content):
            self.new_paragraph(content)

    def landscape(self, el, into) -> None:
        """A wide block (the schedule of assessments) on landscape pages, as in the PDF: Word keeps
        a section's page set-up in a paragraph that ends it, so one paragraph ends the portrait
        section before the block and another the landscape section after it."""
        self.section_break(into, landscape=False)
        portrait = self.text_width
        self.text_width = _landscape_width(into.find(qn("w:sectPr"))) or portrait
        try:
            self.mixed(el, into)
        finally:
            self.text_width = portrait
        self.section_break(into, landscape=True)

    def section_break(self, into, landscape: bool) -> None:
        """A paragraph ending the section so far (next one starts on a new page), with the body's
        page set-up, turned when `landscape`."""
        sect = copy.deepcopy(into.find(qn("w:sectPr")))
        for ref in sect.findall(qn("w:headerReference")) + sect.findall(qn("w:footerReference")):
            sect.remove(ref)  # inherited from the section before, or given by _header_footer
        size = sect.find(qn("w:pgSz"))
        if landscape and size is not None:
            w, h = size.get(qn("w:w")), size.get(qn("w:h"))
            size.set(qn("w:w"), h)
            size.set(qn("w:h"), w)
            size.set(qn("w:orient"), "landscape")
        p = self.new_paragraph(into)
        p._p.get_or_add_pPr().append(sect)

    def marked(self, el, into, classes: set[str]) -> None:
        """A missing or not-yet-known fact: highlighted, in a content control naming its path."""
        code = el.find(".//code")
        path = el.get("data-path") or (strip_markers(code.text_content()).strip() if code is not None else "")
        if path:
            sdt, content = _sdt(self.state, path, TAG_PREFIX + ("unknown" if "unknown" in classes else "missing"))
            _append(into, sdt)
            self.paragraph(el, content, None, {"highlight": True})
            if not len(content):
                self.new_paragraph(content)
        else:
            self.paragraph(el, into, None, {"highlight": True})

    def table(self, el, into) -> None:
        caption = el.find("caption")
        if caption is not None:
            p = self.paragraph(caption, into, "Caption")
            if p is not None:
                p.paragraph_format.keep_with_next = True  # a caption above its table, never alone at a page foot
        rows = [(tr, tr.getparent().tag == "thead") for tr in el.iter("tr")]
        if not rows:
            return
        grid: dict[tuple[int, int], tuple] = {}
        spans = []
        ncols = 0
        for r, (tr, _) in enumerate(rows):
            c = 0
            for cell in tr:
                if cell.tag not in ("td", "th"):
                    continue
                while (r, c) in grid:
                    c += 1
                cs, rs = _int(cell.get("colspan")), _int(cell.get("rowspan"))
                rs = min(rs, len(rows) - r)
                for dr in range(rs):
                    for dc in range(cs):
                        grid[(r + dr, c + dc)] = (cell, dr == 0 and dc == 0)
                if cs > 1 or rs > 1:
                    spans.append((r, c, r + rs - 1, c + cs - 1))
                c += cs
                ncols = max(ncols, c)
        if ncols == 0:
            return
        table = self.doc.add_table(rows=len(rows), cols=ncols)
        tbl = table._tbl
        tbl.getparent().remove(tbl)
        if "Table Grid" in self.doc.styles:
            table.style = self.doc.styles["Table Grid"]
        _cell_margins(tbl)
        for r, (_, head) in enumerate(rows):
            tr_pr = table.rows[r]._tr.get_or_add_trPr()
            tr_pr.append(OxmlElement("w:cantSplit"))  # as the PDF's rows: a row moves whole to the next page
            if head:
                tr_pr.append(OxmlElement("w:tblHeader"))  # after cantSplit: schema order
                for tc in table.rows[r]._tr.iter(qn("w:tc")):
                    shd = OxmlElement("w:shd")
                    shd.set(qn("w:val"), "clear")
                    shd.set(qn("w:color"), "auto")
                    shd.set(qn("w:fill"), "E8E8E8")
                    tc.get_or_add_tcPr().append(shd)
        self.column_widths(table, grid, ncols)
        for r1, c1, r2, c2 in spans:
            table.cell(r1, c1).merge(table.cell(r2, c2))
        cells = table._cells  # row by row, a merged cell at each grid position it covers
        paths = []
        for (r, c), (cell, origin) in sorted(grid.items()):
            if not origin:
                continue
            tc = cells[r * ncols + c]._tc
            for p in tc.findall(qn("w:p")):
                tc.remove(p)
            bold = cell.tag == "th"
            self.in_table += 1
            try:
                self.cell_content(cell, tc, {"b": True} if bold else {})
            finally:
                self.in_table -= 1
            if tc[-1].tag != qn("w:p"):  # a cell ends with a paragraph (Word repairs one that does not)
                tc.append(OxmlElement("w:p"))
            paths += [self.entries[int(x)].path for x in re.findall(OPEN + r"(\d+)" + SEP, cell.text_content())]
        common = _common_prefix(paths)
        if len(common) >= 2:  # "quality" alone tells a reviewer nothing
            sdt, content = _sdt(self.state, format_path(common), TAG_PREFIX + "table")
            content.append(tbl)
            _append(into, sdt)
        else:
            _append(into, tbl)
        self.new_paragraph(into).paragraph_format.space_after = Pt(0)  # Word needs a paragraph between adjacent tables

    def column_widths(self, table, grid: dict, ncols: int) -> None:
        """Widths in proportion to what the columns hold (as a browser's automatic table layout
        does), within the text width: a column of numbers stays narrow, prose gets room."""
        longest = [4.0] * ncols
        word = [3.0] * ncols
        for (r, c), (cell, origin) in grid.items():
            if not origin or int(cell.get("colspan") or 1) > 1:
                continue
            text = strip_markers(cell.text_content())
            longest[c] = max(longest[c], min(len(" ".join(text.split())), 60))
            wide = 1.25 if cell.tag == "th" else 1.0  # header cells are bold
            word[c] = max([word[c]] + [min(len(w), 25) * wide for w in text.split()])
        weights = [max(lng ** 0.75, w + 2) for lng, w in zip(longest, word)]
        total = sum(weights)
        widths = [Emu(int(self.text_width * w / total)) for w in weights]
        table.autofit = False
        for c, width in enumerate(widths):
            table.columns[c].width = width
        for i, cell in enumerate(table._cells):
            cell.width = widths[i % ncols]

    def cell_content(self, cell, tc, fmt: dict) -> None:
        if self._has_blocks(cell):
            self.mixed(cell, tc)
        else:
            p = self.new_paragraph(tc)
            self.inline_content(cell, p, fmt)
            _trim(p._p)

    # inline content

    def inline_content(self, el, p: Paragraph, fmt: dict, nested_lists=None) -> None:
        if el.text:
            self.text(p, el.text, fmt)
        for child in el:
            if nested_lists is not None and child.tag in ("ul", "ol"):
                self.listing(child, nested_lists, ordered=child.tag == "ol")
            elif isinstance(child.tag, str) and child.tag in ("p", "div") and nested_lists is not None:
                self.inline_content(child, p, fmt)
            else:
                self.inline(child, p, fmt)
            if child.tail:
                self.text(p, child.tail, fmt)

    def inline(self, el, p: Paragraph, fmt: dict) -> None:
        if not isinstance(el.tag, str) or el.tag in ("style", "script"):
            return
        classes = set((el.get("class") or "").split())
        if classes & _SKIP_CLASSES:
            return
        tag = el.tag
        f = dict(fmt)
        if tag in ("strong", "b", "th"):
            f["b"] = True
        elif tag in ("em", "i"):
            f["i"] = True
        elif tag == "sup":
            f["sup"] = True
        elif tag == "sub":
            f["sub"] = True
        elif tag == "code":
            f["code"] = True
        elif tag == "br":
            _run(p._p, "\n", f)
            return
        elif tag == "svg":
            return
        if classes & _HIGHLIGHT_CLASSES:
            f["highlight"] = True
            if el.get("data-path"):  # a fact answered "not yet known", in a control naming it
                sdt, content = _sdt(self.state, el.get("data-path"), TAG_PREFIX + "unknown")
                p._p.append(sdt)
                self.inline_content(el, _Holder(content), f)
                return
        if tag == "a" and "pageref" in classes and el.get("href", "").startswith("#"):
            _field(p._p, f"PAGEREF {bookmark_name(strip_markers(el.get('href'))[1:], self.state.bookmarks)} \\h", "")
            return
        if tag == "a" and el.get("href"):
            self.link(p._p, strip_markers(el.get("href")), None, f, el)
            return
        self.inline_content(el, p, f)

    def link(self, parent, href: str, text: str | None, fmt: dict, el=None, plain: bool = False) -> None:
        h = OxmlElement("w:hyperlink")
        if href.startswith("#"):
            h.set(qn("w:anchor"), bookmark_name(href[1:], self.state.bookmarks))
        else:
            r_id = self.doc.part.relate_to(href, RT.HYPERLINK, is_external=True)
            h.set(qn("r:id"), r_id)
        parent.append(h)
        f = dict(fmt, link=not plain)
        if text is not None:
            _run(h, text, f)
        else:
            holder = _Holder(h)
            self.inline_content(el, holder, f)

    def text(self, p, text: str, fmt: dict) -> None:
        """Text with inline fact markers: each marked fact in an inline content control."""
        parent = p._p
        i = 0
        while True:
            j = text.find(OPEN, i)
            if j < 0:
                rest = text[i:].replace(CLOSE, "")
                if rest:
                    _run(parent, _squash(rest), fmt)
                return
            if j > i:
                _run(parent, _squash(text[i:j]), fmt)
            k = text.find(SEP, j)
            end = text.find(CLOSE, k)
            if k < 0 or end < 0:
                _run(parent, _squash(strip_markers(text[j:])), fmt)
                return
            n = int(text[j + 1:k])
            entry = self.entries[n]
            sdt, content = _sdt(self.state, format_path(entry.path), f"{TAG_PREFIX}{n}")
            parent.append(sdt)
            _run(content, _squash(text[k + 1:end]), fmt)
            i = end + 1


def _landscape_width(sect) -> int | None:
    """The text width (EMU) of the page set-up `sect` turned to landscape."""
    size, margins = sect.find(qn("w:pgSz")), sect.find(qn("w:pgMar"))
    if size is None or margins is None:
        return None
    return Twips(int(size.get(qn("w:h"))) - int(margins.get(qn("w:left"))) - int(margins.get(qn("w:right"))))


class _Holder:
    """Lets inline writers append runs to a hyperlink as if it were a paragraph."""

    def __init__(self, el) -> None:
        self._p = el


def _cell_margins(tbl) -> None:
    """Cell padding as the PDF's (2.5 pt above and below, 4 pt at the sides)."""
    mar = OxmlElement("w:tblCellMar")
    for side, twips in (("top", 50), ("left", 80), ("bottom", 50), ("right", 80)):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), str(twips))
        el.set(qn("w:type"), "dxa")
        mar.append(el)
    later = next((c for c in tbl.tblPr if c.tag in (qn("w:tblLook"), qn("w:tblCaption"), qn("w:tblDescription"))), None)
    if later is not None:
        later.addprevious(mar)  # the schema's order: ... tblLayout, tblCellMar, tblLook
    else:
        tbl.tblPr.append(mar)


def _trim(p_el) -> None:
    """No leading or trailing white space in a paragraph (HTML's indentation is not text)."""
    ts = [t for t in p_el.iter(qn("w:t")) if t.text]
    if ts:
        ts[0].text = ts[0].text.lstrip()
        ts[-1].text = ts[-1].text.rstrip()


def _squash(text: str) -> str:
    """HTML whitespace: runs of spaces and line breaks shown as one space."""
    return re.sub(r"[ \t\r\n]+", " ", text)


def _int(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), 1000))
    except ValueError:
        return 1


def _common_prefix(paths: list[tuple]) -> tuple:
    if not paths:
        return ()
    first = paths[0]
    n = len(first)
    for p in paths[1:]:
        n = min(n, len(p))
        for i in range(n):
            if p[i] != first[i]:
                n = i
                break
    return first[:n]
