"""`python -m eval run` and `compare`: report files, the threshold gate, regressions, the judge."""

import json

import pytest
import yaml
from langchain_core.messages import AIMessage

from eval import cli
from eval.cases import load_cases
from eval.judge import judge_runs, parse_verdict
from eval.report import load_report
from eval.runner import run_cases
from tests.scripted_models import ScriptedChatModel


def case(id: str, category: str, question: str, **expect) -> dict:
    return {
        "id": id,
        "category": category,
        "question": question,
        "expect": expect,
        "source": "Table 1",
    }


GOOD = [
    case(
        "pd-rate",
        "trial_fact",
        "What was the PD rate in LEAP-002?",
        figures=["12.2"],
        trials=["leap-002"],
    ),
    case("off-topic", "refusal", "What is the best pizza in Naples?", refused=True),
]
BROKEN = [
    case(
        "pd-rate",
        "trial_fact",
        "What was the PD rate in LEAP-002?",
        figures=["99.1"],
        trials=["leap-002"],
    ),
    GOOD[1],
]


@pytest.fixture
def fast_cli(monkeypatch, planner_assistant):
    """The CLI with the planner over the fake search index (no embedding model)."""
    monkeypatch.setattr(cli, "Assistant", lambda settings: planner_assistant)


def write_cases(path, cases) -> str:
    path.write_text(yaml.safe_dump(cases))
    return str(path)


def test_a_run_writes_json_markdown_and_a_chart(fast_cli, tmp_path, capsys) -> None:
    cases = write_cases(tmp_path / "cases.yaml", GOOD)
    out = tmp_path / "report"
    code = cli.main(
        [
            "run",
            "--cases",
            cases,
            "--out",
            str(out),
            "--quiet",
            "--thresholds",
            str(write_cases(tmp_path / "bar.yaml", {"accuracy": {"overall": 1.0}})),
        ]
    )
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert "trial_fact" in printed and "numeric fidelity" in printed and "recall@5" in printed
    report = load_report(out / "eval.json")
    assert report.metrics.accuracy["overall"].share == 1.0
    assert report.metrics.refusals.recall.share == 1.0
    assert report.metrics.retrieval is not None and report.metrics.retrieval.questions >= 100
    assert {row.id for row in report.cases} == {"pd-rate", "off-topic"}
    assert "| answer accuracy | 100.0% (2/2) |" in (out / "eval.md").read_text()
    # Answer length per category, over the answers given (the refusal is not one).
    length = report.metrics.lengths["trial_fact"]
    assert length.answers == 1 and report.metrics.lengths["overall"].answers == 1
    answer = next(row for row in report.cases if row.id == "pd-rate").result["answer"]
    assert length.median_chars == length.p90_chars == len(answer)
    assert 0 < length.median_bottom_words <= 80
    assert "## Answer length per category" in (out / "eval.md").read_text()
    assert "answer length (answered)" in printed
    assert (out / "accuracy.png").read_bytes().startswith(b"\x89PNG")


def test_a_run_below_the_bar_fails_and_compare_shows_the_regression(
    fast_cli, tmp_path, capsys
) -> None:
    bar = write_cases(tmp_path / "bar.yaml", {"accuracy": {"overall": 0.95}})
    for name, cases in (("good", GOOD), ("broken", BROKEN)):
        path = write_cases(tmp_path / f"{name}.yaml", cases)
        args = ["run", "--cases", path, "--out", str(tmp_path / name), "--quiet", "--no-retrieval"]
        code = cli.main([*args, "--thresholds", bar])
        assert code == (0 if name == "good" else 1)
    assert "accuracy[overall]: 50.0% is below 95%" in capsys.readouterr().out
    code = cli.main(
        ["compare", str(tmp_path / "good/eval.json"), str(tmp_path / "broken/eval.json")]
    )
    printed = capsys.readouterr().out
    assert code == 1
    assert "regressions (passed in A, failed in B): 1" in printed
    assert "pd-rate (trial_fact): figure 99.1 missing" in printed
    assert "answer accuracy: 100.0% (2/2) -> 50.0% (1/2)" in printed
    code = cli.main(
        ["compare", str(tmp_path / "broken/eval.json"), str(tmp_path / "good/eval.json")]
    )
    assert code == 0 and "+ pd-rate" in capsys.readouterr().out


def test_compare_rejects_what_is_not_a_report(tmp_path, capsys) -> None:
    bogus = tmp_path / "x.json"
    bogus.write_text(json.dumps({"cases": []}))
    assert cli.main(["compare", str(bogus), str(bogus)]) == 2
    assert capsys.readouterr().err.startswith("error: cannot read a run report")


def test_the_default_suite_is_every_answer_case_file() -> None:
    cases = load_cases()
    assert {c.category for c in cases} >= {"trial_fact", "first_line", "later_line", "follow_up"}


def test_the_judge_is_reported_apart_and_never_guessed(planner_assistant) -> None:
    runs = run_cases(planner_assistant, [load_cases()[0]], progress=False)
    judge = ScriptedChatModel(steps=[AIMessage('{"verdict": "correct", "reason": "matches"}')])
    judged = judge_runs(judge, runs)
    assert judged["mean"] == 1.0 and judged["counts"] == {"correct": 1}
    assert parse_verdict("I think it is fine").verdict == "unparsed"
    assert parse_verdict('```json\n{"verdict": "partly_correct"}\n```').verdict == "partly_correct"
    assert parse_verdict('{"verdict": "great"}').verdict == "unparsed"


def test_the_judge_needs_an_llm_backend(tmp_path, capsys) -> None:
    cases = write_cases(tmp_path / "cases.yaml", GOOD)
    with pytest.raises(SystemExit):
        cli.main(["run", "--cases", cases, "--judge", "planner"])
    assert "invalid choice: 'planner'" in capsys.readouterr().err


def test_a_bad_case_file_names_the_case_and_the_field(tmp_path, capsys) -> None:
    broken = [case("pd-rate", "trial_fact", "q", figurs=["12.2"])]
    path = write_cases(tmp_path / "cases.yaml", broken)
    assert cli.main(["run", "--cases", path, "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "case pd-rate: expect.figurs: Extra inputs are not permitted" in err
