"""Files a dossier names (included YAML, attached PDFs): relative, inside the dossier's folder.

One rule for every file reference, so a dossier cannot make `dossier` read /etc/passwd, a device,
or a file outside the folder through `..` or a symbolic link.
"""

from __future__ import annotations

import re
from pathlib import Path


class UnsafePath(ValueError):
    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message, self.hint = message, hint


def resolve_inside(root_dir: Path, base_dir: Path, rel: str, suffixes: set[str], kind: str) -> Path:
    """The regular file `rel` names (relative to base_dir), which must lie inside root_dir
    after resolving symbolic links and end in one of `suffixes`; else UnsafePath."""
    if not rel or rel.startswith(("/", "~", "\\")) or "\\" in rel or re.match(r"^[A-Za-z]:", rel):
        raise UnsafePath(f"{kind} {rel!r} is not a relative path", "write a path relative to the file that names it, with / separators")
    try:
        target = (base_dir / rel).resolve(strict=True)
    except (OSError, RuntimeError):
        raise UnsafePath(f"{kind} {rel!r} does not exist", "check the path; it is relative to the file that names it") from None
    if not target.is_relative_to(root_dir.resolve()):
        raise UnsafePath(f"{kind} {rel!r} leaves the dossier's folder", f"files must be inside {root_dir.name}/ (symbolic links are resolved first)")
    if target.suffix.lower() not in suffixes or not target.is_file():
        raise UnsafePath(f"{kind} {rel!r} is not a {'/'.join(sorted(suffixes))} file", f"only regular {' or '.join(sorted(suffixes))} files can be named here")
    return target
