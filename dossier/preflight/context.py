"""Facts about one opened PDF, computed lazily and at most once.

Every check reads the document through a `PdfContext`, so expensive walks
(fonts through Form XObjects, content-stream parsing, destination lookups, the
outline tree) happen once per document however many checks use them. The
walks never follow a cycle twice (objects are remembered by object number) and
never assume a well-formed file: a wrong type is treated as "absent".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Iterator

import pikepdf
from pikepdf import Array, Dictionary, Name, Stream

from dossier.findings import Location

ObjKey = tuple[int, int]

SUBSET_TAG = re.compile(r"^[A-Z]{6}\+")
TEXT_OPERATORS = frozenset({"Tj", "TJ", "'", '"'})
_SCAN_OPERATORS = "Tj TJ ' \" Do"
MAX_OUTLINE_ITEMS = 100_000


# --------------------------------------------------------------------------
# Tolerant accessors: malformed files must never crash a check.


def is_dictlike(obj: Any) -> bool:
    """True for a PDF dictionary or stream (whose dictionary we can read)."""
    return isinstance(obj, (Dictionary, Stream))


def get_dict(obj: Any, key: str) -> Dictionary | Stream | None:
    """``obj[key]`` when it is a dictionary or stream, else None."""
    value = obj.get(key) if is_dictlike(obj) else None
    return value if is_dictlike(value) else None


def get_array(obj: Any, key: str) -> Array | None:
    """``obj[key]`` when it is an array, else None."""
    value = obj.get(key) if is_dictlike(obj) else None
    return value if isinstance(value, Array) else None


def get_name(obj: Any, key: str) -> str | None:
    """``obj[key]`` as ``"/Name"`` when it is a name, else None."""
    value = obj.get(key) if is_dictlike(obj) else None
    return str(value) if isinstance(value, Name) else None


def get_text(obj: Any, key: str) -> str:
    """``obj[key]`` as text when it is a string or name, else ``""``."""
    value = obj.get(key) if is_dictlike(obj) else None
    if isinstance(value, pikepdf.String):
        return str(value)
    if isinstance(value, Name):
        return str(value)[1:]
    return ""


def obj_key(obj: Any) -> ObjKey | None:
    """Object number and generation of an indirect object; None if direct."""
    objgen = getattr(obj, "objgen", (0, 0))
    return objgen if objgen != (0, 0) else None


def page_ranges(pages: list[int]) -> str:
    """``[1, 2, 3, 5]`` -> ``"1-3, 5"``."""
    runs: list[list[int]] = []
    for number in sorted(set(pages)):
        if runs and number == runs[-1][1] + 1:
            runs[-1][1] = number
        else:
            runs.append([number, number])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in runs)


def iter_action_chain(action: Any) -> Iterator[Dictionary]:
    """An action and every action reached through its ``/Next`` entries."""
    stack: list[Any] = [action]
    seen: set[ObjKey] = set()
    while stack:
        item = stack.pop()
        if isinstance(item, Array):
            stack.extend(reversed(list(item)))
            continue
        if not is_dictlike(item):
            continue
        key = obj_key(item)
        if key is not None:
            if key in seen:
                continue
            seen.add(key)
        yield item
        if item.get("/Next") is not None:
            stack.append(item.get("/Next"))


# --------------------------------------------------------------------------
# Value objects describing parts of the document.


@dataclass(frozen=True)
class FontUse:
    """A font dictionary found in some page's resources."""

    name: str  # BaseFont without the leading slash ("" if absent)
    font: Dictionary
    first_page: int  # 1-based


@dataclass(frozen=True)
class Bookmark:
    """One outline item, in document order."""

    title: str
    depth: int  # 1 = top level
    item: Dictionary


@dataclass(frozen=True)
class ActionUse:
    """An action dictionary and where it was found (for messages)."""

    where: str
    action: Dictionary


@dataclass(frozen=True)
class AnnotationUse:
    """An annotation dictionary and its 1-based page number."""

    page: int
    annot: Dictionary

    @property
    def subtype(self) -> str:
        """``"/Link"``, ``"/Text"``...; ``"/(none)"`` when missing."""
        return get_name(self.annot, "/Subtype") or "/(none)"


# --------------------------------------------------------------------------


class PdfContext:
    """One opened PDF plus the options of this preflight run."""

    def __init__(self, path: Path, pdf: pikepdf.Pdf, page_size: tuple[float, float] | None) -> None:
        self.path = path
        self.pdf = pdf
        self.page_size = page_size
        self.location = Location(str(path))
        self._dest_cache: dict[tuple[str, str], int | None] = {}
        self._form_text_cache: dict[ObjKey, bool] = {}

    # -- document structure ------------------------------------------------

    @cached_property
    def root(self) -> Dictionary:
        """The document catalog (an empty dictionary if it is unusable)."""
        root = self.pdf.trailer.get("/Root")
        return root if is_dictlike(root) else Dictionary()

    @cached_property
    def pages(self) -> list[Dictionary]:
        """Page dictionaries in order (inherited attributes pushed down)."""
        return [page.obj for page in self.pdf.pages]

    @cached_property
    def page_numbers(self) -> dict[ObjKey, int]:
        """Page object id -> 1-based page number."""
        return {page.objgen: number for number, page in enumerate(self.pages, 1)}

    @cached_property
    def annotations(self) -> list[AnnotationUse]:
        """Every annotation on every page."""
        found: list[AnnotationUse] = []
        for number, page in enumerate(self.pages, 1):
            for annot in get_array(page, "/Annots") or ():
                if is_dictlike(annot):
                    found.append(AnnotationUse(number, annot))
        return found

    @cached_property
    def bookmarks(self) -> list[Bookmark]:
        """The outline items in document (pre-)order, cycles ignored."""
        first = get_dict(get_dict(self.root, "/Outlines"), "/First")
        stack: list[tuple[Any, int]] = [(first, 1)]
        seen: set[ObjKey] = set()
        found: list[Bookmark] = []
        while stack and len(found) < MAX_OUTLINE_ITEMS:
            node, depth = stack.pop()
            key = obj_key(node)
            if not is_dictlike(node) or (key is not None and key in seen):
                continue
            if key is not None:
                seen.add(key)
            found.append(Bookmark(get_text(node, "/Title"), depth, node))
            stack.append((node.get("/Next"), depth))
            stack.append((node.get("/First"), depth + 1))
        return found

    @cached_property
    def actions(self) -> list[ActionUse]:
        """Every action reachable from the catalog, pages, annotations,
        form fields and bookmarks (``/Next`` chains included)."""
        found: list[ActionUse] = []
        self._collect_actions(found, "the document-open action", self.root.get("/OpenAction"))
        self._collect_trigger_actions(found, "a document event", self.root)
        for number, page in enumerate(self.pages, 1):
            self._collect_trigger_actions(found, f"page {number}: page event", page)
        annot_keys: set[ObjKey] = set()
        for use in self.annotations:
            key = obj_key(use.annot)
            if key is not None:
                annot_keys.add(key)
            where = f"page {use.page}: {use.subtype[1:]} annotation"
            self._collect_actions(found, where, use.annot.get("/A"))
            self._collect_trigger_actions(found, where, use.annot)
        for field in self._form_fields(annot_keys):
            where = f"form field '{get_text(field, '/T')}'"
            self._collect_actions(found, where, field.get("/A"))
            self._collect_trigger_actions(found, where, field)
        for mark in self.bookmarks:
            self._collect_actions(found, f"bookmark '{mark.title}'", mark.item.get("/A"))
        return found

    def _collect_actions(self, found: list[ActionUse], where: str, action: Any) -> None:
        for item in iter_action_chain(action):
            found.append(ActionUse(where, item))

    def _collect_trigger_actions(self, found: list[ActionUse], where: str, owner: Any) -> None:
        """Actions in an additional-actions (``/AA``) dictionary."""
        triggers = get_dict(owner, "/AA")
        for action in (triggers.values() if triggers is not None else ()):
            self._collect_actions(found, where, action)

    def _form_fields(self, skip: set[ObjKey]) -> list[Dictionary]:
        """AcroForm field dictionaries not already seen as page annotations."""
        stack = list(get_array(get_dict(self.root, "/AcroForm"), "/Fields") or ())
        seen = set(skip)
        fields: list[Dictionary] = []
        while stack:
            field = stack.pop()
            key = obj_key(field)
            if not is_dictlike(field) or (key is not None and key in seen):
                continue
            if key is not None:
                seen.add(key)
            fields.append(field)
            stack.extend(get_array(field, "/Kids") or ())
        return fields

    # -- destinations --------------------------------------------------------

    @cached_property
    def _dest_tree(self) -> pikepdf.NameTree | None:
        tree = get_dict(get_dict(self.root, "/Names"), "/Dests")
        return pikepdf.NameTree(tree) if tree is not None else None

    def resolve_dest(self, dest: Any) -> int | None:
        """Page number (1-based) a destination points to, or None.

        Handles explicit destinations (``[page /XYZ ...]``), names (legacy
        ``/Dests`` dictionary) and strings (``/Names /Dests`` name tree), and
        named entries that are dictionaries with a ``/D`` array.
        """
        if isinstance(dest, (pikepdf.String, Name)):
            kind = "s" if isinstance(dest, pikepdf.String) else "n"
            key = (kind, str(dest))
            if key not in self._dest_cache:
                self._dest_cache[key] = self._resolve_entry(self._named_entry(dest))
            return self._dest_cache[key]
        return self._resolve_entry(dest)

    def _named_entry(self, dest: pikepdf.String | Name) -> Any:
        """Look a named destination up in the name tree, then the legacy dict."""
        text = str(dest)[1:] if isinstance(dest, Name) else str(dest)
        tree = self._dest_tree
        if tree is not None and text in tree:
            return tree[text]
        legacy = get_dict(self.root, "/Dests")
        return legacy.get(Name("/" + text)) if legacy is not None and text else None

    def _resolve_entry(self, entry: Any) -> int | None:
        """Explicit destination array (or dictionary with /D) -> page number."""
        if is_dictlike(entry):
            entry = entry.get("/D")
        if not isinstance(entry, Array) or len(entry) == 0:
            return None
        target = entry[0]
        if isinstance(target, int) and not isinstance(target, bool):
            return target + 1 if 0 <= target < len(self.pages) else None
        key = obj_key(target)
        return self.page_numbers.get(key) if key is not None else None

    # -- fonts and text ------------------------------------------------------

    @cached_property
    def fonts(self) -> list[FontUse]:
        """Every font in the resources of pages, Form XObjects (any depth) and
        Type3 glyph procedures; each font object once, with its first page."""
        found: list[FontUse] = []
        seen_fonts: set[ObjKey] = set()
        seen_resources: set[ObjKey] = set()
        seen_forms: set[ObjKey] = set()
        for number, page in enumerate(self.pages, 1):
            stack: list[Any] = [page.get("/Resources")]
            while stack:
                resources = stack.pop()
                key = obj_key(resources)
                if not is_dictlike(resources) or (key is not None and key in seen_resources):
                    continue
                if key is not None:
                    seen_resources.add(key)
                stack.extend(self._resource_fonts(resources, number, found, seen_fonts))
                stack.extend(_form_resources(resources, seen_forms))
        return found

    def _resource_fonts(
        self, resources: Any, page: int, found: list[FontUse], seen: set[ObjKey]
    ) -> list[Any]:
        """Record the fonts of one resource dict; return Type3 resource dicts."""
        nested: list[Any] = []
        fonts = get_dict(resources, "/Font")
        for font in (fonts.values() if fonts is not None else ()):
            key = obj_key(font)
            if not is_dictlike(font) or (key is not None and key in seen):
                continue
            if key is not None:
                seen.add(key)
            found.append(FontUse(get_text(font, "/BaseFont"), font, page))
            nested.append(font.get("/Resources"))
        return nested

    @cached_property
    def text_pages(self) -> list[bool]:
        """For each page: does it (or a Form XObject it draws) show text?

        Each content stream is parsed once, keeping only the text-showing and
        XObject operators; Form XObjects are cached by object number.
        """
        return [self._page_has_text(page) for page in self.pages]

    def _page_has_text(self, page: Dictionary) -> bool:
        if page.get("/Contents") is None:
            return False
        return self._stream_has_text(pikepdf.Page(page), page.get("/Resources"), 0)

    def _stream_has_text(self, content: Any, resources: Any, depth: int) -> bool:
        forms: list[str] = []
        for instruction in pikepdf.parse_content_stream(content, _SCAN_OPERATORS):
            operator = str(instruction.operator)
            if operator in TEXT_OPERATORS:
                return True
            if operator == "Do" and instruction.operands:
                forms.append(str(instruction.operands[0]))
        xobjects = get_dict(resources, "/XObject")
        if xobjects is None or depth > 16:
            return False
        return any(self._form_has_text(xobjects.get(name), depth + 1) for name in forms)

    def _form_has_text(self, xobject: Any, depth: int) -> bool:
        if not isinstance(xobject, Stream) or get_name(xobject, "/Subtype") != "/Form":
            return False
        key = obj_key(xobject)
        if key is not None and key in self._form_text_cache:
            return self._form_text_cache[key]
        if key is not None:
            self._form_text_cache[key] = False  # guards against self-reference
        result = self._stream_has_text(xobject, xobject.get("/Resources"), depth)
        if key is not None:
            self._form_text_cache[key] = result
        return result


def _form_resources(resources: Any, seen: set[ObjKey]) -> list[Any]:
    """Resource dictionaries of the Form XObjects named in `resources`
    (each indirect XObject once, so self-referencing forms terminate)."""
    xobjects = get_dict(resources, "/XObject")
    nested: list[Any] = []
    for xobject in (xobjects.values() if xobjects is not None else ()):
        key = obj_key(xobject)
        if not isinstance(xobject, Stream) or (key is not None and key in seen):
            continue
        if key is not None:
            seen.add(key)
        if get_name(xobject, "/Subtype") == "/Form":
            nested.append(xobject.get("/Resources"))
    return nested
