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


def _trials(artifact: dict) -> list[str]:
    return [r["trial_id"] for r in artifact["results"]]


def test_top_n_keeps_the_first_of_the_ranking(deps: ToolDeps) -> None:
    _, artifact = _compare_trials(deps)("ORR", "highest", top=2)
    assert _trials(artifact) == ["checkmate-9dw", "nct04560894"]


def test_arms_against_their_own_control(deps: ToolDeps) -> None:
    compare = _compare_trials(deps)
    _, fewer = compare("grade 3 TRAEs", versus_control="lower", control="sorafenib")
    assert set(_trials(fewer)) == {"himalaya", "orient-32", "imbrave150", "hepatorch"}
    himalaya = fewer["results"][0]
    assert (himalaya["text"], himalaya["control"]["text"]) == ("25.8", "36.9")
    _, more = compare("grade 3 TRAEs", versus_control="higher")
    assert set(_trials(more)) == {"leap-002", "cares-310", "cosmic-312", "apollo"}


def test_the_largest_gain_over_the_own_control_orders_without_printing_it(deps: ToolDeps) -> None:
    text, artifact = _compare_trials(deps)("mOS", "highest", by="difference", control="sorafenib")
    assert _trials(artifact)[0] == "cares-310"
    assert "8.6" not in text  # the difference orders; only printed figures are shown


def test_significance_is_read_from_the_printed_ci(deps: ToolDeps) -> None:
    _, artifact = _compare_trials(deps)("PFS HR", significant=False)
    assert set(_trials(artifact)) == {"leap-002", "checkmate-9dw", "himalaya"}
    _, significant = _compare_trials(deps)("PFS HR", significant=True)
    assert "himalaya" not in _trials(significant) and "imbrave150" in _trials(significant)


def test_every_first_line_rct_whole_population(deps: ToolDeps) -> None:
    _, artifact = _compare_trials(deps)(
        "mOS", arms="any", regimen="sorafenib", scope="all", at_most=11
    )
    assert set(_trials(artifact)) == {"sharp", "oriental", "orient-32", "donafenib-vs-sorafenib"}
    assert all(r["population"] is None for r in artifact["results"])  # no Chinese subgroup


def test_a_mixed_arm_counts_for_the_drug_most_of_its_patients_got(deps: ToolDeps) -> None:
    compare = _compare_trials(deps)
    _, lenvatinib = compare("mOS", arms="control", regimen="lenvatinib")
    assert set(_trials(lenvatinib)) == {"leap-002", "checkmate-9dw"}  # 85% lenvatinib
    _, sorafenib = compare("mOS", "highest", arms="control", regimen="sorafenib")
    assert "checkmate-9dw" not in _trials(sorafenib)
    assert _trials(sorafenib)[0] == "cosmic-312"


def test_trials_ranked_by_patients_randomised(deps: ToolDeps) -> None:
    _, artifact = _compare_trials(deps)("n", "highest", top=3)
    assert _trials(artifact) == ["himalaya", "reflect", "leap-002"]
    assert artifact["scope"] == "all"


def test_trials_listed_by_where_the_review_says_they_ran(deps: ToolDeps) -> None:
    from assistant.tools.trials import _list_trials

    _, artifact = _list_trials(deps)("china")
    assert "orient-32" in _trials(artifact) and "himalaya" not in _trials(artifact)
    _, nowhere = _list_trials(deps)("Brazil")
    assert nowhere["results"] == [] and "China" in nowhere["places"]
