"""The web app: `python app.py [--host 127.0.0.1] [--port 7860] [--share no]`.

The only module that imports gradio. It builds the UI from the assistant's public API through the
pure pieces in `ui/` (session, footnotes, profile panel, card, trials view, export) and serves
every browser tab its own conversation through Gradio's queue.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

# Before gradio is imported: no analytics or update checks (nothing leaves the machine).
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import gradio as gr

from assistant.agent import Assistant
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
from ui.export import write_export
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
) -> gr.Blocks:
    """The whole UI around one assistant (tests pass a cheap one)."""
    service = ChatService(assistant_factory())
    exports = export_dir or Path(tempfile.mkdtemp(prefix="hcc-exports-"))

    with gr.Blocks(title=TITLE) as demo:
        session = gr.State(None)  # a Session, made on the tab's first event
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
            state.new_patient()
            return ("", [], state, EMPTY_CARD, "", None, *panel_values(None))

        new_patient.click(
            reset,
            inputs=[session],
            outputs=[question, chatbot, session, card, problem, files, *fields],
            api_name="new_patient",
        )

        def export_record(state: Session | None) -> list[str]:
            folder = Path(tempfile.mkdtemp(dir=exports))
            return [str(path) for path in write_export(state or Session(), folder)]

        export.click(export_record, inputs=[session], outputs=[files], api_name="export")
    return demo


def launch(
    demo: gr.Blocks,
    host: str = "127.0.0.1",
    port: int = 7860,
    share: bool = False,
    concurrency: int = 16,
    block: bool = True,
) -> gr.Blocks:
    """Serve with the queue: `concurrency` answers at once, each session its own state."""
    demo.queue(default_concurrency_limit=concurrency)
    demo.launch(
        server_name=host,
        server_port=port,
        share=share,
        prevent_thread_lock=not block,
        theme=gr.themes.Default(primary_hue="teal"),  # bundled fonts: nothing fetched
        css=CSS,
        ssr_mode=False,
        footer_links=["api"],
        quiet=not block,
        show_error=True,
    )
    return demo


def _warm(assistant: Assistant) -> Assistant:
    """Open the index and the ONNX query model and run one answer before reporting ready."""
    readiness = assistant.deps.warm()  # never raises: rule and trial questions work without it
    print(readiness.summary, file=sys.stderr)
    assistant.ask("What was the PD rate in LEAP-002?")
    return assistant


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python app.py", description=TITLE)
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on")
    parser.add_argument("--port", type=int, default=7860)
    parser.add_argument("--share", choices=("no", "yes"), default="no", help="Gradio share link")
    parser.add_argument("--concurrency", type=int, default=16, help="answers served at once")
    args = parser.parse_args(argv)
    demo = build_app(lambda: _warm(Assistant()))
    print(f"{TITLE}: http://{args.host}:{args.port}", file=sys.stderr)
    launch(demo, args.host, args.port, args.share == "yes", args.concurrency)
    return 0


if __name__ == "__main__":
    sys.exit(main())
