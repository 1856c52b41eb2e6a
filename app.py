"""The web app: `python app.py [--host 127.0.0.1] [--port 7860] [--root-path /hcc]`.

The only module that imports gradio. It builds the UI from the assistant's public API through the
pure pieces in `ui/` (session, footnotes, profile panel, card, trials view, export), serves
every browser tab its own conversation through Gradio's queue, and mounts it on the HTTP API's
FastAPI application (`api/`), so one port serves the web app, `/api/v1` and `/healthz`.
"""

from __future__ import annotations

import argparse
import html
import os
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

# Before gradio is imported: no analytics or update checks (nothing leaves the machine).
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import gradio as gr
from gradio.themes.utils.fonts import LocalFont
from gradio.utils import get_upload_folder
from matplotlib.figure import Figure

from api.app import create_api
from api.readiness import Readiness
from api.server import Server, run
from assistant.agent import Assistant
from assistant.backends import BackendError
from assistant.conversations import ConversationStoreError, PurgeSchedule
from corpus.trials import Metric
from guardrails.messages import DISCLAIMER
from ui.card import EMPTY_CARD, card_for, edited_note, stale_card
from ui.chat import pending_message, redact, render_markdown, user_message
from ui.export_files import DEFAULT_TTL_S, PrivateExports
from ui.profile_panel import (
    FIELDS,
    Field,
    field_id,
    integer_choices,
    panel_values,
    regimen_choices,
)
from ui.service import EXAMPLES, ChatService, Superseded, history
from ui.session import Session
from ui.trials_view import (
    BAR_LABELS,
    BAR_METRICS,
    SETTING_TITLES,
    bar_figure,
    forest_figure,
    forest_settings,
    os_hazard_ratios,
    table1,
    table1_html,
)

FieldComponent = gr.Dropdown | gr.Textbox  # what the profile panel is made of
TITLE = "HCC systemic-therapy assistant"
SUBTITLE = (
    "Cited decision support for the systemic treatment of unresectable HCC, from one review "
    "(Zhu et al., J Hepatocell Carcinoma 2025). Follow-up questions keep the patient until "
    "New patient."
)
ASSETS = Path(__file__).resolve().parent / "ui" / "assets"
CSS = (ASSETS / "app.css").read_text(encoding="utf-8")
HEAD = f"<script>\n{(ASSETS / 'app.js').read_text(encoding='utf-8')}\n</script>"
LOADING = "Loading the review index and the search model… questions open when they are ready."
# Exported records are removed this many seconds after they are written (and when the tab closes).
EXPORT_TTL_S = float(os.environ.get("HCC_EXPORT_TTL", str(DEFAULT_TTL_S)))
READY_WAIT_S = 300.0  # a question sent before the server is ready waits this long at most


def theme() -> gr.themes.Base:
    """Gradio's default look with fonts served by this server, bold included: the bundled
    semi-bold (600) files hold only a few glyphs, so 600 and 700 both use the full bold face."""
    return gr.themes.Default(
        primary_hue="teal",
        font=(LocalFont("Source Sans Pro", weights=(400, 700)), "ui-sans-serif", "sans-serif"),
        font_mono=(LocalFont("IBM Plex Mono", weights=(400, 700)), "ui-monospace", "monospace"),
    )


def disclaimer_html() -> str:
    """The disclaimer on one pinned line that opens to the full text."""
    full = html.escape(DISCLAIMER.strip("_"))
    return (
        '<details id="disclaimer-box"><summary><b>Decision support only</b>: it summarises one '
        'review; the treating clinician decides. <span class="more">More</span></summary>'
        f"<p>{full}</p></details>"
    )


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


def _trials_tab(demo: gr.Blocks) -> None:
    headers, rows = table1()
    gr.Markdown(
        "### Table 1: phase III first-line combination trials\n"
        "ORR by blinded independent central review (RECIST v1.1); figures marked ** are TEAEs. "
        "Every column, sortable, is under *All columns of Table 1*."
    )
    gr.HTML(table1_html(), elem_id="table1")
    with gr.Accordion("All columns of Table 1 (sortable)", open=False):
        gr.Dataframe(
            value=rows,
            headers=headers,
            interactive=False,
            wrap=True,
            show_search="search",
            elem_id="table1-full",
        )
    for setting in forest_settings():
        title = SETTING_TITLES.get(setting, setting)
        forest = gr.Plot(
            show_label=False,  # the figure carries its title
            elem_id=f"forest-{setting}",
            elem_classes=["forest-plot"],
        )
        demo.load(PLOTS.add(f"forest-{setting}", _forest(setting, title)), outputs=forest)
    gr.Markdown("### Per regimen (experimental arms of Table 1)")
    with gr.Tabs():
        for metric in BAR_METRICS:
            with gr.Tab(BAR_LABELS[metric]):
                bars = gr.Plot(show_label=False, elem_id=f"bars-{metric.value}")
                demo.load(PLOTS.add(f"bars-{metric.value}", _bars(metric)), outputs=bars)


def _forest(setting: str, title: str) -> Callable[[], Figure]:
    return lambda: forest_figure(os_hazard_ratios(setting=setting), title)


def _bars(metric: Metric) -> Callable[[], Figure]:
    return lambda: bar_figure(metric)


class RenderedPlots:
    """The Trials tab's figures, drawn once per process and shared by every page.

    Drawing them (matplotlib, constrained layout, WebP) takes about a second of CPU, which at page
    build delayed the server's start by as much. A plot is now filled when a page loads (its load
    event), from this cache, and `render_all` fills the cache in the background once the server is
    ready, so a page rarely waits for a drawing.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()  # one drawing at a time, and each figure drawn once
        self._makers: dict[str, Callable[[], Figure]] = {}
        self._done: dict[str, Any] = {}
        self._format = gr.Plot(render=False)  # turns a figure into the payload Gradio sends

    def add(self, key: str, make: Callable[[], Figure]) -> Callable[[], Any]:
        self._makers.setdefault(key, make)
        return lambda: self.get(key)

    def get(self, key: str) -> Any:
        with self._lock:
            if key not in self._done:
                self._done[key] = self._format.postprocess(self._makers[key]())
            return self._done[key]

    def render_all(self) -> None:
        for key in list(self._makers):
            self.get(key)


PLOTS = RenderedPlots()


def card_view(state: Session) -> str:
    """The card for the session's profile, marked when it is out of date or ahead of the chat."""
    card = card_for(state.profile)
    if state.panel_problem:
        return stale_card(
            card, "The profile panel has a conflict (below the card): this is the recommendation "
            "for the last valid profile, until the panel is fixed.",
        )  # fmt: skip
    if state.profile_edited and state.turns:
        return edited_note(card)
    return card


def problem_html(problem: str) -> str:
    """The panel's conflict, pinned to the corner of the window while it lasts (the field being
    edited may be far down the panel, the card far up)."""
    if not problem:
        return ""
    return (
        '<div class="panel-conflict" role="alert"><p><b>Conflict in the profile panel</b> '
        f"(the card is out of date until it is fixed)</p>{render_markdown(problem)}</div>"
    )


def conflict_text(state: Session) -> str:
    if not state.conflicts:
        return ""
    labels = {field.key: field.label for field in FIELDS}
    items = "; ".join(
        f"**{labels.get(name, name)}**: panel {_value(panel)}, question {_value(asked)}"
        for name, panel, asked in state.conflicts
    )
    return (
        f"**Your question changed values you had set in the panel.** {items}. The answer and the "
        "card use the question's values. Which should stand?"
    )


def _value(value: Any) -> str:
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value).replace("_", " ")


def build_app(
    assistant_factory: Callable[[], Assistant] = Assistant,
    export_dir: Path | None = None,
    export_ttl_s: float = EXPORT_TTL_S,
    readiness: Readiness | None = None,
) -> gr.Blocks:
    """The whole UI around one assistant (tests pass a cheap one). With `readiness`, questions
    open when the server is ready (the index and the search model loaded)."""
    service = ChatService(assistant_factory())
    # Inside Gradio's cache folder, so Gradio serves the private files instead of copying them.
    exports = PrivateExports(export_dir or Path(get_upload_folder()), export_ttl_s)

    def ready() -> bool:
        return readiness is None or readiness.ready or readiness.status == "not ready"

    with gr.Blocks(title=TITLE) as demo:
        # A Session, made on the tab's first event; its exports go when the tab's state does.
        session = gr.State(None, delete_callback=exports.discard)
        gr.HTML(disclaimer_html(), elem_id="disclaimer")
        gr.HTML(
            f'<div id="app-title"><h1>{html.escape(TITLE)}</h1>'
            f"<p>{html.escape(SUBTITLE)}</p></div>",
            elem_id="header",
        )
        status = gr.Markdown(LOADING, elem_id="status", visible=not ready())
        with gr.Tabs():
            with (
                gr.Tab("Consultation", id="consult"),
                gr.Row(equal_height=False, elem_id="main-row"),
            ):
                with gr.Column(scale=3, min_width=300, elem_id="chat-column"):
                    chatbot = gr.Chatbot(
                        label="Conversation",
                        show_label=False,
                        height="calc(100vh - 250px)",
                        min_height=320,
                        elem_id="chat",
                        autoscroll=False,  # the page scrolls each new answer to its top
                        latex_delimiters=[],
                        buttons=["copy"],
                        feedback_options=None,
                        group_consecutive_messages=False,
                        placeholder="Ask about a patient, a trial or the review.",
                    )
                    with gr.Row(elem_id="ask-row"):
                        question = gr.Textbox(
                            placeholder="e.g. Child-Pugh A, ECOG 0, untreated varices, "
                            "hoping for resection: which first-line regimen?",
                            show_label=False,
                            scale=5,
                            min_width=160,
                            lines=1,
                            max_lines=6,
                            elem_id="question",
                            interactive=ready(),
                        )
                        send = gr.Button(
                            "Ask", variant="primary", scale=0, min_width=80, elem_id="ask",
                            interactive=ready(),
                        )  # fmt: skip
                    with gr.Row(elem_id="actions"):
                        new_patient = gr.Button("New patient", size="sm", elem_id="new-patient")
                        export = gr.Button(
                            "Export record (Markdown + JSON)", size="sm", elem_id="export"
                        )
                    files = gr.File(
                        label="Exported record",
                        file_count="multiple",
                        elem_id="exports",
                        visible=False,  # shown once there is a record
                    )
                with gr.Column(scale=2, min_width=300, elem_id="card-column"):
                    card = gr.Markdown(EMPTY_CARD, elem_id="card")
                    problem = gr.Markdown("", elem_id="profile-problem")
                    with gr.Column(visible=False, elem_id="conflict") as conflict_box:
                        conflict = gr.Markdown("", elem_id="conflict-text")
                        with gr.Row():
                            keep_question = gr.Button(
                                "Keep the question's values", size="sm", elem_id="keep-question"
                            )
                            keep_panel = gr.Button(
                                "Use the panel's values", size="sm", elem_id="keep-panel"
                            )
                    with gr.Accordion("Patient profile", open=True, elem_id="profile"):
                        fields = _profile_panel()
                    with gr.Accordion("Example questions", open=False, elem_id="examples"):
                        gr.Examples(examples=[[e] for e in EXAMPLES], inputs=[question], label=None)
            with gr.Tab("Trials", id="trials"):
                _trials_tab(demo)

        def view(state: Session) -> list[Any]:
            """Card, problem line, panel and the conflict box, as the session stands."""
            values = state.panel_draft if state.panel_draft is not None else None
            return [
                card_view(state),
                problem_html(state.panel_problem),
                *(values if values is not None else panel_values(state.profile)),
                gr.Column(visible=bool(state.conflicts)),
                conflict_text(state),
            ]

        def respond(text: str, state: Session | None) -> Iterator[tuple[Any, ...]]:
            state = state or Session()
            if not text or not text.strip():
                yield (gr.skip(), history(state), state, *view(state))
                return
            # The question and a placeholder; card and panel stay as they are until the answer
            # arrives, so the card never shows a recommendation the chat does not show yet.
            shown = [*history(state), user_message(redact(text)), pending_message()]
            yield ("", shown, state, *view(state))
            if readiness is not None and not ready():
                readiness.wait(READY_WAIT_S)
            try:
                service.ask(state, text)
            except Superseded:  # New patient was pressed meanwhile: the answer was the old one's
                return
            yield ("", history(state), state, *view(state))

        outputs = [question, chatbot, session, card, problem, *fields, conflict_box, conflict]
        ask_event = dict(fn=respond, inputs=[question, session], outputs=outputs)
        asked: list[Any] = [
            question.submit(**ask_event, api_name="ask"),  # type: ignore[arg-type]
            send.click(**ask_event, api_visibility="private"),  # type: ignore[arg-type]
        ]

        def edit(state: Session | None, *values: Any) -> tuple[Any, ...]:
            state = state or Session()
            service.edit_profile(state, values)
            return state, card_view(state), problem_html(state.panel_problem)

        gr.on(
            triggers=[field.input for field in fields],
            fn=edit,
            inputs=[session, *fields],
            outputs=[session, card, problem],
            api_name="edit_profile",
            queue=False,  # applied at once, so a question sent right after sees the edit
        )

        def resolve(keep: str) -> Callable[[Session | None], tuple[Any, ...]]:
            def run(state: Session | None) -> tuple[Any, ...]:
                state = state or Session()
                if keep == "panel":
                    service.keep_panel(state)
                else:
                    service.keep_question(state)
                return (state, *view(state))

            return run

        resolved = [session, card, problem, *fields, conflict_box, conflict]
        keep_panel.click(resolve("panel"), [session], resolved, api_name="keep_panel", queue=False)
        keep_question.click(
            resolve("question"), [session], resolved, api_name="keep_question", queue=False
        )

        def reset(state: Session | None) -> tuple[Any, ...]:
            state = state or Session()
            exports.discard(state)  # the last patient's records go with them
            service.new_patient(state)  # the old thread's stored state is deleted
            return ("", [], state, *view(state), gr.File(value=None, visible=False))

        cleared = [
            question,
            chatbot,
            session,
            card,
            problem,
            *fields,
            conflict_box,
            conflict,
            files,
        ]
        # New patient and the chat's trash icon do the same: the pending answer is cancelled and
        # chat, card, panel and exported files are cleared together.
        new_patient.click(
            reset, inputs=[session], outputs=cleared, api_name="new_patient", cancels=asked
        )
        chatbot.clear(
            reset, inputs=[session], outputs=cleared, api_visibility="private", cancels=asked
        )

        def export_record(state: Session | None) -> list[str]:
            return [str(path) for path in exports.write(state or Session())]

        export.click(export_record, inputs=[session], outputs=[files], api_name="export").then(
            lambda: gr.File(visible=True), outputs=[files], api_visibility="private", queue=False
        )

        if readiness is not None:
            timer = gr.Timer(1.0, active=not ready())

            def poll() -> tuple[Any, ...]:
                done = ready()
                text = "" if done else LOADING
                if readiness.status == "not ready":
                    text = f"**Not ready:** {readiness.detail}"
                return (
                    gr.Markdown(text, visible=bool(text)),
                    gr.Textbox(interactive=done),
                    gr.Button(interactive=done),
                    gr.Timer(active=not done),
                )

            polled = [status, question, send, timer]
            timer.tick(poll, outputs=polled, api_visibility="private", queue=False)
            demo.load(poll, outputs=polled, api_visibility="private", queue=False)
    return demo


def serve(
    assistant: Assistant,
    host: str = "127.0.0.1",
    port: int = 7860,
    root_path: str = "",
    concurrency: int = 16,
    block: bool = True,
    readiness: Readiness | None = None,
) -> Server:
    """The web UI and the HTTP API on one port: the UI mounted on the API's FastAPI app.

    Gradio's queue serves `concurrency` answers at once, each browser tab its own state; the API
    runs in the server's thread pool. Readiness loads the index and model in the background
    (`/healthz` says when, and the page opens its question box then) unless the caller has.
    """
    readiness = readiness or Readiness(assistant).warm_in_background()
    demo = build_app(lambda: assistant, readiness=readiness)
    threading.Thread(target=_draw_plots_when_ready, args=(readiness,), daemon=True).start()
    demo.queue(default_concurrency_limit=concurrency)
    api = gr.mount_gradio_app(
        create_api(assistant, readiness),
        demo,
        path="/",
        root_path=root_path or None,
        server_name=host,
        server_port=port,
        theme=theme(),  # fonts from this server: nothing fetched
        css=CSS,
        head=HEAD,
        ssr_mode=False,
        footer_links=["api"],
        show_error=True,
    )
    return run(api, host, port, root_path, block=block)


def _draw_plots_when_ready(readiness: Readiness) -> None:
    """The Trials tab's figures, drawn after the warm-up, so they neither delay "ready" nor wait
    for a page to ask for them."""
    readiness.wait()
    try:
        PLOTS.render_all()
    except Exception as error:  # a page that opens the tab will draw (or report) it itself
        print(f"warning: the trial figures could not be drawn: {error}", file=sys.stderr)


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
