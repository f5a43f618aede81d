"""eCTD-structured output: one PDF per leaf document in the eCTD v3.2.2 folder layout.

`dossier build --layout ectd -o OUTDIR` renders each leaf the pack's `ectd:` table names (a
section, or one per item of a repeated section) as a document of its own, files each attached
PDF unchanged under the eCTD heading the pack gives it, links the generated documents to those
files with relative links and preflights every PDF. With a backbone (IND) the sequence folder is
the serial number and dossier.backbone writes index.xml, us-regional.xml and the study tagging
files; without one (the IMPD's CTIS set) an MD5 checksum list. Folder and file names follow the
ICH rule (a-z, 0-9 and hyphens; at most 64 characters with the extension; paths at most 180).

Everything is written to a temporary folder beside OUTDIR and renamed into place at the end, so a
failed build leaves nothing behind.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from dossier.errors import OutputError, RenderError
from dossier.packs.manifest import Pack
from dossier.packs.outline import ATTACHMENT_TEMPLATE, Node, attachment_anchor

NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")
MAX_NAME = 64
MAX_PATH = 180


@dataclass
class Leaf:
    node: Node
    path: str
    """Relative to OUTDIR, with .pdf."""
    ctd: str = ""
    """The eCTD heading it is filed under."""
    tag: str = ""
    """Its file-tag in its study's tagging file (eCTD), or its document type (CTIS)."""
    only: tuple[str, str, str] | None = None
    """(list, field, value): the document holds only the list's items with that value."""


@dataclass
class Placed:
    """Where an attached document goes."""

    path: str
    """Relative to OUTDIR."""
    ctd: str
    tag: str = ""
    holder: object = None
    """The repeated item (drug substance, protocol) whose section attaches it, if any."""


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _names_ok(rel: str) -> bool:
    parts = rel.split("/")
    return len(rel) <= MAX_PATH and all(NAME.match(p.removesuffix(".pdf")) and len(p) <= MAX_NAME for p in parts)


def sequence_folder(pack: Pack, serial: str | None) -> str:
    """The sequence folder: the pack's, with '{serial}' the submission's serial number (0000 for
    an initial IND, 21 CFR 312.23(e))."""
    assert pack.ectd is not None
    return pack.ectd.sequence.format(serial=serial or "0000")


def _fact_pattern(fact: str) -> re.Pattern:
    """'us.references[].letter' -> a pattern for concrete paths 'us.references[2].letter'."""
    return re.compile("^" + re.escape(fact).replace(r"\[\]", r"\[\d+\]") + "$")


def plan(pack: Pack, outline: list[Node], d, serial: str | None = None) -> tuple[list[Leaf], dict[str, Placed]]:
    """The leaf documents (node, relative path, eCTD heading) and, for each attached PDF's anchor,
    where the attachment is placed. A '{type}' placement files a study report under the section
    that reports its study type (the section whose `types` parameter names it). Raises RenderError
    for a name the eCTD rules do not allow or an attachment with no place."""
    from dossier.io.yamlsource import format_path

    assert pack.ectd is not None
    product_code = d.product.code
    sequence = sequence_folder(pack, serial)
    leaf_ids = {spec.section for spec in pack.ectd.leaves}
    type_sections: dict[str, str] = {}  # study type -> the leaf section that reports it (Module 4)
    for root in outline:
        for n in root.walk():
            for kind in n.section.params.get("types", []) if n.applicable and n.id in leaf_ids else []:
                type_sections.setdefault(kind, n.id)
    by_id: dict[str, list[tuple[Node, list[Node]]]] = {}

    def walk(node: Node, ancestors: list[Node]):
        by_id.setdefault(node.id, []).append((node, ancestors))
        for child in node.children:
            walk(child, ancestors + [node])

    for root in outline:
        walk(root, [])
    leaves: list[Leaf] = []
    folder_of: dict[int, str] = {}
    for spec in pack.ectd.leaves:
        for node, _ in by_id.get(spec.section, []):
            if not node.applicable:
                continue
            item = slug(str(getattr(node.item, "id", "") or getattr(node.item, "name", "") or "item"))
            for only in _splits(spec.split_by, d, pack.region):
                value = slug(only[2]) if only else ""
                folder = spec.folder.format(item=item, code=slug(product_code), value=value)
                name = spec.file.format(item=item, code=slug(product_code), value=value)
                rel = "/".join(p for p in (sequence, folder, name + ".pdf") if p and p != ".")
                if not _names_ok(rel):
                    raise RenderError(f"eCTD name {rel!r} breaks the naming rules (a-z, 0-9, hyphen; 64 characters per name; 180 per path)")
                leaves.append(Leaf(node, rel, spec.heading, spec.tag, only))
                folder_of[id(node)] = rel.rsplit("/", 1)[0] if "/" in rel else ""
    placed: dict[str, Placed] = {}
    for nodes in by_id.values():
        for node, ancestors in nodes:
            if node.section.template != ATTACHMENT_TEMPLATE:
                continue
            where = format_path(node.item_path)
            rule = next((d for d in pack.ectd.documents if _fact_pattern(d.fact).match(where)), None)
            ctd, tag = (rule.ctd, rule.tag) if rule else ("", "")
            if ctd == "{type}":
                study = study_of(d, node.item_path)
                ctd = type_sections.get(study.type.value, "") if study is not None else ""
            if node.item.ectd:
                ctd = node.item.ectd
            owner = None
            if ctd:
                owner = _folder_for(ctd, leaves)
            if owner is None:
                owner = next((folder_of[id(a)] for a in reversed(ancestors) if id(a) in folder_of), None)
                if not ctd:
                    ctd = next((lf.ctd for a in reversed(ancestors) for lf in leaves if lf.node is a), "")
            if owner is None or not ctd:
                raise RenderError(f"no eCTD folder for attachment {node.item.file}: give it an ectd: section the pack's table places")
            name = slug(Path(node.item.file).stem)[: MAX_NAME - 4] + ".pdf"
            holder = next((a.item for a in reversed(ancestors) if a.item_path), None)
            placed[node.anchor] = Placed(f"{owner}/{name}" if owner else name, ctd, tag, holder)
    return leaves, placed


def _splits(split_by: str, d, region: str) -> list[tuple[str, str, str] | None]:
    """[None] for a leaf that is one document; else one (list, field, value) per distinct value
    among the list's items the region shows (an item with a `region` shows in its region only)."""
    if not split_by:
        return [None]
    m = re.fullmatch(r"(\w+)\[\]\.(\w+)", split_by)
    if m is None:
        raise RenderError(f"split_by {split_by!r}: expected 'list[].field' (a top-level list)")
    name, field = m.groups()
    values = []
    for it in getattr(d, name):
        shown = getattr(it, "region", None)
        if shown is not None and getattr(shown, "value", shown) != region:
            continue
        value = getattr(it, field, None)
        value = str(getattr(value, "value", value)) if value is not None else "not-stated"
        if value not in values:
            values.append(value)
    return [(name, field, v) for v in values] or [None]


def only_items(d, only: tuple[str, str, str] | None):
    """The dossier with the split list holding only the items of one value."""
    if only is None:
        return d
    name, field, value = only

    def keep(it) -> bool:
        v = getattr(it, field, None)
        return (str(getattr(v, "value", v)) if v is not None else "not-stated") == value

    copy = d.model_copy(update={name: [it for it in getattr(d, name) if keep(it)]})
    if getattr(copy, "_views", None) is not None:
        copy._views = {}  # model_copy shares the original's cached regional views
    return copy


def study_of(d, path: tuple):
    """The nonclinical study whose report the YAML path names (nonclinical.studies[i].report)."""
    if len(path) == 4 and path[:2] == ("nonclinical", "studies") and path[3] == "report":
        return d.nonclinical.studies[path[2]]
    return None


def _folder_for(ctd: str, leaves: list[Leaf]) -> str | None:
    """Folder of the leaf filed under `ctd`, else under its nearest parent heading."""
    best = None
    for leaf in leaves:
        h = leaf.ctd
        if (ctd == h or ctd.startswith(h + ".")) and (best is None or len(h) > len(best.ctd)):
            best = leaf
    return best.path.rsplit("/", 1)[0] if best else None


def leaf_document(node: Node, others: frozenset[int] = frozenset(), level: int = 1) -> Node:
    """A copy of the subtree a leaf document holds: renumbered from `level`, without attachments
    and without the subsections filed as leaves of their own (`others`: their node ids), which
    are files of their own in this layout."""
    kids = [leaf_document(c, others, level + 1) for c in node.children if c.section.template != ATTACHMENT_TEMPLATE and id(c) not in others]
    return dataclasses.replace(node, level=level, children=kids)


REL_SCHEME = "dossier-rel:"
"""Relative links are written with this prefix, so WeasyPrint keeps them as they are, then turned
into /GoToR actions with a relative file path (what FDA's PDF specification asks for links
between submission files)."""


def relative_links(leaf: Leaf, placed: dict[str, Placed], leaves: list[Leaf] = ()) -> dict[str, str]:
    """Anchor -> relative link for every attachment and every other leaf document."""
    base = os.path.dirname(leaf.path) or "."
    targets = {**{other.node.anchor: other.path for other in leaves if other is not leaf}, **{a: p.path for a, p in placed.items()}}
    return {anchor: REL_SCHEME + os.path.relpath(target, base) for anchor, target in targets.items()}


def remote_links(pdf_bytes: bytes) -> bytes:
    """Turn the marked relative links into GoToR actions (opening the other file at its first page)."""
    import io

    import pikepdf

    changed = False
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        for page in pdf.pages:
            for annot in page.get("/Annots", []):
                action = annot.get("/A")
                uri = str(action.get("/URI", "")) if action is not None and action.get("/S") == "/URI" else ""
                if uri.startswith(REL_SCHEME):
                    rel = uri[len(REL_SCHEME):]
                    annot.A = pikepdf.Dictionary(S=pikepdf.Name.GoToR, F=pikepdf.Dictionary(Type=pikepdf.Name.Filespec, F=pikepdf.String(rel), UF=pikepdf.String(rel)), D=pikepdf.Array([0, pikepdf.Name.Fit]), NewWindow=True)
                    changed = True
        if not changed:
            return pdf_bytes
        out = io.BytesIO()
        pdf.save(out, linearize=True, deterministic_id=True, compress_streams=True)
    return out.getvalue()


def staging(outdir: Path) -> Path:
    """An empty temporary folder beside OUTDIR (same file system, so the final rename is atomic)."""
    if outdir.exists() and (not outdir.is_dir() or any(outdir.iterdir())):
        raise OutputError(f"{outdir} exists and is not an empty folder", hint="choose a new folder for the eCTD layout")
    if not outdir.parent.is_dir():
        raise OutputError(f"{outdir.parent}: output folder does not exist", hint=f"create it first: mkdir -p {outdir.parent}")
    return Path(tempfile.mkdtemp(prefix=f".{outdir.name}.", dir=outdir.parent))


def publish(tmp: Path, outdir: Path) -> None:
    if outdir.exists():
        outdir.rmdir()
    os.replace(tmp, outdir)


def discard(tmp: Path) -> None:
    shutil.rmtree(tmp, ignore_errors=True)


def write_checksums(root: Path, files: list[Path]) -> Path:
    """`checksums-md5.txt` in md5sum format (MD5, the checksum type of eCTD leaves)."""
    out = root / "checksums-md5.txt"
    from dossier.backbone import md5

    out.write_text("".join(f"{md5(f)}  {f.relative_to(root).as_posix()}\n" for f in sorted(files)), encoding="utf-8")
    return out


def write_document_list(root: Path, leaves: list[Leaf], pack: Pack) -> Path:
    """`documents.json`: each document of a layout without a backbone (the CTIS Part I set) with
    its document type, the section it holds and its MD5, for the person who uploads them."""
    import json

    from dossier.backbone import md5

    assert pack.ectd is not None
    rows = []
    for leaf in leaves:
        rel = Path(leaf.path)  # the set has no sequence folder: paths are relative to the output folder
        about = getattr(leaf.node.item, "name", "") if leaf.node.item_path else ""
        about = about or (f"{leaf.only[1]} {leaf.only[2]}" if leaf.only else "")
        rows.append({"file": rel.as_posix(), "document_type": leaf.tag, "section": leaf.node.heading + (f" — {about}" if about else ""), "md5": md5(root / rel)})
    out = root / "documents.json"
    out.write_text(json.dumps({"basis": pack.ectd.basis, "documents": rows}, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return out
