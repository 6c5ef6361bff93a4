"""The caseworker workspace and /letter API: draft a cited letter, edit it, export it."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

import gradio as gr

from casework.draft import draft_letter
from casework.export import export_docx, export_markdown
from casework.templates import PURPOSES
from rag.pipeline import SendQA
from rag.serialise import citation_json
from ui.announce import announce_text_of
from ui.messages import ANSWERS, FRIENDLY_ERROR, failure_message, log_failure
from ui.render import sources_html

#: Longest facts box accepted, so a paste of a whole file cannot tie up the answer queue.
MAX_FACTS_CHARS = 20_000


class LetterHandlers:
    """Draft, edit and export letters; exports go to a private temp folder, pruned hourly."""

    def __init__(self, qa: SendQA, folder: Path | None = None) -> None:
        self.qa = qa
        self.folder = folder or Path(tempfile.mkdtemp(prefix="sendqa-letters-"))

    def draft(self, purpose: str, facts: str) -> tuple[Any, Any, str]:
        """Letter text, its References panel, and a status line (``gr.skip()`` keeps a box)."""
        if purpose not in PURPOSES:
            return gr.skip(), gr.skip(), "Please choose the purpose of the letter."
        if len(facts or "") > MAX_FACTS_CHARS:
            return gr.skip(), gr.skip(), "The facts are too long: keep them under 20,000 characters"
        try:
            letter = draft_letter(self.qa, purpose, facts or "")
        except Exception as exc:  # noqa: BLE001
            log_failure("letter", exc)
            return gr.skip(), gr.skip(), failure_message(exc)
        refs = sources_html(
            letter.citations,
            empty="No provisions were found for this letter.",
            id_prefix="letter-source",
            heading="Provisions cited in the letter",
        )
        status = "Draft ready: check it and fill in the [brackets] before sending."
        if letter.notes:
            status += " " + " ".join(letter.notes)
        return letter.markdown, refs, status

    def api(self, purpose: str, facts: str = "") -> dict[str, Any]:
        """JSON for /letter: the Markdown and its citations."""
        if purpose not in PURPOSES:
            return {
                "ok": False,
                "message": f"Unknown purpose; use one of {list(PURPOSES)}.",
                "markdown": "",
                "citations": [],
            }
        try:
            letter = draft_letter(self.qa, purpose, facts or "")
        except Exception as exc:  # noqa: BLE001
            log_failure("letter api", exc)
            return {"ok": False, "message": failure_message(exc), "markdown": "", "citations": []}
        return {
            "ok": True,
            "message": " ".join(letter.notes),
            "markdown": letter.markdown,
            "citations": [citation_json(c) for c in letter.citations],
        }

    def _prune(self, max_age_s: float = 3600) -> None:
        """Letters hold children's details: delete our exported copies after an hour."""
        cutoff = time.time() - max_age_s
        for path in self.folder.glob("sendqa-letter-*"):
            if path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)

    def export(self, text: str, kind: str) -> tuple[str | None, str]:
        """Write the edited draft as .md or .docx; returns the file and a status line."""
        if not (text or "").strip():
            return None, "Draft a letter first."
        try:
            self._prune()
            path = (
                export_docx(text, self.folder)
                if kind == "docx"
                else export_markdown(text, self.folder)
            )
        except Exception as exc:  # noqa: BLE001
            log_failure("export", exc)
            return None, FRIENDLY_ERROR
        return str(path), f"Your {path.suffix} file is ready below."


def _file_update(path: str | None, status: str) -> tuple[Any, str]:
    """Show the File box with the new file, or hide it when there is none."""
    return gr.update(value=path, visible=path is not None), status


def build_tab(handlers: LetterHandlers) -> None:
    """Draft a cited letter, edit it, export it as .md or .docx."""
    gr.Markdown(
        "**Caseworker workspace: draft a letter.** Each legal statement in the draft quotes the "
        "provision it relies on, with a References section. Edit the draft before sending."
    )
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=280):
            purpose = gr.Dropdown(
                choices=[(title, key) for key, title in PURPOSES.items()],
                value="assessment_request",
                label="Purpose of the letter",
                elem_id="letter-purpose",
            )
            facts = gr.Textbox(
                label="Facts: child's name, dates, what happened (or the parent's question)",
                lines=6,
                max_lines=16,
                elem_id="letter-facts",
            )
            draft_button = gr.Button("Draft letter", variant="primary", elem_id="letter-button")
            status = gr.Markdown(elem_id="letter-status")
        with gr.Column(scale=2, min_width=300):
            draft = gr.Textbox(
                label="Draft letter (edit before sending)",
                lines=20,
                max_lines=60,
                interactive=True,
                buttons=["copy"],
                elem_id="letter-draft",
            )
            with gr.Row():
                md_button = gr.Button("Download Markdown (.md)", elem_id="export-md")
                docx_button = gr.Button("Download Word (.docx)", elem_id="export-docx")
            # Hidden until there is a file: Gradio's empty File is a div with aria-label and no
            # role (axe aria-prohibited-attr), and an empty box helps nobody.
            file_out = gr.File(
                label="Your file", interactive=False, visible=False, elem_id="letter-file"
            )
            refs = gr.HTML(elem_id="letter-sources", label="Provisions cited")
    private: dict[str, Any] = {"api_visibility": "private"}
    announce_status = announce_text_of("#letter-status")
    draft_button.click(
        handlers.draft, [purpose, facts], [draft, refs, status], concurrency_id=ANSWERS, **private
    ).then(None, js=announce_status, **private)
    for button, kind in ((md_button, "md"), (docx_button, "docx")):
        button.click(
            lambda t, k=kind: _file_update(*handlers.export(t, k)),
            draft,
            [file_out, status],
            **private,
        ).then(None, js=announce_status, **private)
