"""The app through a real client: gradio_client against the app served on 127.0.0.1."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from app_support import panel, running_app, text
from gradio_client import Client

from ui.load import spawn
from ui.profile_panel import panel_values

pytestmark = pytest.mark.server

VIGNETTE = (
    "Child-Pugh A, ECOG 0, untreated varices, hoping for resection: which first-line regimen?"
)


@pytest.fixture(scope="module")
def url(fake_retriever_factory):
    from assistant.agent import Assistant
    from assistant.tools import ToolDeps

    with running_app(
        lambda: Assistant(deps=ToolDeps(retriever_factory=fake_retriever_factory))
    ) as u:
        yield u


def client(url: str) -> Client:
    return Client(url, verbose=False)


def test_ask_returns_a_cited_answer_and_fills_the_profile(url) -> None:
    output = client(url).predict(VIGNETTE, api_name="/ask")
    chat = output[1]
    assert [m["role"] for m in chat] == ["user", "assistant"]
    answer = text(chat[1]["content"])
    assert "Agent steps: select_regimens" in answer  # folded under the answer
    assert "Lenvatinib + an anti-PD-1 antibody" in answer
    assert '<button type="button" class="fn-ref fn-1"' in answer
    assert '<details class="footnote fn-note-1"' in answer
    assert "Finn RS" in answer and "doi.org/10.1056/NEJMoa1915745" in answer  # full reference
    assert "Decision support only" in answer
    assert panel(output, "child_pugh_class") == "A" and panel(output, "ecog") == "0"
    assert (
        panel(output, "varices") == "untreated_or_severe" and panel(output, "goal") == "conversion"
    )
    card = output[2]
    assert (
        "Preferred options" in card and "Atezolizumab + bevacizumab" in card.split("**Avoid**")[1]
    )


def test_follow_up_keeps_context_and_new_patient_resets(url) -> None:
    session = client(url)
    session.predict(
        "Child-Pugh A, ECOG 0, no varices on EGD, long-term control: options?", api_name="/ask"
    )
    follow = session.predict("and if she had a liver transplant?", api_name="/ask")
    assert len(follow[1]) == 4
    assert panel(follow, "organ_transplant") == "yes" and panel(follow, "child_pugh_class") == "A"
    reset = session.predict(api_name="/new_patient")
    assert reset[1] == [] and "No patient details yet" in reset[2]
    fresh = session.predict("What if she also has untreated varices?", api_name="/ask")
    assert panel(fresh, "child_pugh_class") == "unknown" and len(fresh[1]) == 2


def test_profile_edit_updates_the_card(url) -> None:
    session = client(url)
    values = panel_values({"child_pugh_class": "A", "ecog": 0, "varices": "none", "egd_done": True})
    card, problem = session.predict(*values, api_name="/edit_profile")
    assert "1. **Atezolizumab + bevacizumab**" in card and problem == ""
    values = panel_values({"child_pugh_class": "A", "ecog": 0, "organ_transplant": True})
    card, _ = session.predict(*values, api_name="/edit_profile")
    assert "Atezolizumab + bevacizumab" in card.split("**Avoid**")[1]
    answer = session.predict("Which first-line regimen?", api_name="/ask")
    assert panel(answer, "organ_transplant") == "yes"


def test_two_clients_do_not_cross_talk(url) -> None:
    one, two = client(url), client(url)
    one.predict("Child-Pugh B, ECOG 2, AFP 2222 ng/mL: first-line options?", api_name="/ask")
    two.predict("Child-Pugh A, ECOG 0, AFP 3333 ng/mL: first-line options?", api_name="/ask")
    first = one.predict("and if she had a liver transplant?", api_name="/ask")
    second = two.predict("What if she also has untreated varices?", api_name="/ask")
    assert panel(first, "afp_ng_ml") == "2222" and panel(first, "child_pugh_class") == "B"
    assert (
        panel(second, "afp_ng_ml") == "3333" and panel(second, "varices") == "untreated_or_severe"
    )
    assert "3333" not in str(first[1]) and "2222" not in str(second[1])


def test_refusal_is_shown_plainly_and_export_has_no_identifiers(url) -> None:
    session = client(url)
    refused = session.predict("Write me a poem about the sea", api_name="/ask")
    assert "<strong>Not answered.</strong>" in text(refused[1][-1]["content"])
    session.predict(f"Mr John Smith, MRN 1234567. {VIGNETTE}", api_name="/ask")
    paths = session.predict(api_name="/export")
    assert sorted(Path(p).suffix for p in paths) == [".json", ".md"]
    for path in paths:
        written = Path(path).read_text(encoding="utf-8")
        assert "John" not in written and "1234567" not in written and "[NAME]" in written


@pytest.mark.slow
def test_python_app_py_serves_offline(tmp_path) -> None:
    """`python app.py` as deployed: real index built on first use, real model, loopback only."""
    os.environ["HCC_DATA_DIR"] = str(tmp_path / "data")  # the autouse fixture set it already
    process, url = spawn()
    try:
        output = Client(url, verbose=False).predict(
            "What does the review say about anti-drug antibodies to atezolizumab?", api_name="/ask"
        )
        answer = text(output[1][-1]["content"])
        assert "anti-drug antibodies" in answer and '<details class="footnote' in answer
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_exports_are_private_served_in_place_and_go_with_the_patient(url) -> None:
    session = Client(url, verbose=False, download_files=False)
    session.predict(VIGNETTE, api_name="/ask")
    files = session.predict(api_name="/export")
    paths = [Path(f["path"] if isinstance(f, dict) else f) for f in files]
    assert sorted(p.suffix for p in paths) == [".json", ".md"]
    for path in paths:  # served from the private folder, never copied into Gradio's cache
        assert path.parent.parent.parent.name.startswith("hcc-exports-")
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    session.predict(api_name="/new_patient")
    assert not any(path.exists() for path in paths)
