"""The trial tools directly: control-arm rankings and the record passages shown with figures."""

import pytest
from langchain_core.tools import ToolException

from assistant.tools.deps import ToolDeps
from assistant.tools.trials import _compare_trials, _lookup_trial


@pytest.fixture(scope="module")
def deps() -> ToolDeps:
    return ToolDeps()


def test_control_arms_of_one_regimen_are_ranked(deps: ToolDeps) -> None:
    _, artifact = _compare_trials(deps)("mOS", "highest", arms="control", regimen="sorafenib")
    rows = artifact["results"]
    assert [r["trial"] for r in rows][:2] == ["COSMIC-312", "CARES-310"]
    assert {r["arm"] for r in rows} == {"sorafenib"}
    assert artifact["arms"] == "control" and artifact["regimen"] == "sorafenib"


def test_experimental_arms_stay_the_default(deps: ToolDeps) -> None:
    _, artifact = _compare_trials(deps)("PD rate", "lowest")
    assert artifact["results"][0]["arm"] == "lenvatinib + pembrolizumab"
    assert "sorafenib" not in {r["arm"] for r in artifact["results"]}


def test_unknown_control_regimen_is_a_hint_for_the_model(deps: ToolDeps) -> None:
    with pytest.raises(ToolException, match="Unknown regimen"):
        _compare_trials(deps)("mOS", arms="control", regimen="not-a-drug")


def test_size_questions_carry_the_design_sentence(deps: ToolDeps) -> None:
    _, artifact = _lookup_trial(deps)("REFLECT", ["sites", "countries"])
    record = artifact["records"]["reflect"]
    assert "154 sites in 20 countries" in record["design"]
    assert "findings" not in record  # figures were found: the findings are not asked


def test_a_trial_without_the_figure_carries_its_findings(deps: ToolDeps) -> None:
    _, artifact = _lookup_trial(deps)("KCSG HB23-04", "PD rate")
    record = artifact["records"]["kcsg-hb23-04"]
    assert record["findings"] and record["design"]
    (citation,) = artifact["citations"]
    assert tuple(citation["refs"]) == (68,)
    assert citation["chunk_ids"]


def test_a_missing_dose_brings_no_other_words(deps: ToolDeps) -> None:
    _, artifact = _lookup_trial(deps)("lenvatinib", "dose")
    assert artifact["results"] == []
    assert all(set(r) == {"name", "refs"} for r in artifact["records"].values())


def test_concurrent_first_searches_load_the_retriever_once() -> None:
    import threading
    import time

    from assistant.tools import ToolDeps

    loads = []

    def factory():
        loads.append(1)
        time.sleep(0.05)  # long enough for every thread to arrive while loading
        return object()

    deps = ToolDeps(retriever_factory=factory)  # type: ignore[arg-type]
    threads = [threading.Thread(target=deps.retriever) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(loads) == 1
