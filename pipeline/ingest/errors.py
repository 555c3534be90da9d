"""The one error a reader raises for a bad input: its message becomes the document's ``error``."""


class IngestError(Exception):
    """A document that cannot be read; the message is one line that says why (and how to fix it)."""
