"""The Deadlines tab and /deadlines API: pick an event and a date, see every statutory deadline."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import gradio as gr

from casework.deadlines import DeadlineRow, deadline_rows
from casework.rules import EVENTS
from rag.pipeline import SendQA
from rag.schema import Passage
from ui.announce import ANNOUNCE_DEADLINES
from ui.messages import FRIENDLY_ERROR, log_failure, short_message
from ui.render import deadlines_table_html, message_html


def event_label(key: str) -> str:
    """EVENTS are phrased to follow 'when'; capitalise them to stand alone in the dropdown."""
    text = EVENTS[key]
    return text[0].upper() + text[1:]


class DeadlineHandlers:
    """The Deadlines tab and /deadlines API; ``today`` is injectable for tests."""

    def __init__(self, qa: SendQA, today: Callable[[], date] = date.today) -> None:
        self.qa = qa
        self.today = today

    def _passages(self) -> list[Passage]:
        """The current index's passages (it may have been swapped since the app started)."""
        return list(self.qa.retriever.index.passages.values())

    def rows(self, event: str, date_text: str) -> list[DeadlineRow]:
        """Deadline rows, or ValueError with a sentence the user can act on."""
        if event not in EVENTS:
            raise ValueError("Please choose what happened from the list.")
        if not (date_text or "").strip():
            raise ValueError("Please type the date it happened, for example 3 March 2025.")
        return deadline_rows(
            event, date_text, self.today(), self._passages(), self.qa.retriever.sources
        )

    def show(self, event: str, date_text: str) -> str:
        """HTML for the tab: the table, or one clear sentence saying what to fix."""
        try:
            rows = self.rows(event, date_text)
        except ValueError as exc:
            return message_html(short_message(exc))
        except Exception as exc:  # noqa: BLE001
            log_failure("deadlines", exc)
            return message_html(FRIENDLY_ERROR)
        return deadlines_table_html(rows, event, date_text.strip())

    def api(self, event: str, date_text: str) -> dict[str, Any]:
        """JSON for /deadlines: rows, or ok=False with the message."""
        try:
            return {"ok": True, "message": "", "deadlines": self.rows(event, date_text)}
        except ValueError as exc:
            return {"ok": False, "message": short_message(exc), "deadlines": []}
        except Exception as exc:  # noqa: BLE001
            log_failure("deadlines api", exc)
            return {"ok": False, "message": FRIENDLY_ERROR, "deadlines": []}


def build_tab(handlers: DeadlineHandlers) -> None:
    """Pick an event and a date; see every statutory deadline with the provision behind it."""
    gr.Markdown(
        "**Work out statutory deadlines.** Choose what happened and the date it happened. "
        "Each deadline shows the regulation that sets it, so you can quote it."
    )
    event = gr.Dropdown(
        choices=[(event_label(k), k) for k in EVENTS],
        value="request",
        label="What happened?",
        elem_id="deadline-event",
    )
    on = gr.Textbox(
        label="On what date?", placeholder="3 March 2025", elem_id="deadline-date", max_lines=1
    )
    button = gr.Button("Show deadlines", variant="primary", elem_id="deadline-button")
    table = gr.HTML(elem_id="deadline-table", label="Deadlines")
    private: dict[str, Any] = {"api_visibility": "private"}
    for trigger in (button.click, on.submit):
        trigger(handlers.show, [event, on], table, **private).then(
            None, js=ANNOUNCE_DEADLINES, **private
        )
