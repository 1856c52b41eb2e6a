"""The web app: `python app.py [--host 127.0.0.1] [--port 7860] [--root-path /hcc]`.

The only module that imports gradio. It builds the UI from the assistant's public API through the
pure pieces in `ui/` (session, footnotes, profile panel, card, trials view, export), serves
every browser tab its own conversation through Gradio's queue, and mounts it on the HTTP API's
FastAPI application (`api/`), so one port serves the web app, `/api/v1` and `/healthz`.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

# Before gradio is imported: no analytics or update checks (nothing leaves the machine).
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import gradio as gr
from gradio.utils import get_upload_folder

from api.app import create_api
from api.readiness import Readiness
from api.server import Server, run
from assistant.agent import Assistant
from assistant.backends import BackendError
from assistant.conversations import ConversationStoreError, PurgeSchedule
from guardrails.messages import DISCLAIMER
from ui.card import EMPTY_CARD, card_for
from ui.chat import (
    answer_message,
    answer_text,
    redact,
    steps_message,
    stream_prefixes,
    user_message,
)
from ui.export_files import DEFAULT_TTL_S, PrivateExports
from ui.profile_panel import (
    FIELDS,
    Field,
    field_id,
    integer_choices,
    panel_values,
    regimen_choices,
)
from ui.service import EXAMPLES, ChatService, history
from ui.session import Session
from ui.trials_view import BAR_LABELS, BAR_METRICS, bar_figure, forest_figure, table1

FieldComponent = gr.Dropdown | gr.Textbox  # what the profile panel is made of
TITLE = "HCC systemic-therapy assistant"
INTRO = (
    f"## {TITLE}\n"
    "Cited decision support for the systemic treatment of unresectable hepatocellular carcinoma, "
    "from one review (Zhu et al., *J Hepatocell Carcinoma* 2025). Describe the patient and ask; "
    "follow-up questions keep the patient until **New patient**."
)
CSS = """
#disclaimer { position: sticky; top: 0; z-index: 20; background: var(--background-fill-secondary);
  border-left: 4px solid #b45309; padding: 6px 12px; }
.footnotes details { margin: 4px 0; }
.footnotes summary { cursor: pointer; font-weight: 600; }
.fn-passage { font-size: 0.92em; border-left: 3px solid #1f6f8b; margin: 6px 0; padding-left: 8px; }
.fn-reference { font-size: 0.88em; margin: 4px 0; }
"""
STREAM_STEPS = int(os.environ.get("HCC_UI_STREAM_STEPS", "8"))  # updates per streamed answer
STREAM_DELAY_S = float(os.environ.get("HCC_UI_STREAM_DELAY", "0.02"))
# Exported records are removed this many seconds after they are written (and when the tab closes).
EXPORT_TTL_S = float(os.environ.get("HCC_EXPORT_TTL", str(DEFAULT_TTL_S)))


def _component(field: Field) -> FieldComponent:
    common: dict[str, Any] = {"label": field.label, "key": field.key, "elem_id": field_id(field)}
    if field.kind in ("choice", "finding"):
        return gr.Dropdown(choices=list(field.choices), value="unknown", **common)
    if field.kind == "regimens":
        return gr.Dropdown(choices=list(regimen_choices()), value=[], multiselect=True, **common)
    if field.kind == "integer":  # a dropdown: an empty number box would read as 0
        return gr.Dropdown(choices=list(integer_choices(field)), value="unknown", **common)
    return gr.Textbox(value="", placeholder="unknown", **common)


def _profile_panel() -> list[FieldComponent]:
    """The panel's components in `FIELDS` order (patient first, tumour extent folded)."""
    made: dict[str, FieldComponent] = {}
    with gr.Group():
        for field in (f for f in FIELDS if f.group == "patient"):
            made[field.key] = _component(field)
    with gr.Accordion("Tumour extent", open=False):
        for field in (f for f in FIELDS if f.group == "tumour"):
            made[field.key] = _component(field)
    return [made[field.key] for field in FIELDS]


def _trials_tab() -> None:
    headers, rows = table1()
    gr.Markdown(
        "### Table 1: phase III first-line combination trials\n"
        "Click a column header to sort. ORR by blinded independent central review (RECIST v1.1); "
        "figures marked ** are TEAEs."
    )
    gr.Dataframe(
        value=rows,
        headers=headers,
        interactive=False,
        wrap=True,
        show_search="search",
        elem_id="table1",
    )
    gr.Plot(value=forest_figure(), label="Overall survival hazard ratios", elem_id="forest-plot")
    gr.Markdown("### Per regimen (experimental arms of Table 1)")
    with gr.Tabs():
        for metric in BAR_METRICS:
            with gr.Tab(BAR_LABELS[metric]):
                gr.Plot(value=bar_figure(metric), show_label=False, elem_id=f"bars-{metric.value}")


def build_app(
    assistant_factory: Callable[[], Assistant] = Assistant,
    stream_delay_s: float = STREAM_DELAY_S,
    export_dir: Path | None = None,
    export_ttl_s: float = EXPORT_TTL_S,
) -> gr.Blocks:
    """The whole UI around one assistant (tests pass a cheap one)."""
    service = ChatService(assistant_factory())
    # Inside Gradio's cache folder, so Gradio serves the private files instead of copying them.
    exports = PrivateExports(export_dir or Path(get_upload_folder()), export_ttl_s)

    with gr.Blocks(title=TITLE) as demo:
        # A Session, made on the tab's first event; its exports go when the tab's state does.
        session = gr.State(None, delete_callback=exports.discard)
        gr.Markdown(DISCLAIMER, elem_id="disclaimer")
        gr.Markdown(INTRO)
        with gr.Tabs():
            with gr.Tab("Consultation", id="consult"), gr.Row(equal_height=False):
                with gr.Column(scale=3):
                    chatbot = gr.Chatbot(
                        label="Conversation",
                        height=620,
                        elem_id="chat",
                        latex_delimiters=[],
                        buttons=["copy"],
                        feedback_options=None,
                        group_consecutive_messages=False,
                        placeholder="Ask about a patient, a trial or the review.",
                    )
                    with gr.Row():
                        question = gr.Textbox(
                            placeholder="e.g. Child-Pugh A, ECOG 0, untreated varices, "
                            "hoping for resection: which first-line regimen?",
                            show_label=False,
                            scale=5,
                            lines=1,
                            max_lines=6,
                            elem_id="question",
                        )
                        send = gr.Button("Ask", variant="primary", scale=1, elem_id="ask")
                    gr.Examples(
                        examples=[[e] for e in EXAMPLES],
                        inputs=[question],
                        label="Example questions",
                    )
                    with gr.Row():
                        new_patient = gr.Button("New patient", elem_id="new-patient")
                        export = gr.Button("Export record (Markdown + JSON)", elem_id="export")
                    files = gr.File(
                        label="Exported record", file_count="multiple", elem_id="exports"
                    )
                with gr.Column(scale=2):
                    card = gr.Markdown(EMPTY_CARD, elem_id="card")
                    problem = gr.Markdown("", elem_id="profile-problem")
                    with gr.Accordion("Patient profile", open=True, elem_id="profile"):
                        fields = _profile_panel()
            with gr.Tab("Trials", id="trials"):
                _trials_tab()

        def respond(text: str, state: Session | None) -> Iterator[tuple[Any, ...]]:
            state = state or Session()
            # Card, problem line and panel as they stand, sent as plain values: gr.skip() is an
            # update that makes Gradio rebuild every panel component on every streamed chunk.
            skip = [card_for(state.profile), "", *panel_values(state.profile)]
            if not text or not text.strip():
                yield (gr.skip(), history(state), state, *skip)
                return
            shown = [*history(state), user_message(redact(text)), steps_message(None, True)]
            yield ("", shown, state, *skip)
            turn = service.ask(state, text)
            done = [*history(state)[:-1]]  # the new turn's steps, without its answer yet
            body = answer_text(turn.result, turn.body)
            for prefix in stream_prefixes(body, STREAM_STEPS):
                yield ("", [*done, answer_message(prefix)], state, *skip)
                time.sleep(stream_delay_s)
            yield ("", history(state), state, card_for(state.profile), "",
                   *panel_values(state.profile))  # fmt: skip

        outputs = [question, chatbot, session, card, problem, *fields]
        ask_event = dict(fn=respond, inputs=[question, session], outputs=outputs)
        question.submit(**ask_event, api_name="ask")  # type: ignore[arg-type]
        send.click(**ask_event, api_visibility="private")  # type: ignore[arg-type]

        def edit(state: Session | None, *values: Any) -> tuple[Any, ...]:
            state = state or Session()
            problem_text = service.edit_profile(state, values)
            if problem_text:
                return state, gr.skip(), f"**The profile cannot be used:** {problem_text}"
            return state, card_for(state.profile), ""

        gr.on(
            triggers=[field.input for field in fields],
            fn=edit,
            inputs=[session, *fields],
            outputs=[session, card, problem],
            api_name="edit_profile",
            queue=False,  # applied at once, so a question sent right after sees the edit
        )

        def reset(state: Session | None) -> tuple[Any, ...]:
            state = state or Session()
            exports.discard(state)  # the last patient's records go with them
            service.new_patient(state)  # the old thread's stored state is deleted
            return ("", [], state, EMPTY_CARD, "", None, *panel_values(None))

        new_patient.click(
            reset,
            inputs=[session],
            outputs=[question, chatbot, session, card, problem, files, *fields],
            api_name="new_patient",
        )

        def export_record(state: Session | None) -> list[str]:
            return [str(path) for path in exports.write(state or Session())]

        export.click(export_record, inputs=[session], outputs=[files], api_name="export")
    return demo


def serve(
    assistant: Assistant,
    host: str = "127.0.0.1",
    port: int = 7860,
    root_path: str = "",
    concurrency: int = 16,
    block: bool = True,
    stream_delay_s: float = STREAM_DELAY_S,
    readiness: Readiness | None = None,
) -> Server:
    """The web UI and the HTTP API on one port: the UI mounted on the API's FastAPI app.

    Gradio's queue serves `concurrency` answers at once, each browser tab its own state; the API
    runs in the server's thread pool. Readiness loads the index and model in the background
    (`/healthz` says when) unless the caller has done it.
    """
    readiness = readiness or Readiness(assistant).warm_in_background()
    demo = build_app(lambda: assistant, stream_delay_s=stream_delay_s)
    demo.queue(default_concurrency_limit=concurrency)
    api = gr.mount_gradio_app(
        create_api(assistant, readiness),
        demo,
        path="/",
        root_path=root_path or None,
        server_name=host,
        server_port=port,
        theme=gr.themes.Default(primary_hue="teal"),  # bundled fonts: nothing fetched
        css=CSS,
        ssr_mode=False,
        footer_links=["api"],
        show_error=True,
    )
    return run(api, host, port, root_path, block=block)


def _root_path(value: str | None) -> str:
    """'/hcc' from 'hcc', '/hcc/' or '/hcc'; '' for none."""
    value = (value or "").strip().strip("/")
    return f"/{value}" if value else ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python app.py", description=TITLE)
    parser.add_argument(
        "--host", help="interface to listen on (default: $GRADIO_SERVER_NAME, else 127.0.0.1)"
    )
    parser.add_argument("--port", type=int, help="default: $GRADIO_SERVER_PORT, else 7860")
    parser.add_argument(
        "--root-path",
        help="the URL prefix a reverse proxy serves the app under, e.g. /hcc "
        "(default: $GRADIO_ROOT_PATH, else none)",
    )
    parser.add_argument("--concurrency", type=int, default=16, help="answers served at once")
    args = parser.parse_args(argv)
    host = args.host or os.environ.get("GRADIO_SERVER_NAME") or "127.0.0.1"
    port_text = os.environ.get("GRADIO_SERVER_PORT") or "7860"
    if args.port is None and not port_text.isdigit():
        parser.error(f"GRADIO_SERVER_PORT must be a port number, not {port_text!r}")
    port = args.port if args.port is not None else int(port_text)
    root_path = _root_path(
        args.root_path if args.root_path is not None else os.environ.get("GRADIO_ROOT_PATH")
    )
    try:
        assistant = Assistant()
    except (ConversationStoreError, BackendError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    retention = assistant.settings.conversations.retention_days
    purge = PurgeSchedule(assistant.conversations, retention).start()
    print(
        f"{TITLE}: http://{host}:{port}{root_path}/ (API under /api/v1, health at /healthz; "
        f"conversations: {assistant.conversations.describe()})",
        file=sys.stderr,
    )
    try:
        serve(assistant, host, port, root_path, args.concurrency)
    finally:
        purge.stop()
        assistant.conversations.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
