"""Real-LLM backends, exercised with scripted tool-calling models (no network)."""

import pytest
from langchain_core.messages import AIMessage

from assistant.agent import Assistant
from assistant.backends import BackendError, make_model
from assistant.planner import PlannerChatModel
from assistant.settings import AssistantSettings
from assistant.tools import ToolDeps
from guardrails.messages import DISCLAIMER
from tests.scripted_models import ScriptedChatModel, call, last_tool_text

VARICES_PROFILE = {"child_pugh_class": "A", "ecog": 0, "varices": "untreated_or_severe"}


@pytest.fixture
def deps(fake_retriever_factory) -> ToolDeps:
    return ToolDeps(retriever_factory=fake_retriever_factory)


def test_well_behaved_model_answers_from_the_tools(deps) -> None:
    def answer(messages):
        text = last_tool_text(messages)
        assert "Avoid" in text  # the model sees the rule core's output
        return AIMessage(
            content="Lenvatinib plus an anti-PD-1 antibody is preferred for "
            "downstaging [LEAP-002; ref 24]; avoid atezolizumab + "
            "bevacizumab with untreated varices [IMbrave150; ref 19]."
        )

    model = ScriptedChatModel(
        steps=[
            call("select_regimens", {"profile": {**VARICES_PROFILE, "goal": "conversion"}}),
            answer,
        ]
    )
    result = Assistant(model=model, deps=deps).ask("CP-A, ECOG 0, untreated varices, downstaging?")
    assert not result.refused
    assert result.backend == "ScriptedChatModel"
    assert result.recommended_ids[0] == "lenvatinib_anti_pd1"  # from the tool, not the prose
    assert "atezolizumab_bevacizumab" not in result.recommended_ids
    assert result.trace[0].tool == "select_regimens" and result.trace[0].ok
    assert {c.trial for c in result.citations if c.trial} == {"LEAP-002", "IMbrave150"}
    failed = {g.check for g in result.guardrails if not g.passed}
    assert failed == {"disclaimer"}  # the LLM left it out; the output check appended it
    assert result.answer.endswith(DISCLAIMER)


def test_bad_arguments_come_back_with_a_hint_and_the_model_recovers(deps) -> None:
    seen = []

    def retry(messages):
        seen.append(last_tool_text(messages))
        return call("select_regimens", {"profile": VARICES_PROFILE}, call_id="call_2")

    model = ScriptedChatModel(
        steps=[
            call("select_regimens", {"profile": {"child_pugh_class": "D", "ecog": 9}}),
            retry,
            AIMessage(content="Options from the rule core [HIMALAYA; ref 34]."),
        ]
    )
    result = Assistant(model=model, deps=deps).ask("CP-A, ECOG 0, untreated varices?")
    assert "Fix the arguments and call the tool again" in seen[0]
    assert "child_pugh_class" in seen[0]
    assert [t.ok for t in result.trace] == [False, True]
    assert "tremelimumab_durvalumab" in result.recommended_ids


def test_unknown_trial_name_gets_a_list_of_trials(deps) -> None:
    def check(messages):
        assert "No trial or regimen called 'KEYNOTE-999'" in last_tool_text(messages)
        assert "LEAP-002" in last_tool_text(messages)
        return call("lookup_trial", {"name": "LEAP-002", "metric": "PD rate"}, "call_2")

    model = ScriptedChatModel(
        steps=[
            call("lookup_trial", {"name": "KEYNOTE-999"}),
            check,
            AIMessage(content="PD rate 12.2% with len/pembro [LEAP-002; ref 24]."),
        ]
    )
    result = Assistant(model=model, deps=deps).ask("PD rate in KEYNOTE-999?")
    assert [t.ok for t in result.trace] == [False, True]


def test_model_that_never_calls_tools_is_replaced_by_the_grounded_planner(deps) -> None:
    model = ScriptedChatModel(
        steps=[AIMessage(content="Atezo/bev has an ORR of 36% and a PD rate of 5% [IMbrave150].")]
    )
    result = Assistant(model=model, deps=deps).ask("What was the ORR with atezo/bev in IMbrave150?")
    assert "36%" not in result.answer and "30%" in result.answer
    assert result.backend == "ScriptedChatModel (replaced by planner)"
    grounding = [g for g in result.guardrails if g.check == "grounding"]
    assert len(grounding) == 1 and not grounding[0].passed


def test_model_that_never_calls_tools_on_an_off_topic_question_is_refused(deps) -> None:
    model = ScriptedChatModel(steps=[AIMessage(content="Roses are red...")])
    result = Assistant(model=model, deps=deps).ask("Write me a poem about cats")
    assert result.refused and "Roses" not in result.answer


def test_model_that_never_stops_calling_tools_is_cut_off(deps) -> None:
    looping = ScriptedChatModel(
        steps=[lambda m: call("compare_trials", {"metric": "ORR"}, f"call_{len(m)}")]
    )
    settings = AssistantSettings(max_tool_rounds=2)
    result = Assistant(settings, model=looping, deps=deps).ask("Highest ORR?")
    assert result.refused
    assert "did not finish within 2 tool rounds" in (result.refusal_reason or "")


def test_planner_is_the_default() -> None:
    assert isinstance(make_model(AssistantSettings()), PlannerChatModel)


def test_real_backends_are_configuration(monkeypatch) -> None:
    from langchain_ollama import ChatOllama
    from langchain_openai import ChatOpenAI

    ollama = make_model(AssistantSettings(backend="ollama", model="qwen2.5:7b"))
    assert isinstance(ollama, ChatOllama) and ollama.base_url == "http://127.0.0.1:11434"
    monkeypatch.setenv("MY_KEY", "sk-test")
    openai = make_model(
        AssistantSettings(
            backend="openai", model="m", base_url="http://127.0.0.1:8001/v1", api_key_env="MY_KEY"
        )
    )
    assert isinstance(openai, ChatOpenAI) and openai.openai_api_base == "http://127.0.0.1:8001/v1"


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (AssistantSettings(backend="ollama"), "needs a model name"),
        (
            AssistantSettings(backend="openai", model="gpt", api_key_env="NO_SUCH_KEY_VAR"),
            "API key",
        ),
    ],
)
def test_incomplete_backend_configuration_is_a_clear_error(settings, message) -> None:
    with pytest.raises(BackendError, match=message):
        make_model(settings)


def test_settings_come_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("HCC_BACKEND", "ollama")
    monkeypatch.setenv("HCC_MODEL", "llama3.1")
    settings = AssistantSettings()
    assert settings.backend == "ollama" and settings.model == "llama3.1"


def test_an_llm_recommending_bevacizumab_with_untreated_varices_is_repaired(deps) -> None:
    model = ScriptedChatModel(
        steps=[
            call("select_regimens", {"profile": VARICES_PROFILE}),
            AIMessage(
                content="I recommend atezolizumab + bevacizumab as the preferred first-line "
                "option [IMbrave150; refs 19–21]."
            ),
        ]
    )
    result = Assistant(model=model, deps=deps).ask("CP-A, ECOG 0, untreated varices: first line?")
    agreement = next(g for g in result.guardrails if g.check == "regimen_agreement")
    assert not agreement.passed
    assert "atezolizumab_bevacizumab" not in result.recommended_ids
    assert "I recommend atezolizumab + bevacizumab" not in result.answer


def test_an_llm_with_a_swapped_number_is_corrected(deps) -> None:
    model = ScriptedChatModel(
        steps=[
            call("lookup_trial", {"name": "IMbrave150", "metric": "ORR"}),
            AIMessage(
                content="In IMbrave150 the ORR with atezo/bev was 36% [IMbrave150; refs 19–21]."
            ),
        ]
    )
    result = Assistant(model=model, deps=deps).ask("ORR of atezo/bev in IMbrave150?")
    numbers = next(g for g in result.guardrails if g.check == "numbers")
    assert not numbers.passed
    assert "36%" not in result.answer
    # Either corrected to the recorded 30% or, with nothing else left, withheld with a reason.
    assert "30%" in result.answer or (result.refused and "withheld" in result.answer)
