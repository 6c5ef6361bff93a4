"""The web app launched once per session (``app_url``, ``client``) over the session index,
and one headless Chromium (``browser``, from browser_helpers) for the browser tests.

The index itself (``embedder``, ``built_index``, ``qa``) lives in tests/conftest.py, so the
integration and LLM tests share one build.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from typing import Any

import pytest

from rag.settings import Settings
from tests.integration.browser_helpers import browser

#: Fixtures defined elsewhere and shared by every integration test module.
__all__ = ["browser"]


def free_port() -> int:
    """A port nothing listens on, for an app launched by a test."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def app_settings(built_index: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The session index, with feedback going to a temp file (never the real var/)."""
    feedback = tmp_path_factory.mktemp("feedback") / "feedback.sqlite3"
    return built_index.model_copy(update={"feedback_db": feedback})


@pytest.fixture(scope="session")
def app_url(app_settings: Settings, qa: Any) -> Iterator[str]:
    """The web app launched in-process on 127.0.0.1, once for the session."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    from ui.app import build_app

    app = build_app(app_settings, qa=qa)
    port = free_port()
    app.launch(prevent_thread_lock=True, server_name="127.0.0.1", server_port=port, quiet=True)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        app.close()


@pytest.fixture(scope="session")
def client(app_url: str) -> Any:
    """A gradio_client for the launched app's API (/ask, /deadlines, /letter)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from gradio_client import Client

    return Client(app_url, verbose=False)
