"""What every tab says when something fails, and how the failure is logged (no Gradio here).

Handlers never raise: errors become one friendly sentence, and only the exception's type is
logged, because its message may quote the question and the question may hold a child's
personal data.
"""

from __future__ import annotations

import logging

from rag.errors import SendQAError

log = logging.getLogger("sendqa.ui")

#: One concurrency group for every event that runs the answer pipeline (chat, /ask, letters).
ANSWERS = "answers"
FRIENDLY_ERROR = "Something went wrong on our side; please try again."
SERVICE_ERROR = (
    "Sorry, the answer service is not available right now. Please try again later; if it keeps "
    "happening, tell whoever runs this service."
)


def log_failure(where: str, exc: BaseException) -> None:
    """Log the exception's type only: its message may quote the user's question."""
    log.error("%s failed: %s", where, type(exc).__name__)


def failure_message(exc: BaseException) -> str:
    """Our own errors mean the service is not ready; anything else is a bug on our side."""
    return SERVICE_ERROR if isinstance(exc, SendQAError) else FRIENDLY_ERROR


def short_message(exc: ValueError, limit: int = 300) -> str:
    """A ValueError's sentence for the user, capped: date errors quote the input, maybe huge."""
    text = str(exc)
    return text if len(text) <= limit else text[: limit - 20] + "…"
