"""The one error a reader raises for a bad input: its message becomes the document's ``error``."""

FIX_LIMIT = "split the file into parts or raise the limit in params.yaml"


class IngestError(Exception):
    """A document that cannot be read; the message is one line that says why (and how to fix it)."""


def too_large(n_bytes: int, max_bytes: int) -> str:
    """The error of a file over ``ingest.max_bytes``."""
    return f"too large: {n_bytes:,} bytes, over ingest.max_bytes ({max_bytes:,}); {FIX_LIMIT}"


def too_long(n_chars: int, max_chars: int) -> str:
    """The error of a text over ``ingest.max_chars``."""
    return f"too long: {n_chars:,} characters, over ingest.max_chars ({max_chars:,}); {FIX_LIMIT}"


def too_long_bytes(n_bytes: int, max_chars: int) -> str:
    """The error of a text file too big to hold ``ingest.max_chars`` characters in any encoding (4 bytes each at most)."""
    return (
        f"too long: {n_bytes:,} bytes of text, more than ingest.max_chars ({max_chars:,}) characters "
        f"in any encoding; {FIX_LIMIT}"
    )
