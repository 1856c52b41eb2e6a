"""Errors a person must act on, each with a one-line message fit for a terminal."""


class CorpusError(Exception):
    """The corpus file is missing, unreadable or not the review."""


class IndexUnavailable(Exception):
    """The search index cannot be opened or rebuilt (e.g. the data directory is not writable)."""


class QueryError(ValueError):
    """A search query that cannot be run: empty, too long, or not text."""
