"""Screen-reader announcements: JS for Gradio's ``js=`` that reads a result out once, politely.

Gradio replaces a component's HTML when its value changes, and a live region that is itself
replaced is not reliably read out. So the page keeps one polite live region of its own
(``#answer-announcer``, made by ui/app.js), and each event that shows a result ends by copying
that result's text into it.
"""

from __future__ import annotations

import json


def announce_text_of(selector: str, empty: str = "") -> str:
    """JS that announces the visible text of ``selector`` (or ``empty`` when it has none)."""
    return (
        "() => {\n"
        f"  const el = document.querySelector({json.dumps(selector)});\n"
        "  const text = el ? el.innerText.replace(/\\s+/g, ' ').trim() : '';\n"
        f"  const line = text || {json.dumps(empty)};\n"
        "  if (line && window.sendqaAnnounce) { window.sendqaAnnounce(line); }\n"
        "}"
    )


#: After the Deadlines tab shows its table: how many rows, or the message saying what to fix.
ANNOUNCE_DEADLINES = """() => {
  const box = document.querySelector('#deadline-table');
  if (!box || !window.sendqaAnnounce) { return; }
  const message = box.querySelector('.form-message');
  const rows = box.querySelectorAll('table.deadlines tbody tr').length;
  window.sendqaAnnounce(message ? message.innerText
    : rows + (rows === 1 ? ' deadline' : ' deadlines') + ' shown below, each with the law.');
}"""
