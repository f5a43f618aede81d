"""eCTD-structured output: one PDF per leaf document in the eCTD v3.2.2 folder layout.

`dossier build --layout ectd -o OUTDIR` renders each leaf the pack's `ectd:` table names (a
section, or one per item of a repeated section) as a document of its own, places each attached
PDF unchanged in the folder of the section that attaches it, links the generated documents to
those files with relative links, preflights every PDF, and writes an MD5 checksum list (the
checksum type eCTD leaves carry) and the SHA-256 build manifest. Folder and file names follow the
ICH rule (a-z, 0-9 and hyphens; at most 64 characters with the extension; paths at most 180).
The XML backbone (index.xml, us-regional.xml) is not generated.

Everything is written to a temporary folder beside OUTDIR and renamed into place at the end, so a
failed build leaves nothing behind.
"""

from __future__ import annotations

import dataclasses
import hashlib
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


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _names_ok(rel: str) -> bool:
    parts = rel.split("/")
    return len(rel) <= MAX_PATH and all(NAME.match(p.removesuffix(".pdf")) and len(p) <= MAX_NAME for p in parts)


def plan(pack: Pack, outline: list[Node], product_code: str) -> tuple[list[Leaf], dict[str, str]]:
    """The leaf documents (node and relative path) and, for each attached PDF's anchor, where the
    attachment is placed. Raises RenderError for a name the eCTD rules do not allow."""
    assert pack.ectd is not None
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
            folder = spec.folder.format(item=item, code=slug(product_code))
            name = spec.file.format(item=item, code=slug(product_code))
            rel = "/".join(p for p in (pack.ectd.sequence, folder, name + ".pdf") if p and p != ".")
            if not _names_ok(rel):
                raise RenderError(f"eCTD name {rel!r} breaks the naming rules (a-z, 0-9, hyphen; 64 characters per name; 180 per path)")
            leaves.append(Leaf(node, rel))
            folder_of[id(node)] = rel.rsplit("/", 1)[0] if "/" in rel else ""
    placed: dict[str, str] = {}
    for nodes in by_id.values():
        for node, ancestors in nodes:
            if node.section.template != ATTACHMENT_TEMPLATE:
                continue
            owner = next((folder_of[id(a)] for a in reversed(ancestors) if id(a) in folder_of), None)
            if owner is None:
                owner = _by_ectd_section(pack, node.item.ectd, leaves)
            if owner is None:
                raise RenderError(f"no eCTD folder for attachment {node.item.file}: give it an ectd: section the pack's table places")
            name = slug(Path(node.item.file).stem)[: MAX_NAME - 4] + ".pdf"
            placed[node.anchor] = f"{owner}/{name}" if owner else name
    return leaves, placed


def _by_ectd_section(pack: Pack, section: str | None, leaves: list[Leaf]) -> str | None:
    """Folder of the leaf whose section id is the longest prefix of an attachment's `ectd`."""
    if not section:
        return None
    best = None
    for leaf in leaves:
        sid = leaf.node.id
        if (section == sid or section.startswith(sid + ".")) and (best is None or len(sid) > len(best.node.id)):
            best = leaf
    return best.path.rsplit("/", 1)[0] if best else None


def without_attachments(node: Node, level: int = 1) -> Node:
    """A copy of the subtree for a leaf document: renumbered from `level`, attachments removed
    (they are files of their own in this layout)."""
    kids = [without_attachments(c, level + 1) for c in node.children if c.section.template != ATTACHMENT_TEMPLATE]
    return dataclasses.replace(node, level=level, children=kids)


REL_SCHEME = "dossier-rel:"
"""Relative links are written with this prefix, so WeasyPrint keeps them as they are, then turned
into /GoToR actions with a relative file path (what FDA's PDF specification asks for links
between submission files)."""


def relative_links(leaf: Leaf, placed: dict[str, str], leaves: list[Leaf] = ()) -> dict[str, str]:
    """Anchor -> relative link for every attachment and every other leaf document."""
    base = os.path.dirname(leaf.path) or "."
    targets = {**{other.node.anchor: other.path for other in leaves if other is not leaf}, **placed}
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


def md5(path: Path) -> str:
    h = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


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
    out.write_text("".join(f"{md5(f)}  {f.relative_to(root).as_posix()}\n" for f in sorted(files)), encoding="utf-8")
    return out
