"""Figures the sponsor supplies (a vector map, a process diagram, a trial schema drawn elsewhere):
PNG or SVG files inside the dossier's folder, named by `figures: [{file, caption}]` on a drug
substance, a process or a protocol.

`check()` holds each file to what the renderer may be given: a regular file inside the dossier's
folder, at most MAX_BYTES, a PNG that is one (signature and header, bounded dimensions) or an SVG
that is self-contained XML (no DTD or entities, no script, no event handlers, no foreign
objects, no reference outside the file). A file that passes is embedded in the document as a
data URI, so rendering never reads a file the checks did not see.
"""

from __future__ import annotations

import base64
import re
import struct
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from pydantic import BaseModel

from dossier.factpath import instances
from dossier.findings import Finding, Severity
from dossier.io.paths import UnsafePath, resolve_inside
from dossier.io.yamlsource import PathT, SourceMap, format_path
from dossier.model.base import SuppliedFigure

RULE = "FIG-FILE"
MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 10_000
"""Largest width or height of a PNG, in pixels."""
SUFFIXES = {".png", ".svg"}

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_SVG_NS = "{http://www.w3.org/2000/svg}"
_XLINK = "{http://www.w3.org/1999/xlink}href"
_FORBIDDEN_TAGS = {"script", "foreignObject", "iframe", "embed", "object", "audio", "video"}
_URL = re.compile(r"url\(\s*['\"]?\s*([^)'\"\s]*)", re.IGNORECASE)


@dataclass(frozen=True)
class FigureFile:
    file: str
    """As written in the YAML."""
    path: Path
    where: PathT
    mime: str
    sha256: str
    data_uri: str


def collect(d: BaseModel, where: PathT = ()) -> list[tuple[PathT, SuppliedFigure]]:
    """Every supplied figure of the dossier with its YAML path, in document order."""
    return instances(d, SuppliedFigure, where)


def _png_problem(data: bytes) -> str | None:
    if not data.startswith(_PNG_SIGNATURE) or data[12:16] != b"IHDR" or len(data) < 33:
        return "is not a PNG image (its first bytes are not a PNG signature and header)"
    width, height = struct.unpack(">II", data[16:24])
    if not width or not height or max(width, height) > MAX_PIXELS:
        return f"is {width} × {height} pixels; a figure may have at most {MAX_PIXELS} pixels a side"
    return None


def _external(ref: str) -> bool:
    return bool(ref) and not ref.startswith("#")


def _svg_problem(data: bytes) -> str | None:
    head = data[:4096].lower()
    if b"<!doctype" in head or b"<!entity" in data.lower():
        return "declares a DTD or entities, which an SVG figure may not"
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        return f"is not well-formed XML ({exc})"
    if root.tag != f"{_SVG_NS}svg":
        return "is not an SVG document (its root element is not <svg> in the SVG namespace)"
    for element in root.iter():
        tag = element.tag.rpartition("}")[2]
        if tag in _FORBIDDEN_TAGS:
            return f"contains a <{tag}> element, which an SVG figure may not"
        for name, value in element.attrib.items():
            local = name.rpartition("}")[2]
            if local.lower().startswith("on"):
                return f"has an event handler ({local}), which an SVG figure may not"
            if (local == "href" or name == _XLINK) and _external(value.strip()):
                return f"refers to {value.strip()[:60]!r} outside the file; a figure must be self-contained (only #references)"
        texts = [element.attrib.get("style", "")] + ([element.text or ""] if tag == "style" else [])
        for text in texts:
            for ref in _URL.findall(text):
                if _external(ref):
                    return f"refers to {ref[:60]!r} in a style; a figure must be self-contained"
    return None


def check(d: BaseModel, root: Path, smap: SourceMap) -> tuple[list[FigureFile], list[Finding]]:
    """Resolve and check every supplied figure; a finding at its `file:` for each problem."""
    from dossier.manifest import sha256

    files: list[FigureFile] = []
    findings: list[Finding] = []
    for where, figure in collect(d):
        at = where + ("file",)
        location = smap.locate(at)

        def problem(message: str, hint: str) -> None:
            findings.append(Finding(location, Severity.ERROR, RULE, f"figure {figure.file!r} {message}", path=format_path(at), hint=hint))

        try:
            path = resolve_inside(root.parent, Path(location.file).parent, figure.file, SUFFIXES, "figure")
        except UnsafePath as exc:
            findings.append(Finding(location, Severity.ERROR, RULE, exc.message, path=format_path(at), hint=exc.hint))
            continue
        size = path.stat().st_size
        if size > MAX_BYTES:
            problem(f"is {size} bytes; a figure may have at most {MAX_BYTES}", "reduce the image (a PNG at 300 dpi for a page width is well under this)")
            continue
        data = path.read_bytes()
        is_svg = path.suffix.lower() == ".svg"
        reason = _svg_problem(data) if is_svg else _png_problem(data)
        if reason:
            problem(reason, "export the figure again as a plain PNG, or as an SVG without scripts, links or embedded files")
            continue
        mime = "image/svg+xml" if is_svg else "image/png"
        uri = f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
        files.append(FigureFile(figure.file, path, where, mime, sha256(path), uri))
    return files, findings
