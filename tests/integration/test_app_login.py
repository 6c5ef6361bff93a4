"""With login on, every route needs it: the page, the API and gradio_client alike."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from rag.settings import Settings
from tests.integration.conftest import free_port

pytestmark = pytest.mark.integration

USER, PASSWORD = "caseworker", "a long pass phrase"


@pytest.fixture(scope="module")
def login_url(app_settings: Settings, qa: Any) -> Iterator[str]:
    """The app launched with the same options as `sendqa serve`, login on, on a free port."""
    from ui.app import build_app, launch_options

    settings = app_settings.model_copy(
        update={"auth_username": USER, "auth_password": PASSWORD, "port": free_port()}
    )
    app = build_app(settings, qa=qa)
    app.launch(prevent_thread_lock=True, quiet=True, **launch_options(settings))
    try:
        yield f"http://127.0.0.1:{settings.port}/"
    finally:
        app.close()


def _status(url: str, data: bytes | None = None) -> int:
    request = urllib.request.Request(
        url, data=data, headers={"Content-Type": "application/json"} if data else {}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def test_api_calls_without_login_are_refused(login_url: str) -> None:
    body = json.dumps({"data": ["what does section 42 say?"]}).encode()
    assert _status(f"{login_url}gradio_api/call/ask", body) in (401, 403)
    assert _status(f"{login_url}gradio_api/info") in (401, 403)
    assert _status(f"{login_url}config") in (401, 403)


def test_the_page_without_login_shows_only_the_login_form(login_url: str) -> None:
    with urllib.request.urlopen(login_url, timeout=30) as response:
        page = response.read().decode("utf-8", errors="replace")
    assert "sendqa" not in page.lower() or "login" in page.lower()


def test_gradio_client_needs_the_login(login_url: str) -> None:
    from gradio_client import Client

    with pytest.raises(Exception):  # noqa: B017 - gradio_client's error type is not public API
        Client(login_url, verbose=False).predict("reg 13?", api_name="/ask")
    with pytest.raises(Exception):  # noqa: B017
        Client(login_url, auth=(USER, "wrong"), verbose=False)
    result = Client(login_url, auth=(USER, PASSWORD), verbose=False).predict(
        "what does section 42 of the Children and Families Act 2014 say?", api_name="/ask"
    )
    assert result["ok"] is True and result["citations"]
