"""The eCTD v3.2.2 backbone of one sequence, and its check.

`write()` turns the files of a sequence folder into the XML an eCTD reader opens: `index.xml` (the
ICH backbone, valid against the ICH eCTD DTD 3.2 shipped in `util/dtd`), `m1/us/us-regional.xml`
(the FDA Module 1 backbone, a leaf of index.xml), a study tagging file for each study whose
documents are filed in Module 4 or 5, `util/style/ectd-2-0.xsl` and `index-md5.txt`. Every leaf
carries its file's MD5, a title and `operation="new"` (an initial sequence).

`check()` reads a sequence folder back: the XML parses and validates (index.xml against the ICH DTD;
us-regional.xml and the study tagging files against schemas derived from the specifications, see
docs/ectd.md), every `xlink:href` resolves to a file inside the sequence, every checksum matches,
index-md5.txt matches index.xml, and no file of the sequence is outside the backbone.
"""

from __future__ import annotations

import hashlib
import io
import re
import shutil
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

DATA = Path(__file__).resolve().parent / "data" / "ectd"
ICH_DTD = DATA / "ich-ectd-3-2.dtd"
STYLE = DATA / "ectd-2-0.xsl"
XLINK = "http://www.w3c.org/1999/xlink"
"""The XLink namespace as the ICH DTD fixes it (w3c.org, sic)."""

ROOTS = {
    "1": "m1-administrative-information-and-prescribing-information",
    "2": "m2-common-technical-document-summaries",
    "3": "m3-quality",
    "4": "m4-nonclinical-study-reports",
    "5": "m5-clinical-study-reports",
}


@dataclass
class Entry:
    """One file of the sequence as a leaf of the backbone."""

    ctd: str
    """The CTD heading it is filed under, e.g. '4.2.3.1', '3.2.S.2', '1.14.4.1'."""
    href: str
    """Relative to the sequence folder."""
    title: str
    attrs: dict[str, dict[str, str]] = field(default_factory=dict)
    """Attributes of repeated headings on the way, by CTD code: {'3.2.S': {'substance': ..., 'manufacturer': ...}}."""
    study: tuple[str, str] | None = None
    """(study id, study title) when the file belongs to a study (a study tagging file lists it)."""
    study_tag: str = ""
    """The file's role in its study ('study-report', 'protocol-or-amendment')."""
    categories: dict[str, str] = field(default_factory=dict)
    """Study categories for the tagging file ('species', 'route-of-admin')."""


# --- the headings -------------------------------------------------------------------------------


def _code(element: str) -> str:
    """'m3-2-s-1-general-information' -> '3.2.S.1' (the CTD number an ICH element stands for)."""
    parts = []
    for token in element[1:].split("-"):
        if token.isdigit() or (len(token) == 1 and token.isalpha() and parts):
            parts.append(token.upper())
        else:
            break
    return ".".join(parts)


@cache
def ich_headings() -> dict[str, tuple[str, int]]:
    """CTD code -> (ICH element, position in the DTD) for Modules 2 to 5, read from the DTD."""
    out: dict[str, tuple[str, int]] = {}
    for i, element in enumerate(re.findall(r"<!ELEMENT (m[2-5][\w-]*) ", ICH_DTD.read_text(encoding="utf-8"))):
        out.setdefault(_code(element), (element, i))
    return out


@cache
def us_headings() -> dict[str, tuple[str, int, bool]]:
    """CTD code -> (FDA element, position, holds leaves) for Module 1 (dossier/data/ectd/us-regional-m1.yaml)."""
    import yaml

    table = yaml.safe_load((DATA / "us-regional-m1.yaml").read_text(encoding="utf-8"))["headings"]
    return {code: (row["element"], i, row.get("leaves", True)) for i, (code, row) in enumerate(table.items())}


def heading_path(ctd: str) -> list[str]:
    """The CTD codes from the module's first heading down to `ctd`, each an element of the backbone."""
    table = us_headings() if ctd.startswith("1.") else ich_headings()
    parts = ctd.split(".")
    chain = [".".join(parts[:n]) for n in range(1, len(parts) + 1)]
    chain = [c for c in chain if c in table and c not in ROOTS]
    if not chain or chain[-1] != ctd:
        raise ValueError(f"eCTD heading {ctd!r} is not a heading of the {'FDA Module 1' if ctd.startswith('1.') else 'ICH'} backbone")
    if ctd.startswith("1.") and not table[ctd][2]:
        raise ValueError(f"eCTD heading {ctd!r} holds only other headings; file the document under one of them")
    return chain


# --- writing ------------------------------------------------------------------------------------


def md5(path: Path) -> str:
    h = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@dataclass
class _Node:
    element: str
    order: int
    attrs: dict[str, str] = field(default_factory=dict)
    leaves: list[str] = field(default_factory=list)
    children: dict[tuple, _Node] = field(default_factory=dict)


def _tree(entries: list[tuple[Entry, str]], table, root_element: str) -> _Node:
    """Headings as nested nodes (repeated headings split by their attributes), leaves in order."""
    root = _Node(root_element, -1)
    for entry, xml in entries:
        node = root
        for code in heading_path(entry.ctd):
            element, order = table[code][0], table[code][1]
            attrs = entry.attrs.get(code, {})
            key = (order, tuple(sorted(attrs.items())))
            node = node.children.setdefault(key, _Node(element, order, attrs))
        node.leaves.append(xml)
    return root


def _render(node: _Node, depth: int) -> str:
    pad = "  " * depth
    attrs = "".join(f" {k}={quoteattr(v)}" for k, v in node.attrs.items())
    inner = [f"{pad}  {leaf}" for leaf in node.leaves]
    inner += [_render(child, depth + 1) for _, child in sorted(node.children.items(), key=lambda kv: kv[0])]
    return f"{pad}<{node.element}{attrs}>\n" + "\n".join(inner) + f"\n{pad}</{node.element}>"


def _leaf(ident: str, href: str, title: str, checksum: str) -> str:
    return (f'<leaf ID="{ident}" operation="new" checksum-type="md5" checksum="{checksum}" '
            f'xlink:type="simple" xlink:href={quoteattr(href)}><title>{escape(title)}</title></leaf>')


def _ids(entries: list[Entry]) -> dict[str, str]:
    """A stable XML ID per file (href), unique in the sequence."""
    out: dict[str, str] = {}
    for entry in entries:
        base = "leaf-" + re.sub(r"[^a-z0-9]+", "-", entry.href.lower().removesuffix(".pdf").removesuffix(".xml")).strip("-")
        ident, n = base, 2
        while ident in out.values():
            ident, n = f"{base}-{n}", n + 1
        out[entry.href] = ident
    return out


def write(seq: Path, entries: list[Entry], *, regional_admin: dict[str, str]) -> list[Path]:
    """Write the backbone of the sequence folder `seq`, whose files the entries name. Returns the
    files written (XML, util)."""
    written: list[Path] = []
    entries = list(entries) + _tagging_files(seq, entries)
    ids = _ids(entries)
    # Module 1: us-regional.xml, its hrefs relative to m1/us
    m1 = [e for e in entries if e.ctd.startswith("1.")]
    regional = seq / "m1" / "us" / "us-regional.xml"
    if m1:
        leaves = [(e, _leaf(ids[e.href], _relative(e.href, "m1/us"), e.title, md5(seq / e.href))) for e in m1]
        tree = _tree(leaves, us_headings(), "m1-regional")
        regional.parent.mkdir(parents=True, exist_ok=True)
        regional.write_text(_regional_xml(tree, regional_admin), encoding="utf-8")
        written.append(regional)
    rest = [e for e in entries if not e.ctd.startswith("1.")]
    modules: dict[str, list[tuple[Entry, str]]] = {}
    for e in rest:
        modules.setdefault(e.ctd.split(".")[0], []).append((e, _leaf(ids[e.href], e.href, e.title, md5(seq / e.href))))
    body = []
    if m1:
        body.append(f"  <{ROOTS['1']}>\n    {_leaf('leaf-m1-us-regional', 'm1/us/us-regional.xml', 'FDA regional backbone (Module 1)', md5(regional))}\n  </{ROOTS['1']}>")
    for module in sorted(modules):
        body.append(_render(_tree(modules[module], ich_headings(), ROOTS[module]), 1))
    index = seq / "index.xml"
    index.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<!DOCTYPE ectd:ectd SYSTEM "util/dtd/ich-ectd-3-2.dtd">\n'
        '<?xml-stylesheet type="text/xsl" href="util/style/ectd-2-0.xsl"?>\n'
        f'<ectd:ectd xmlns:ectd="http://www.ich.org/ectd" xmlns:xlink="{XLINK}" dtd-version="3.2" xml:lang="en">\n'
        + "\n".join(body) + "\n</ectd:ectd>\n",
        encoding="utf-8",
    )
    (seq / "util" / "dtd").mkdir(parents=True, exist_ok=True)
    (seq / "util" / "style").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ICH_DTD, seq / "util" / "dtd" / ICH_DTD.name)
    shutil.copyfile(STYLE, seq / "util" / "style" / STYLE.name)
    (seq / "index-md5.txt").write_text(md5(index), encoding="ascii")
    written += [index, seq / "index-md5.txt", seq / "util" / "dtd" / ICH_DTD.name, seq / "util" / "style" / STYLE.name]
    written += [seq / e.href for e in entries if e.href.endswith(".xml")]
    return written


def _relative(href: str, folder: str) -> str:
    import posixpath

    return posixpath.relpath(href, folder)


def _regional_xml(tree: _Node, admin: dict[str, str]) -> str:
    a = {k: escape(v) for k, v in admin.items()}
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<!DOCTYPE fda-regional:fda-regional SYSTEM "https://www.accessdata.fda.gov/static/eCTD/us-regional-v3-3.dtd">\n'
        f'<fda-regional:fda-regional xmlns:fda-regional="http://www.ich.org/fda" xmlns:xlink="{XLINK}" dtd-version="3.3" xml:lang="en">\n'
        "  <admin>\n"
        "    <applicant-info>\n"
        f"      <company-name>{a['company']}</company-name>\n"
        f"      <submission-description>{a['description']}</submission-description>\n"
        "    </applicant-info>\n"
        "    <application-set>\n"
        '      <application application-containing-files="true">\n'
        "        <application-information>\n"
        f'          <application-number application-type="ind">{a["application_number"]}</application-number>\n'
        "        </application-information>\n"
        "        <submission-information>\n"
        f'          <submission-id submission-type="original-application">{a["sequence"]}</submission-id>\n'
        f"          <sequence-number>{a['sequence']}</sequence-number>\n"
        "        </submission-information>\n"
        "      </application>\n"
        "    </application-set>\n"
        "  </admin>\n"
        + _render(tree, 1) + "\n</fda-regional:fda-regional>\n"
    )


def _tagging_files(seq: Path, entries: list[Entry]) -> list[Entry]:
    """A study tagging file per study of Modules 4 and 5, beside its documents, as a leaf of its
    heading; its doc-content entries point to the documents' leaves in index.xml."""
    by_study: dict[tuple[str, str], list[Entry]] = {}
    for e in entries:
        if e.study and e.ctd[0] in "45":
            by_study.setdefault(e.study, []).append(e)
    out = []
    ids = _ids(entries)
    for (study_id, title), docs in by_study.items():
        folder = docs[0].href.rsplit("/", 1)[0]
        href = f"{folder}/stf-{re.sub(r'[^a-z0-9]+', '-', study_id.lower()).strip('-')}.xml"
        to_index = _relative("index.xml", folder)
        cats = "".join(f'\n    <category name={quoteattr(k)} info-type="ich">{escape(v)}</category>' for k, v in docs[0].categories.items())
        contents = "".join(
            f'\n    <doc-content xlink:href={quoteattr(to_index + "#" + ids[d.href])}>\n      <file-tag name={quoteattr(d.study_tag)} info-type="ich"/>\n    </doc-content>' for d in docs
        )
        (seq / href).write_text(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<ectd:study xmlns:ectd="http://www.ich.org/ectd" xmlns:xlink="{XLINK}" xml:lang="en" dtd-version="2.2" info-type="ich">\n'
            "  <study-identifier>\n"
            f"    <title>{escape(title)}</title>\n"
            f"    <study-id>{escape(study_id)}</study-id>{cats}\n"
            "  </study-identifier>\n"
            f"  <study-document>{contents}\n  </study-document>\n"
            "</ectd:study>\n",
            encoding="utf-8",
        )
        out.append(Entry(docs[0].ctd, href, f"Study tagging file, {study_id}", docs[0].attrs))
    return out


# --- checking -----------------------------------------------------------------------------------

_LEAF_DTD = """
<!ELEMENT leaf (title, link-text?)>
<!ATTLIST leaf ID ID #REQUIRED operation (new | append | replace | delete) #REQUIRED
  modified-file CDATA #IMPLIED checksum CDATA #REQUIRED checksum-type CDATA #REQUIRED
  xlink:type CDATA #FIXED "simple" xlink:href CDATA #REQUIRED xml:lang CDATA #IMPLIED>
<!ELEMENT title (#PCDATA)>
<!ELEMENT link-text (#PCDATA)>
"""


def regional_dtd() -> str:
    """A schema for us-regional.xml derived from the Module 1 heading table: each heading that
    holds leaves takes leaves, each other heading its sub-headings in order; the admin block as
    dossier writes it (FDA's DTD was not available; docs/ectd.md)."""
    table = us_headings()

    def children(code: str) -> list[str]:
        depth = code.count(".") + 1 if code else 1
        return [c for c in table if c.startswith(code + "." if code else "1.") and c.count(".") == depth]

    lines = [
        '<!ELEMENT fda-regional:fda-regional (admin, m1-regional)>',
        f'<!ATTLIST fda-regional:fda-regional xmlns:fda-regional CDATA #FIXED "http://www.ich.org/fda" xmlns:xlink CDATA #FIXED "{XLINK}" dtd-version CDATA #FIXED "3.3" xml:lang CDATA #IMPLIED>',
        "<!ELEMENT admin (applicant-info, application-set)>",
        "<!ELEMENT applicant-info (company-name, submission-description)>",
        "<!ELEMENT company-name (#PCDATA)>",
        "<!ELEMENT submission-description (#PCDATA)>",
        "<!ELEMENT application-set (application+)>",
        "<!ELEMENT application (application-information, submission-information)>",
        "<!ATTLIST application application-containing-files (true | false) #REQUIRED>",
        "<!ELEMENT application-information (application-number)>",
        "<!ELEMENT application-number (#PCDATA)>",
        "<!ATTLIST application-number application-type CDATA #REQUIRED>",
        "<!ELEMENT submission-information (submission-id, sequence-number)>",
        "<!ELEMENT submission-id (#PCDATA)>",
        "<!ATTLIST submission-id submission-type CDATA #REQUIRED>",
        "<!ELEMENT sequence-number (#PCDATA)>",
        "<!ELEMENT m1-regional (" + ", ".join(f"{table[c][0]}?" for c in children("")) + ")>",
    ]
    for code, (element, _, holds_leaves) in table.items():
        kids = children(code)
        content = "(leaf*)" if holds_leaves and not kids else "(" + ", ".join(["leaf*"] * holds_leaves + [f"{table[c][0]}?" for c in kids]) + ")"
        lines.append(f"<!ELEMENT {element} {content}>")
    return "\n".join(lines) + _LEAF_DTD


STF_DTD = f"""
<!ELEMENT ectd:study (study-identifier, study-document)>
<!ATTLIST ectd:study xmlns:ectd CDATA #FIXED "http://www.ich.org/ectd" xmlns:xlink CDATA #FIXED "{XLINK}"
  xml:lang CDATA #IMPLIED dtd-version CDATA #FIXED "2.2" info-type CDATA #REQUIRED>
<!ELEMENT study-identifier (title, study-id, category*)>
<!ELEMENT title (#PCDATA)>
<!ELEMENT study-id (#PCDATA)>
<!ELEMENT category (#PCDATA)>
<!ATTLIST category name CDATA #REQUIRED info-type CDATA #REQUIRED>
<!ELEMENT study-document (doc-content+)>
<!ELEMENT doc-content (file-tag+)>
<!ATTLIST doc-content xlink:href CDATA #REQUIRED>
<!ELEMENT file-tag EMPTY>
<!ATTLIST file-tag name CDATA #REQUIRED info-type CDATA #REQUIRED>
"""
"""The study tagging file as dossier writes it, derived from the ICH eCTD STF specification
(study-identifier with title, study-id and categories; study-document with doc-content entries
pointing to leaves of index.xml, each with a file-tag). ICH's STF DTD could not be obtained here."""


@dataclass(frozen=True)
class Problem:
    rule: str
    file: str
    message: str


def sequences(root: Path) -> list[Path]:
    """The sequence folders under `root` (a folder with index.xml), or `root` itself."""
    if (root / "index.xml").is_file():
        return [root]
    return sorted(p.parent for p in root.glob("*/index.xml"))


def check(seq: Path) -> list[Problem]:
    """Everything wrong with the backbone of the sequence folder `seq`."""
    from lxml import etree

    problems: list[Problem] = []
    index = seq / "index.xml"
    referenced: set[Path] = set()

    def parse(path: Path, dtd: str | None):
        try:
            doc = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False))
        except (OSError, etree.XMLSyntaxError) as exc:
            problems.append(Problem("ECTD-XML", str(path), f"does not parse: {exc}"))
            return None
        if dtd is not None:
            name, text = dtd
            validator = etree.DTD(io.StringIO(text))
            if not validator.validate(doc):
                first = validator.error_log.filter_from_errors()[0]
                problems.append(Problem("ECTD-XML", str(path), f"not valid against {name}: line {first.line}: {first.message}"))
        return doc

    def leaves(doc, base: Path) -> None:
        for leaf in doc.iter("leaf"):
            href = leaf.get(f"{{{XLINK}}}href", "")
            target = (base / href).resolve()
            if not href or not target.is_relative_to(seq.resolve()) or not target.is_file():
                problems.append(Problem("ECTD-HREF", str(base / href), f"leaf {leaf.get('ID')} points to {href!r}, which is not a file of the sequence"))
                continue
            referenced.add(target)
            if leaf.get("checksum-type", "").lower() != "md5" or leaf.get("checksum", "").lower() != md5(target):
                problems.append(Problem("ECTD-MD5", str(target), f"the file does not match the MD5 of leaf {leaf.get('ID')} (changed after the backbone was written)"))

    doc = parse(index, (ICH_DTD.name, ICH_DTD.read_text(encoding="utf-8")))
    if doc is None:
        return problems
    leaves(doc, seq)
    md5_file = seq / "index-md5.txt"
    if not md5_file.is_file() or md5_file.read_text(encoding="ascii", errors="replace").strip() != md5(index):
        problems.append(Problem("ECTD-MD5", str(md5_file), "index-md5.txt does not hold the MD5 of index.xml"))
    regional = seq / "m1" / "us" / "us-regional.xml"
    if regional.is_file():
        rdoc = parse(regional, ("the schema derived from FDA's us-regional v3.3 headings", regional_dtd()))
        if rdoc is not None:
            leaves(rdoc, regional.parent)
    for stf in seq.rglob("stf-*.xml"):
        sdoc = parse(stf, ("the schema derived from the ICH study tagging file specification", STF_DTD))
        if sdoc is None:
            continue
        for content in sdoc.iter("doc-content"):
            href = content.get(f"{{{XLINK}}}href", "")
            path, _, ident = href.partition("#")
            if (stf.parent / path).resolve() != index.resolve() or not doc.xpath(f'//leaf[@ID="{ident}"]'):
                problems.append(Problem("ECTD-STF", str(stf), f"doc-content {href!r} does not name a leaf of index.xml"))
    backbone = {index.resolve(), md5_file.resolve()}
    for path in sorted(p for p in seq.rglob("*") if p.is_file()):
        rp = path.resolve()
        if rp in referenced or rp in backbone or rp.is_relative_to((seq / "util").resolve()):
            continue
        problems.append(Problem("ECTD-UNREF", str(path), "the file is in the sequence but no leaf of the backbone names it"))
    return problems
