"""The preflight checks: one small function per rule, registered in `CHECKS`.

Each check takes the document (`PdfContext`) and an `Emit` bound to its own
rule id and default severity, and returns the findings it made. Rules follow
the FDA "Portable Document Format (PDF) Specifications" v4.1 (2016), which the
ICH M8 PDF specification and EU gateways broadly share.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Protocol

import pikepdf

from dossier.findings import Finding, Severity
from dossier.preflight.context import (
    SUBSET_TAG,
    AnnotationUse,
    PdfContext,
    get_array,
    get_dict,
    get_name,
    get_text,
    is_dictlike,
    page_ranges,
)

CITATION = "FDA PDF Specifications v4.1"
MIN_VERSION = (1, 4)
MAX_VERSION = (1, 7)
# FDA v4.1: "Include a hypertext linked TOC and bookmarks in documents 5 pages or longer".
MIN_PAGES_FOR_BOOKMARKS = 5
MAX_BOOKMARK_DEPTH = 4
MAX_PAGE_REPORTS = 5
PAGE_TOLERANCE = 1.0

FORBIDDEN_ACTIONS = frozenset(
    {"/Launch", "/ImportData", "/SubmitForm", "/ResetForm", "/Sound", "/Movie",
     "/Rendition", "/RichMediaExecute"}
)
STANDARD_ENCODINGS = frozenset(
    {"/WinAnsiEncoding", "/MacRomanEncoding", "/StandardEncoding", "/MacExpertEncoding",
     "/PDFDocEncoding"}
)
# Standard 14 text fonts: their built-in encoding maps to Unicode.
BASE14_TEXT_FONTS = frozenset(
    f"{family}{style}"
    for family, styles in (
        ("Times", ("-Roman", "-Bold", "-Italic", "-BoldItalic")),
        ("Helvetica", ("", "-Bold", "-Oblique", "-BoldOblique")),
        ("Courier", ("", "-Bold", "-Oblique", "-BoldOblique")),
    )
    for style in styles
)
FONT_FILES = ("/FontFile", "/FontFile2", "/FontFile3")
_ABSOLUTE_PATH = re.compile(r"^(/|\\|[A-Za-z]:|[A-Za-z][A-Za-z0-9+.-]*:)")


class Emit(Protocol):
    """Makes a finding for the running check (its rule id and severity)."""

    def __call__(self, message: str, *, hint: str = "", severity: Severity | None = None) -> Finding:
        """Return a finding with the check's rule id, the given message and hint."""


CheckFunc = Callable[[PdfContext, Emit], list[Finding]]


@dataclass(frozen=True)
class Check:
    """A registered check: stable rule id, default severity, one-line summary."""

    id: str
    severity: Severity
    description: str
    run: CheckFunc
    citation: str = CITATION
    gate: bool = False
    """An error of this check stops the run: the later checks would do what it found unsafe."""


# --------------------------------------------------------------------------
# Document-level checks


def check_size(ctx: PdfContext, emit: Emit) -> list[Finding]:
    """PDF-SIZE: no stream decodes to more than the tool's limits (decompression bombs)."""
    from dossier.preflight import limits

    for where, size in limits.oversized_streams(ctx.pdf):
        if where == "all streams":
            what = f"its streams decode to more than {limits.MAX_DECODED_BYTES // (1024 * 1024):,} MiB together"
        else:
            what = f"stream {where} decodes to more than {limits.MAX_STREAM_BYTES // (1024 * 1024):,} MiB"
        return [emit(f"{what}; the file is refused",
                     hint="a compressed stream that inflates far beyond the file's size is a "
                          "decompression bomb or a damaged file; re-create the PDF at its source")]
    return []


def check_version(ctx: PdfContext, emit: Emit) -> list[Finding]:
    """PDF-VER: the PDF version (header, or a later catalog /Version) is 1.4-1.7."""
    versions = [ctx.pdf.pdf_version]
    catalog_version = get_name(ctx.root, "/Version")
    if catalog_version:
        versions.append(catalog_version[1:])
    parsed = [_parse_version(v) for v in versions]
    if None in parsed:
        return [emit(f"unreadable PDF version {' / '.join(versions)!r}")]
    effective = max(v for v in parsed if v is not None)
    if MIN_VERSION <= effective <= MAX_VERSION:
        return []
    shown = ".".join(map(str, effective))
    return [emit(f"PDF version {shown} is not accepted (FDA accepts PDF 1.4 through 1.7)",
                 hint="render as PDF 1.7 (WeasyPrint's default) or PDF/A-2b; never PDF 2.0")]


def _parse_version(text: str) -> tuple[int, int] | None:
    match = re.fullmatch(r"(\d+)\.(\d+)", text.strip())
    return (int(match[1]), int(match[2])) if match else None


def check_security(ctx: PdfContext, emit: Emit) -> list[Finding]:
    """PDF-SEC: no encryption, passwords or permission restrictions."""
    if not ctx.pdf.is_encrypted:
        return []
    return [emit("document is encrypted (security settings or passwords are active)",
                 hint="save without encryption; FDA: 'Do not activate security settings'")]


def check_javascript(ctx: PdfContext, emit: Emit) -> list[Finding]:
    """PDF-JS: no JavaScript (document-level name tree or any action)."""
    findings: list[Finding] = []
    if get_dict(get_dict(ctx.root, "/Names"), "/JavaScript") is not None:
        findings.append(emit("document-level JavaScript (catalog /Names /JavaScript)"))
    for use in ctx.actions:
        if get_name(use.action, "/S") == "/JavaScript" or use.action.get("/JS") is not None:
            findings.append(emit(f"{use.where} runs JavaScript"))
    return findings


def check_launch(ctx: PdfContext, emit: Emit) -> list[Finding]:
    """PDF-LAUNCH: no launch, import, form-submit/reset or multimedia actions."""
    findings: list[Finding] = []
    for use in ctx.actions:
        kind = get_name(use.action, "/S")
        if kind in FORBIDDEN_ACTIONS:
            findings.append(emit(f"{use.where} has a {kind[1:]} action (dynamic content)"))
    return findings


def check_attachments(ctx: PdfContext, emit: Emit) -> list[Finding]:
    """PDF-ATT: no embedded files (name tree, associated files, annotations)."""
    findings: list[Finding] = []
    if get_dict(get_dict(ctx.root, "/Names"), "/EmbeddedFiles") is not None:
        findings.append(emit("document has embedded files (catalog /Names /EmbeddedFiles)",
                             hint="FDA forbids attachments; submit each file separately"))
    if ctx.root.get("/AF") is not None:
        findings.append(emit("document has associated files (catalog /AF, PDF/A-3 style)",
                             hint="do not use PDF/A-3; use PDF/A-2b or plain PDF 1.7"))
    for use in ctx.annotations:
        if use.subtype == "/FileAttachment":
            findings.append(emit(f"page {use.page}: file attachment annotation"))
    return findings


def check_annotations(ctx: PdfContext, emit: Emit) -> list[Finding]:
    """PDF-ANNOT: only /Link annotations (no notes, widgets/forms, stamps...)."""
    by_page: dict[int, list[AnnotationUse]] = {}
    for use in ctx.annotations:
        if use.subtype != "/Link":
            by_page.setdefault(use.page, []).append(use)
    return [
        emit(f"page {page}: {len(uses)} annotation(s) other than links "
             f"({', '.join(sorted({u.subtype[1:] for u in uses}))})",
             hint="FDA: 'Do not include PDF annotations'; flatten or remove them")
        for page, uses in by_page.items()
    ]


# --------------------------------------------------------------------------
# Links and navigation


def check_link_schemes(ctx: PdfContext, emit: Emit) -> list[Finding]:
    """PDF-LINK-SCHEME: URI links are http(s) only; file links are relative."""
    findings: list[Finding] = []
    for use in ctx.actions:
        kind = get_name(use.action, "/S")
        if kind == "/URI":
            uri = get_text(use.action, "/URI")
            if not re.match(r"^https?://", uri.strip(), re.IGNORECASE):
                findings.append(emit(f"{use.where} links to {uri!r}: only http:// and https:// "
                                     "links are allowed",
                                     hint="link other submission files with relative /GoToR paths"))
        elif kind in ("/GoToR", "/GoToE"):
            target = _file_spec_path(use.action.get("/F"))
            if _ABSOLUTE_PATH.match(target):
                findings.append(emit(f"{use.where} opens {target!r} by absolute path",
                                     hint="FDA: use relative paths, which survive being moved "
                                          "onto the review server"))
    return findings


def _file_spec_path(spec: Any) -> str:
    """The path in a file specification (a string or a dictionary)."""
    if isinstance(spec, pikepdf.String):
        return str(spec)
    for key in ("/UF", "/F", "/Unix", "/DOS"):
        text = get_text(spec, key)
        if text:
            return text
    return ""


def _link_target(annot: Any) -> tuple[Any, bool]:
    """(destination, is_internal) of a link annotation; internal means /Dest or GoTo."""
    if annot.get("/Dest") is not None:
        return annot.get("/Dest"), True
    action = get_dict(annot, "/A")
    if action is not None and get_name(action, "/S") == "/GoTo":
        return action.get("/D"), True
    return None, action is None


def check_link_destinations(ctx: PdfContext, emit: Emit) -> list[Finding]:
    """PDF-LINK-DEST: every internal link resolves to a page of this document."""
    findings: list[Finding] = []
    for use in ctx.annotations:
        if use.subtype != "/Link":
            continue
        dest, internal = _link_target(use.annot)
        if not internal:
            continue  # URI / GoToR / other actions: checked elsewhere
        if dest is None:
            findings.append(emit(f"page {use.page}: link has no destination"))
        elif ctx.resolve_dest(dest) is None:
            findings.append(emit(f"page {use.page}: link to {_show_dest(dest)} does not "
                                 "resolve to a page in this document",
                                 hint="the target anchor is missing or was removed"))
    return findings


def _show_dest(dest: Any) -> str:
    if isinstance(dest, (pikepdf.String, pikepdf.Name)):
        return repr(str(dest))
    return "an explicit destination"


def check_bookmarks_present(ctx: PdfContext, emit: Emit) -> list[Finding]:
    """PDF-NAV-BM: documents of 5 pages or more have bookmarks (an outline)."""
    count = len(ctx.pages)
    if count < MIN_PAGES_FOR_BOOKMARKS or ctx.bookmarks:
        return []
    return [emit(f"{count} pages but no bookmarks (FDA: bookmarks in documents of "
                 f"{MIN_PAGES_FOR_BOOKMARKS} pages or more)",
                 hint="give the document headings (WeasyPrint bookmarks h1-h6)")]


def check_bookmark_destinations(ctx: PdfContext, emit: Emit) -> list[Finding]:
    """PDF-NAV-DEST: every bookmark goes to a page of this document."""
    findings: list[Finding] = []
    for mark in ctx.bookmarks:
        dest, internal = _link_target(mark.item)
        if not internal:
            kind = get_name(get_dict(mark.item, "/A"), "/S") or "unknown"
            findings.append(emit(f"bookmark {mark.title!r} runs a {kind.lstrip('/')} action "
                                 "instead of going to a page"))
        elif dest is None:
            findings.append(emit(f"bookmark {mark.title!r} has no destination"))
        elif ctx.resolve_dest(dest) is None:
            findings.append(emit(f"bookmark {mark.title!r} does not resolve to a page "
                                 "in this document"))
    return findings


def check_bookmark_depth(ctx: PdfContext, emit: Emit) -> list[Finding]:
    """PDF-NAV-DEPTH: bookmarks are at most 4 levels deep."""
    deep = [mark for mark in ctx.bookmarks if mark.depth > MAX_BOOKMARK_DEPTH]
    if not deep:
        return []
    return [emit(f"{len(deep)} bookmark(s) deeper than {MAX_BOOKMARK_DEPTH} levels "
                 f"(first: {deep[0].title!r} at level {deep[0].depth})",
                 hint="FDA: bookmark hierarchy up to four levels deep")]


def check_initial_view(ctx: PdfContext, emit: Emit) -> list[Finding]:
    """PDF-VIEW: with bookmarks, the document opens on the bookmarks panel."""
    mode = get_name(ctx.root, "/PageMode") or "/UseNone"
    if ctx.bookmarks and mode != "/UseOutlines":
        return [emit(f"document has bookmarks but opens with /PageMode {mode[1:]}",
                     hint="set /PageMode /UseOutlines (FDA initial view: "
                          "'Bookmarks Panel and Page')")]
    if not ctx.bookmarks and mode == "/UseOutlines":
        return [emit("document opens the bookmarks panel but has no bookmarks",
                     hint="FDA initial view without bookmarks: 'Page Only'")]
    return []


# --------------------------------------------------------------------------
# Fonts, text, metadata, pages


def _descriptor(font: Any) -> Any:
    """The FontDescriptor of a font (of its descendant for Type0 fonts)."""
    if get_name(font, "/Subtype") == "/Type0":
        descendants = get_array(font, "/DescendantFonts")
        font = descendants[0] if descendants else None
    return get_dict(font, "/FontDescriptor")


def check_fonts_embedded(ctx: PdfContext, emit: Emit) -> list[Finding]:
    """PDF-FONT-EMB: every font is embedded (Type3 fonts are glyph programs)."""
    findings: list[Finding] = []
    reported: set[str] = set()
    for use in ctx.fonts:
        if get_name(use.font, "/Subtype") == "/Type3" or use.name in reported:
            continue
        descriptor = _descriptor(use.font)
        if descriptor is None or not any(descriptor.get(k) is not None for k in FONT_FILES):
            reported.add(use.name)
            findings.append(emit(f"font {use.name or '(unnamed)'!r} (first used on page "
                                 f"{use.first_page}) is not embedded",
                                 hint="embed every font; FDA requires all non-standard fonts "
                                      "embedded and gateways cannot substitute reliably"))
    return findings


def check_fonts_full(ctx: PdfContext, emit: Emit) -> list[Finding]:
    """PDF-FONT-FULL: fonts are fully embedded, not subsets (``ABCDEF+Name``)."""
    names = sorted({use.name for use in ctx.fonts if SUBSET_TAG.match(use.name)})
    return [emit(f"font {name!r} is a subset; FDA asks for non-standard fonts to be "
                 "fully embedded",
                 hint="embed the full font (WeasyPrint full_fonts=True) and strip the "
                      "subset tag")
            for name in names]


def _has_unicode_map(font: Any, name: str) -> bool:
    """True when text in this font can be mapped back to Unicode."""
    if font.get("/ToUnicode") is not None:
        return True
    encoding = font.get("/Encoding")
    if get_name(font, "/Subtype") == "/Type0":
        return isinstance(encoding, pikepdf.Name) and str(encoding).startswith("/Uni")
    if isinstance(encoding, pikepdf.Name):
        return str(encoding) in STANDARD_ENCODINGS
    if is_dictlike(encoding):
        return True  # base encoding + glyph-name differences (Adobe Glyph List)
    return SUBSET_TAG.sub("", name) in BASE14_TEXT_FONTS


def check_text(ctx: PdfContext, emit: Emit) -> list[Finding]:
    """PDF-TEXT: the text is searchable (text exists; fonts map to Unicode)."""
    findings: list[Finding] = []
    reported: set[str] = set()
    for use in ctx.fonts:
        if use.name not in reported and not _has_unicode_map(use.font, use.name):
            reported.add(use.name)
            findings.append(emit(f"font {use.name or '(unnamed)'!r} (first used on page "
                                 f"{use.first_page}) has no /ToUnicode map or standard "
                                 "encoding: its text cannot be searched or copied"))
    empty = [number for number, has in enumerate(ctx.text_pages, 1) if not has]
    if len(empty) == len(ctx.pages):
        findings.append(emit("no page contains text: the document is not searchable",
                             hint="FDA requires text-searchable PDFs; run OCR on scans"))
    elif empty:
        findings.append(emit(f"page(s) {page_ranges(empty)} have no text (image-only or "
                             "blank pages cannot be searched)", severity=Severity.INFO))
    return findings


def check_title(ctx: PdfContext, emit: Emit) -> list[Finding]:
    """PDF-META-TITLE: the document has a non-empty title (Info or XMP)."""
    if get_text(get_dict(ctx.pdf.trailer, "/Info"), "/Title").strip():
        return []
    if ctx.root.get("/Metadata") is not None:
        meta = ctx.pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False)
        if str(meta.get("dc:title") or "").strip():
            return []
    return [emit("document has no title metadata",
                 hint="set <title> in the HTML (WeasyPrint writes it to /Title)")]


def _box_size(page: Any, key: str) -> tuple[float, float] | None:
    """Width and height of a page box in points (UserUnit applied)."""
    box = get_array(page, key)
    if box is None or len(box) != 4:
        return None
    x1, y1, x2, y2 = (float(v) for v in box)
    unit = float(page.get("/UserUnit", 1))
    return abs(x2 - x1) * unit, abs(y2 - y1) * unit


def _fits(size: tuple[float, float] | None, want: tuple[float, float]) -> bool:
    """Same size as `want`, portrait or landscape, within the tolerance."""
    if size is None:
        return False
    return any(abs(size[0] - w) <= PAGE_TOLERANCE and abs(size[1] - h) <= PAGE_TOLERANCE
               for w, h in (want, want[::-1]))


def _page_size_problem(page: Any, want: tuple[float, float]) -> str | None:
    """Why a page is not the wanted size (MediaBox, then CropBox if present)."""
    for key in ("/MediaBox", "/CropBox"):
        if key == "/CropBox" and page.get(key) is None:
            continue
        size = _box_size(page, key)
        if not _fits(size, want):
            shown = f"{size[0]:.2f} x {size[1]:.2f} pt" if size else "missing or invalid"
            return f"{key[1:]} is {shown}"
    return None


def check_page_size(ctx: PdfContext, emit: Emit) -> list[Finding]:
    """PDF-PAGE: every page's MediaBox (and CropBox) is the requested size."""
    if ctx.page_size is None:
        return []
    want = f"{ctx.page_size[0]:g} x {ctx.page_size[1]:g} pt (portrait or landscape)"
    bad = [(number, problem) for number, page in enumerate(ctx.pages, 1)
           if (problem := _page_size_problem(page, ctx.page_size)) is not None]
    findings = [emit(f"page {number}: {problem}, expected {want}")
                for number, problem in bad[:MAX_PAGE_REPORTS]]
    if len(bad) > MAX_PAGE_REPORTS:
        findings.append(emit(f"{len(bad) - MAX_PAGE_REPORTS} more page(s) are not {want}"))
    return findings


def check_linearized(ctx: PdfContext, emit: Emit) -> list[Finding]:
    """PDF-LIN: the file is optimised for fast web view (linearized)."""
    if ctx.pdf.is_linearized:
        return []
    return [emit("not optimised for fast web view (not linearized)",
                 hint="linearize with `qpdf --linearize` or pikepdf save(linearize=True)")]


CHECKS: tuple[Check, ...] = (
    Check("PDF-SIZE", Severity.ERROR, "streams decode within the tool's limits", check_size,
          citation="", gate=True),
    Check("PDF-VER", Severity.ERROR, "PDF version is 1.4-1.7", check_version),
    Check("PDF-SEC", Severity.ERROR, "no encryption or security settings", check_security),
    Check("PDF-JS", Severity.ERROR, "no JavaScript", check_javascript),
    Check("PDF-LAUNCH", Severity.ERROR, "no launch/form/multimedia actions", check_launch),
    Check("PDF-ATT", Severity.ERROR, "no embedded files", check_attachments),
    Check("PDF-ANNOT", Severity.ERROR, "no annotations other than links", check_annotations),
    Check("PDF-LINK-SCHEME", Severity.ERROR, "web links are http(s); file links relative",
          check_link_schemes),
    Check("PDF-LINK-DEST", Severity.ERROR, "internal links resolve to a page",
          check_link_destinations),
    Check("PDF-NAV-BM", Severity.ERROR, "bookmarks in documents of 5+ pages",
          check_bookmarks_present),
    Check("PDF-NAV-DEST", Severity.ERROR, "bookmarks resolve to a page",
          check_bookmark_destinations),
    Check("PDF-NAV-DEPTH", Severity.WARNING, "bookmarks at most 4 levels deep",
          check_bookmark_depth),
    Check("PDF-VIEW", Severity.WARNING, "opens on the bookmarks panel", check_initial_view),
    Check("PDF-FONT-EMB", Severity.ERROR, "all fonts embedded", check_fonts_embedded),
    Check("PDF-FONT-FULL", Severity.WARNING, "fonts fully embedded, not subset",
          check_fonts_full),
    Check("PDF-META-TITLE", Severity.ERROR, "document title metadata present", check_title,
          citation=""),
    Check("PDF-PAGE", Severity.ERROR, "pages are the requested size", check_page_size),
    Check("PDF-TEXT", Severity.ERROR, "text is searchable", check_text),
    Check("PDF-LIN", Severity.INFO, "optimised for fast web view", check_linearized),
)

CHECKS_BY_ID: dict[str, Check] = {check.id: check for check in CHECKS}

# Exceptions a damaged or oddly built file can raise while a check reads it. Programming errors
# (TypeError, AttributeError, ...) are deliberately not caught: they are bugs and must surface.
DAMAGE_ERRORS = (pikepdf.PdfError, pikepdf.ForeignObjectError, ValueError, KeyError, IndexError, RecursionError)


def run_checks(ctx: PdfContext, checks: tuple[Check, ...] = CHECKS) -> list[Finding]:
    """Run `checks` in order; a check that trips over damage reports it, never raises."""
    findings: list[Finding] = []
    for check in checks:
        emit = _emitter(ctx, check)
        try:
            found = check.run(ctx, emit)
        except DAMAGE_ERRORS as exc:
            found = [emit(f"check could not be completed, the file structure is "
                          f"damaged: {exc}", severity=Severity.ERROR,
                          hint="re-save the file (e.g. `qpdf in.pdf out.pdf`) and retry")]
        findings.extend(found)
        if check.gate and any(f.severity is Severity.ERROR for f in found):
            break
    return findings


def _emitter(ctx: PdfContext, check: Check) -> Emit:
    """An `Emit` that stamps findings with `check`'s id, severity and citation."""

    def emit(message: str, *, hint: str = "", severity: Severity | None = None) -> Finding:
        return Finding(location=ctx.location, severity=check.severity if severity is None else severity,
                       rule=check.id, message=message, hint=hint, citation=check.citation)

    return emit
