"""Read a writer's edits of a generated Word document back to the YAML they came from.

`dossier build --format docx` puts every fact it prints in a content control tagged with an entry
of the document's provenance part (dossier/render/docx.py): the fact's YAML path, whether it is a
narrative (Markdown) or a structured value, and the SHA-256 of its text when the document was
generated. For each control this module compares what the document says now with what the YAML
says now, both seen through the same Word writer, so formatting the writer did not touch never
counts as a change:

* a narrative the writer changed, whose YAML text is still the one the document was made from,
  is a **change**: the new Markdown is reported as a unified diff and, with `write`, replaces the
  value in its file (`dossier/io/yamledit.py`: the rest of the file stays byte for byte, a backup
  is kept, the write is atomic and checked by reading the dossier again);
* a narrative changed both in Word and in the YAML since, is a **conflict**: reported, never
  written;
* a structured value (a name, a limit, a table cell) changed in Word is **reported** with where to
  change it: numbers and tables are not written back from a word processor;
* a control with tracked changes not yet accepted or rejected is reported and left alone.

Paragraphs typed outside the controls are not read.
"""

from __future__ import annotations

import difflib
import hashlib
import io
import os
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from dossier.errors import DossierError, InputFileError
from dossier.io import guard
from dossier.io.yamlsource import PathT, format_path
from dossier.render.docx_blocks import NAMESPACE, Block, digest, read_blocks, shown_text, wtag

MAX_DOCX_BYTES = 200 * 1024 * 1024
MAX_PART_BYTES = 100 * 1024 * 1024
"""Limits on the archive and on one unpacked part (a ZIP bomb is refused, not unpacked)."""


class IngestError(DossierError):
    pass


@dataclass(frozen=True)
class Fact:
    id: int
    kind: str
    path: PathT
    sha256: str
    """Of the YAML text the document was made from."""
    shown: str
    """Digest of what the control showed when the document was made (docx_blocks.digest)."""


@dataclass
class Provenance:
    source: str
    target: str
    region: str | None
    facts: dict[int, Fact]


@dataclass
class Change:
    path: PathT
    file: str
    line: int
    kind: str
    """edit (a narrative to write), conflict, structured (reported only), tracked, gone."""
    old: str = ""
    new: str = ""
    message: str = ""

    def diff(self) -> str:
        where = f"{self.file}:{self.line} {format_path(self.path)}"
        lines = difflib.unified_diff(self.old.splitlines(keepends=True), self.new.splitlines(keepends=True), f"{where} (YAML)", f"{where} (Word)")
        return "".join(x if x.endswith("\n") else x + "\n" for x in lines)


@dataclass
class IngestResult:
    docx: Path
    dossier: Path
    changes: list[Change] = field(default_factory=list)
    written: list[tuple[Path, Path]] = field(default_factory=list)
    """(file, its backup) for each YAML file written."""

    @property
    def edits(self) -> list[Change]:
        return [c for c in self.changes if c.kind == "edit"]


# --- reading the document --------------------------------------------------------------------

@dataclass
class _Docx:
    body: etree._Element
    styles: dict[str, str]
    links: dict[str, str]
    provenance: Provenance


def _read_part(z: zipfile.ZipFile, name: str) -> bytes:
    """One part, unpacked no further than the limit (the sizes a ZIP declares can lie)."""
    with z.open(name) as fh:
        data = fh.read(MAX_PART_BYTES + 1)
    if len(data) > MAX_PART_BYTES:
        raise InputFileError(f"{name} in the document unpacks to more than {MAX_PART_BYTES:,} bytes", hint="this is not a document dossier wrote")
    return data


def _xml(data: bytes):
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
    return etree.fromstring(data, parser)


def read_docx(path: Path) -> _Docx:
    guard.input_file(path, "Word document")
    if path.stat().st_size > MAX_DOCX_BYTES:
        raise InputFileError(f"{path}: {path.stat().st_size:,} bytes; the limit is {MAX_DOCX_BYTES:,}")
    try:
        z = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
        body = _xml(_read_part(z, "word/document.xml")).find(wtag("body"))
        names = z.namelist()
        styles = {}
        if "word/styles.xml" in names:
            for s in _xml(_read_part(z, "word/styles.xml")).iter(wtag("style")):
                name = s.find(wtag("name"))
                styles[s.get(wtag("styleId"))] = (name.get(wtag("val")) if name is not None else "").lower()
        links = {}
        if "word/_rels/document.xml.rels" in names:
            for rel in _xml(_read_part(z, "word/_rels/document.xml.rels")):
                links[rel.get("Id")] = rel.get("Target")
        provenance = None
        for name in names:
            if re.fullmatch(r"customXml/item\d+\.xml", name):
                root = _xml(_read_part(z, name))
                if root.tag == f"{{{NAMESPACE}}}dossier":
                    provenance = _provenance(root)
    except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError, ValueError) as exc:
        raise InputFileError(f"{path}: not a Word document dossier can read ({exc})", hint="give the .docx that 'dossier build --format docx' wrote, saved from Word as .docx") from None
    if body is None:
        raise InputFileError(f"{path}: the document has no body")
    if provenance is None:
        raise InputFileError(f"{path}: no dossier provenance in this document", hint="ingest reads documents made by 'dossier build --format docx' (the part that records where each fact came from must be kept)")
    return _Docx(body, styles, links, provenance)


def _provenance(root) -> Provenance:
    facts = {}
    for el in root:
        if el.tag == f"{{{NAMESPACE}}}fact":
            n = int(el.get("id"))
            facts[n] = Fact(n, el.get("kind"), parse_path(el.get("path")), el.get("sha256"), el.get("shown", ""))
    return Provenance(root.get("source", ""), root.get("target", ""), root.get("region"), facts)


_PART = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\.")


def parse_path(text: str) -> PathT:
    """`quality.lots[2].id` -> ("quality", "lots", 2, "id") (the inverse of format_path)."""
    out: list = []
    pos = 0
    while pos < len(text):
        m = _PART.match(text, pos)
        if not m:
            raise ValueError(f"bad path {text!r}")
        if m.group(1):
            out.append(m.group(1))
        elif m.group(2):
            out.append(int(m.group(2)))
        pos = m.end()
    return tuple(out)


def _has_tracked(el) -> bool:
    return any(isinstance(x.tag, str) and etree.QName(x).localname in ("ins", "del", "moveFrom", "moveTo") for x in el.iter())


def controls(doc: _Docx):
    """(fact number, sdt element) of every dossier content control, in document order."""
    for sdt in doc.body.iter(wtag("sdt")):
        tag = sdt.find(f"{wtag('sdtPr')}/{wtag('tag')}")
        value = tag.get(wtag("val")) if tag is not None else ""
        if value.startswith("dossier:") and value[8:].isdigit():
            yield int(value[8:]), sdt


# --- the YAML side ---------------------------------------------------------------------------

class _Renderer:
    """What the Word writer makes of a narrative, as blocks: the same code path as the document."""

    def __init__(self) -> None:
        import docx as python_docx

        from dossier.render import docx as writer

        self.doc = python_docx.Document()
        writer._ensure_styles(self.doc)
        self.writer = writer._Writer(self.doc, [], writer._State(), {})
        self.styles = {s.style_id: s.name.lower() for s in self.doc.styles}

    def blocks(self, markdown: str) -> list[Block]:
        from docx.oxml import OxmlElement
        from lxml import html as lxml_html

        from dossier.render.markdown import render_markdown

        html = str(render_markdown(markdown))
        holder = OxmlElement("w:sdtContent")
        if html.strip():
            div = lxml_html.fragment_fromstring(html, create_parent="div")
            self.writer.mixed(div, holder)
        links = {r_id: rel.target_ref for r_id, rel in self.doc.part.rels.items() if rel.is_external}
        return read_blocks(etree.fromstring(etree.tostring(holder)), self.styles, links)


def to_markdown(blocks: list[Block], escape: bool = False) -> str:
    """Markdown (the narrative subset) that the Word writer turns into `blocks`."""
    units: list[str] = []
    for unit in _units(blocks):
        kind = unit[0][0]
        if kind in ("ul", "ol"):
            units.append("\n".join(f"{('  ' if k == 'ul' else '   ') * (depth - 1)}{'-' if k == 'ul' else '1.'} {_inline_md(runs, escape)}" for k, depth, runs in unit))
        elif kind == "row":
            units.append(_table_md(unit, escape))
        else:
            units.append(_inline_md(unit[0][2], escape))
    return "\n\n".join(units)


def _table_md(rows, escape: bool) -> str:
    """A Markdown table; the header row's cells are bold in Word by being header cells."""
    lines = []
    for i, (_, ncells, cells) in enumerate(rows):
        texts = []
        for (runs,) in cells:
            runs = tuple((t if escape else t.replace("|", "\\|"), f - {"b"} if i == 0 else f, link) for t, f, link in runs)
            texts.append(_inline_md(runs, escape).replace("\n", " "))
        lines.append("| " + " | ".join(texts) + " |")
        if i == 0:
            lines.append("|" + "---|" * ncells)
    return "\n".join(lines)


_SPECIAL = re.compile(r"([\\*_`\[\]^~|])")
_LINE_START = re.compile(r"^(\s*)([-*+>#]|\d+[.)])(?=\s|$)", re.MULTILINE)


def _inline_md(runs, escape: bool) -> str:
    out = []
    for text, flags, link in runs:
        if escape:
            text = _SPECIAL.sub(r"\\\1", text)
        text = text.replace("\n", "\\\n")
        core, lead, trail = text.strip(" "), text[: len(text) - len(text.lstrip(" "))], text[len(text.rstrip(" ")):]
        if core:
            if "code" in flags:
                core = f"`{core}`"
            if "sup" in flags:
                core = f"^{core}^"
            if "sub" in flags:
                core = f"~{core}~"
            if "i" in flags:
                core = f"*{core}*"
            if "b" in flags:
                core = f"**{core}**"
            if link:
                core = f"[{core}]({link})"
        out.append(lead + core + trail)
    joined = "".join(out)
    return _LINE_START.sub(r"\1\\\2", joined) if escape else joined


# --- comparing -------------------------------------------------------------------------------

def _units(blocks: list[Block]) -> list[tuple]:
    """Blocks grouped as Markdown writes them: a list or a table is one unit, a paragraph one."""
    units: list[list] = []
    for b in blocks:
        if units and (b[0] in ("ul", "ol") and units[-1][0][0] in ("ul", "ol") or b[0] == "row" and units[-1][0][0] == "row"):
            units[-1].append(b)
        else:
            units.append([b])
    return [tuple(u) for u in units]


def merge_text(old: str, new_blocks: list[Block], renderer: _Renderer) -> str | None:
    """New Markdown for a narrative: paragraphs the writer left alone keep their source text
    (line wrapping and all), changed and added ones are written from the document. None when no
    Markdown of the subset gives the document's text."""
    chunks = [c for c in re.split(r"\n[ \t]*\n", old.strip("\n")) if c.strip()]
    old_units = [(tuple(renderer.blocks(c)), c) for c in chunks]
    new_units = _units(new_blocks)
    a = [key for key, _ in old_units]
    b = [tuple(u) for u in new_units]
    pieces: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            pieces += [old_units[i][1] for i in range(i1, i2)]
        elif op in ("replace", "insert"):
            for u in b[j1:j2]:
                md = _unit_md(list(u), renderer)
                twin = _closest(u, range(i1, i2), a) if op == "replace" and md is not None else None
                if twin is not None:
                    md = _rewrap(old_units[twin][1], md, u, renderer)
                pieces.append(md)
    if any(p is None for p in pieces):
        return None
    text = "\n\n".join(pieces)
    if old.endswith("\n"):
        text += "\n"
    return text if renderer.blocks(text) == new_blocks else None


def _closest(unit, candidates, old_keys) -> int | None:
    """The replaced paragraph (or list) a new one was most probably edited from, if any."""
    def words(blocks) -> list[str]:
        return " ".join(t for _, _, runs in blocks for t, _, _ in runs).split()

    kind = unit[0][0]
    if kind == "row":
        return None  # a table is written from the document as a whole
    best, score = None, 0.5
    for i in candidates:
        if old_keys[i] and old_keys[i][0][0] == kind and (kind == "p" or len(old_keys[i]) == len(unit)):
            ratio = difflib.SequenceMatcher(a=words(old_keys[i]), b=words(unit), autojunk=False).ratio()
            if ratio > score:
                best, score = i, ratio
    return best


def _rewrap(old: str, new: str, blocks, renderer: _Renderer) -> str:
    """`new` (a paragraph or a list) with the line breaks of the text it replaces kept between
    the words both share, so the diff shows the lines that changed, not the whole paragraph."""
    if blocks and blocks[0][0] in ("ul", "ol"):
        old_items = re.split(r"\n(?=[ \t]*(?:[-*]|\d{1,9}\.)[ \t])", old.strip("\n"))
        new_items = new.split("\n")
        if len(old_items) != len(new_items):
            return new
        out = []
        for o, n in zip(old_items, new_items):
            mo, mn = _ITEM.match(o), _ITEM.match(n)
            if not (mo and mn):
                return new
            out.append(mo.group(0) + _keep_breaks(o[mo.end():], n[mn.end():]))
        text = "\n".join(out)
    else:
        text = _keep_breaks(old, new)
    return text if renderer.blocks(text) == list(blocks) else new


_ITEM = re.compile(r"[ \t]*(?:[-*]|\d{1,9}\.)[ \t]+")


def _keep_breaks(old: str, new: str) -> str:
    if "\n" in new:
        return new
    parts = re.split(r"(\s+)", old.strip())
    old_words, old_seps = parts[0::2], parts[1::2]
    new_words = new.split(" ")
    after: dict[int, str] = {}
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False).get_opcodes():
        if op == "equal":
            for k in range(i2 - i1):
                if i1 + k < len(old_seps):
                    after[j1 + k] = old_seps[i1 + k]
        elif j2 > j1 and i2 > i1 and i2 - 1 < len(old_seps):
            after[j2 - 1] = old_seps[i2 - 1]  # a replaced stretch ends where the old one did
    out = []
    for j, word in enumerate(new_words):
        out.append(word)
        if j < len(new_words) - 1:
            out.append(after.get(j, " "))
    return "".join(out)


def _unit_md(blocks: list[Block], renderer: _Renderer) -> str | None:
    for escape in (False, True):
        md = to_markdown(blocks, escape)
        if renderer.blocks(md) == blocks:
            return md
    return None


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _value_at(obj, path: PathT):
    for part in path:
        if obj is None:
            return None
        if isinstance(part, int):
            obj = obj[part] if isinstance(obj, list) and part < len(obj) else None
        else:
            obj = getattr(obj, part, None)
    return obj


def ingest(docx_path: Path, dossier_path: Path | None = None, *, write: bool = False) -> IngestResult:
    from dossier import api
    from dossier.model import regional
    from dossier.model.base import Regional

    doc = read_docx(docx_path)
    prov = doc.provenance
    if dossier_path is None:
        dossier_path = Path(os.path.normpath(docx_path.parent / prov.source)) if prov.source else None
        if dossier_path is None or not dossier_path.exists():
            raise InputFileError(f"{docx_path}: the dossier it was made from ({prov.source or 'not recorded'}) is not found beside it", hint=f"name the dossier: dossier ingest {docx_path} PATH/TO/dossier.yaml")
    loaded = api.load(dossier_path)
    if loaded.dossier is None:
        blocking = next((f for f in loaded.findings if f.blocking), None)
        raise InputFileError(f"{loaded.path}: the dossier does not load ({blocking.message if blocking else 'errors'})", hint="run 'dossier check' and fix it first")
    view = regional.view(loaded.dossier, prov.region if prov.region in ("us", "eu") else None)
    renderer = _Renderer()
    result = IngestResult(docx_path, loaded.path)
    seen: set[int] = set()
    for n, sdt in controls(doc):
        fact = prov.facts.get(n)
        if fact is None:
            continue
        yaml_path = fact.path
        raw = _value_at(loaded.dossier, fact.path)
        if isinstance(raw, Regional) and prov.region:
            yaml_path = fact.path + (prov.region,)
        where = loaded.source_map.locate(yaml_path)
        current = _value_at(view, fact.path)
        content = sdt.find(wtag("sdtContent"))

        def add(kind: str, old: str = "", new: str = "", message: str = "") -> None:
            result.changes.append(Change(yaml_path, where.file, where.line, kind, old, new, message))

        if not isinstance(current, str):
            if n not in seen:
                add("gone", message="this fact is no longer in the dossier; the document's text is not written")
            seen.add(n)
            continue
        if _has_tracked(content):
            if n not in seen:
                add("tracked", message="has tracked changes: accept or reject them in Word, then run ingest again")
            seen.add(n)
            continue
        if fact.kind == "value":
            shown = shown_text(content, doc.links)
            if digest(shown) != fact.shown and (n, shown) not in seen:
                seen.add((n, shown))  # type: ignore[arg-type]
                add("structured", current, shown, "not written back: change it in the YAML" + ("" if _sha(current) == fact.sha256 else " (it has also changed in the YAML since the document was made)"))
            continue
        if n in seen:
            continue  # a narrative shown twice is read where it first appears
        seen.add(n)
        blocks = read_blocks(content, doc.styles, doc.links)
        if digest(blocks) == fact.shown or blocks == renderer.blocks(current):
            continue  # not edited in Word (the YAML may have changed since: the document is only out of date)
        if _sha(current) != fact.sha256:
            add("conflict", current, to_markdown(blocks), "changed in the YAML since the document was made and edited in Word: not written; merge by hand")
            continue
        new = merge_text(current, blocks, renderer)
        if new is None:
            add("conflict", current, to_markdown(blocks), "the edited text cannot be written in the narrative Markdown subset: not written")
            continue
        add("edit", current, new)
    if write and result.edits:
        result.written = _write(loaded, result.edits)
    return result


def _files_by_display(loaded) -> dict[str, Path]:
    smap = loaded.source_map
    root_dir = loaded.path.resolve().parent
    out = {smap.file: loaded.path}
    for f in loaded.files[1:]:
        out[str(Path(smap.file).parent / f.relative_to(root_dir))] = f
    return out


def _in_file(smap, path: PathT, display: str) -> PathT:
    """`path` relative to the root of the file that holds it (an included file's root is the
    shortest prefix of the path whose value sits in that file)."""
    if display == smap.file:
        return path
    for n in range(len(path) + 1):
        if smap.value_files.get(path[:n]) == display:
            return path[n:]
    raise IngestError(f"{format_path(path)}: cannot tell where {display} is included")


def _write(loaded, edits: list[Change]) -> list[tuple[Path, Path]]:
    from dossier import api
    from dossier.io import yamledit

    files = _files_by_display(loaded)
    by_file: dict[str, list[Change]] = {}
    for c in edits:
        by_file.setdefault(c.file, []).append(c)
    planned: list[tuple[Path, bytes, bytes]] = []
    for display, changes in by_file.items():
        path = files.get(display)
        if path is None:
            raise IngestError(f"{display}: not a file of this dossier")
        original = path.read_bytes()
        text, bom = yamledit.read_text(path)
        for c in changes:
            text = yamledit.replace_value(text, _in_file(loaded.source_map, c.path, display), c.new)
        planned.append((path, original, yamledit.encode(text, bom)))
    written: list[tuple[Path, Path]] = []
    try:
        for path, original, data in planned:
            backup = yamledit.backup_name(path)
            guard.atomic_write(backup, original)
            written.append((path, backup))
            guard.atomic_write(path, data)
        check = api.load(loaded.path)
        for c in edits:
            if check.dossier is None or _value_at(check.dossier, c.path) != c.new:
                raise IngestError(f"{format_path(c.path)}: the dossier does not read back with the new text; every file was restored")
    except BaseException:
        for path, original, _ in planned:
            if any(p == path for p, _ in written):
                guard.atomic_write(path, original)
        raise
    return written


def relative(path: Path) -> str:
    """`path` relative to the working folder when it lies inside it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if rel.startswith("..") else rel
