"""One exception tree for the whole tool, free of any CLI framework.

`DossierError` and its subclasses mean "the tool could not do what was asked"
(exit 2 in the CLI). Problems *in a dossier* are not exceptions: they are
`Finding`s, collected and reported together (exit 1).
"""

from __future__ import annotations


class DossierError(Exception):
    """Base of every error the tool raises on purpose."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n  hint: {self.hint}"


class UsageError(DossierError):
    """A bad option or argument: unknown target, unknown section id, ..."""


class InputFileError(DossierError):
    """An input path is missing, unreadable, or not a file."""


class OutputError(DossierError):
    """The output cannot be written where asked."""


class PackError(DossierError):
    """A pack (templates/<name>/pack.yaml) is malformed: a bug in the tool's data."""


class RenderError(DossierError):
    """HTML or PDF rendering failed: a bug in templates or the renderer."""


class PreflightFailure(DossierError):
    """`dossier build` produced a PDF that fails its own preflight: a bug."""
