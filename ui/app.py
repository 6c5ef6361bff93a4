"""The sendqa web app: Ask (parents, phone first), Deadlines, and a caseworker workspace.

This module assembles the tabs (``ui.ask_tab``, ``ui.deadlines_tab``, ``ui.caseworker_tab``)
into one Blocks with sendqa's theme and CSS (``ui/app.css``), names the stable API routes, and
serves it. Rendering lives in ``ui.render``, with no Gradio in it; the features themselves
(deadlines, letters) live in ``casework``.

Safety decisions, each tested:

- Every piece of text shown as HTML is escaped (``ui.render``); the user's own words are also
  stripped of Markdown meaning, so a question cannot inject a script, an image or a link.
- Crisis signposting comes first, as a banner with role="alert" above the answer.
- Handlers never raise: errors become one friendly sentence, and only the exception's type is
  logged (the question may hold a child's personal data).
- The app binds 127.0.0.1 unless told otherwise, never shares publicly, and sends no analytics.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import gradio as gr
from gradio.events import api

from rag.errors import ConfigError
from rag.pipeline import SendQA
from rag.settings import Settings
from ui import ask_tab, caseworker_tab, deadlines_tab
from ui.ask_tab import AskHandlers
from ui.caseworker_tab import LetterHandlers
from ui.deadlines_tab import DeadlineHandlers
from ui.feedback import FeedbackStore
from ui.messages import ANSWERS, FRIENDLY_ERROR, SERVICE_ERROR
from ui.render import answer_markdown, safe_url, sources_html

# Handlers, messages and renderers that tests and tools have long imported from here.
__all__ = [
    "FRIENDLY_ERROR",
    "SERVICE_ERROR",
    "AskHandlers",
    "DeadlineHandlers",
    "LetterHandlers",
    "answer_markdown",
    "build_app",
    "launch_options",
    "safe_url",
    "serve",
    "sources_html",
]

#: sendqa's styles, read once at start from the package (ui/app.css).
CSS = resources.files("ui").joinpath("app.css").read_text(encoding="utf-8")
#: sendqa's page script (ui/app.js): the live region for answers and fixes to Gradio's markup.
JS = resources.files("ui").joinpath("app.js").read_text(encoding="utf-8")


def _theme() -> gr.themes.Base:
    """Colours that pass WCAG 2.2 AA contrast (4.5:1 for text) on white and on the dark theme.

    Gradio's defaults fail: orange primary buttons (2.8:1), subdued text #94a3b8 (2.56:1: hints,
    empty states, the footer) and the selected tab's #3b82f6 (3.67:1).
    """
    return gr.themes.Default(primary_hue="blue", neutral_hue="slate").set(
        button_primary_background_fill="*primary_700",
        button_primary_background_fill_hover="*primary_800",
        button_primary_background_fill_dark="*primary_600",
        button_primary_text_color="white",
        button_primary_text_color_dark="white",
        link_text_color="*primary_700",
        link_text_color_dark="*primary_300",
        # slate-600 #475569 on white is 7.6:1; slate-400 on the dark background is 7.9:1.
        body_text_color_subdued="*neutral_600",
        body_text_color_subdued_dark="*neutral_400",
        # slate-500 #64748b is 4.8:1 on white; slate-400 on dark inputs (#1e293b) is 5.7:1.
        input_placeholder_color="*neutral_500",
        input_placeholder_color_dark="*neutral_400",
        # The selected tab's text: blue-700 #1d4ed8 is 6.7:1 (app.css lightens it when dark).
        color_accent="*primary_700",
    )


class SendQABlocks(gr.Blocks):
    """Blocks whose launch() brings sendqa's theme, CSS and script (Gradio 6 takes them there)."""

    def launch(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("theme", _theme())
        kwargs.setdefault("css", CSS)
        kwargs.setdefault("js", JS)
        return super().launch(*args, **kwargs)


def build_app(settings: Settings, qa: SendQA | None = None) -> gr.Blocks:
    """The whole app as Blocks; ``qa`` may be passed in so tests share one loaded model."""
    if qa is None:
        from rag.generate import generator_from_settings

        qa = SendQA(settings, generator=generator_from_settings(settings))
    store = FeedbackStore(settings.feedback_db, store_question_text=settings.store_question_text)
    ask = AskHandlers(qa, store)
    deadlines = DeadlineHandlers(qa)
    letters = LetterHandlers(qa)
    # Gradio's cache holds exported letters: delete files older than an hour, every hour.
    app = SendQABlocks(
        title="sendqa: SEND law in England, with sources",
        fill_width=True,
        analytics_enabled=False,
        delete_cache=(3600, 3600),
    )
    with app:
        gr.Markdown("# sendqa", elem_id="title")
        with gr.Tabs():
            with gr.Tab("Ask", id="ask"):
                ask_tab.build_tab(ask)
            with gr.Tab("Deadlines", id="deadlines"):
                deadlines_tab.build_tab(deadlines)
            with gr.Tab("Caseworker", id="caseworker"):
                caseworker_tab.build_tab(letters)
        # Stable names for gradio_client: Client(url).predict(question, api_name="/ask").
        api(
            ask.api_ask,
            api_name="ask",
            api_description="Answer a SEND question, cited.",
            concurrency_id=ANSWERS,
        )
        api(deadlines.api, api_name="deadlines", api_description="Statutory deadlines.")
        api(
            letters.api,
            api_name="letter",
            api_description="Draft a cited letter.",
            concurrency_id=ANSWERS,
        )
    # Bounded queue: past max_size a new request is told the app is busy instead of waiting
    # minutes; the concurrency limit is shared by every event that runs the pipeline.
    app.queue(
        default_concurrency_limit=settings.concurrency_limit,
        max_size=settings.queue_max_size,
    )
    return app


def _auth(settings: Settings) -> tuple[str, str] | None:
    """Login only when both name and password are set; one without the other is a mistake."""
    user, password = settings.auth_username, settings.auth_password
    if bool(user) != bool(password):
        raise ConfigError("set both SENDQA_AUTH_USERNAME and SENDQA_AUTH_PASSWORD, or neither")
    return (user, password) if user and password else None


def launch_options(settings: Settings) -> dict[str, Any]:
    """How the app is launched (tests launch with the same): loopback, login, no share link."""
    return {
        "server_name": settings.host,
        "server_port": settings.port,
        "share": False,
        "auth": _auth(settings),
        "show_error": False,
        "footer_links": ["api", "settings"],
    }


def serve(settings: Settings) -> None:
    """Start the app on settings.host:port (127.0.0.1 by default); never a public share link."""
    build_app(settings).launch(**launch_options(settings))
