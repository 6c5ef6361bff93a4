"""The exception tree, caught at the edges (CLI, UI) and shown as one clear sentence.

SendQAError
├── ConfigError        settings that cannot work (bad path, unknown provider)
├── IngestError        a document could not be read or parsed
├── IndexMissingError  no index yet, or one built with another model or schema
├── RetrievalError     the store failed while answering (e.g. Chroma server gone)
├── GenerationError    the optional LLM failed (the caller falls back to extractive)
└── UserInputError     input that cannot be used as given (an unknown kind of source, an
                       empty question, a date that is not one); also a ValueError
"""

from __future__ import annotations


class SendQAError(Exception):
    """Base of every error sendqa raises on purpose; its message is shown to users."""


class ConfigError(SendQAError):
    """Settings that cannot work."""


class IngestError(SendQAError):
    """A document that cannot be read or parsed."""


class IndexMissingError(SendQAError):
    """No index has been built at the configured place, or it is incompatible."""


class RetrievalError(SendQAError):
    """The passage store could not answer a query."""


class GenerationError(SendQAError):
    """The optional LLM failed or timed out."""


class UserInputError(SendQAError, ValueError):
    """Input that cannot be used as given; the message says what to type instead.

    Also a ValueError, so callers that already catch ValueError for bad input keep working.
    The CLI exits with a usage error; ``SendQA.ask`` answers with the message instead.
    """
