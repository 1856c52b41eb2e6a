"""`python -m assistant recommend PROFILE.json [--json]`: text, JSON, and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.cli import COMMANDS, build_parser, main

EXAMPLES = Path(__file__).parents[1] / "assistant/examples/profiles"
CONVERSION = EXAMPLES / "first_line_conversion_china.json"


def test_text_output_ranks_the_options(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["recommend", str(CONVERSION)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("First-line systemic options")
    assert "  1. Lenvatinib + an anti-PD-1 antibody  [firmer]" in out
    assert "Avoid:\n  - Tremelimumab + durvalumab (STRIDE):" in out
    assert "Potential resectability:" in out
    assert "not a medication recommendation" in out


def test_json_output_is_the_recommendation_with_its_profile(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["recommend", str(CONVERSION), "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["profile"]["goal"] == "conversion"
    assert payload["setting"] == "first_line"
    assert payload["recommended"][0]["regimen"] == "lenvatinib_anti_pd1"
    assert payload["recommended"][0]["trials"][0]["name"] == "LEAP-002"
    assert {entry["regimen"] for entry in payload["avoid"]} == {
        "tremelimumab_durvalumab",
        "cabozantinib_atezolizumab",
    }
    assert payload["rules_fired"][0] == "FL-CONV-LENVATINIB-ANTI-PD1"


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.json")), ids=lambda path: path.stem)
def test_every_example_profile_renders(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["recommend", str(path)]) == 0
    assert "Rules fired:" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"child_pugh_class": "D"}', "child_pugh_class: Input should be"),
        ('{"ecog": 7}', "ecog: Input should be less than or equal to 4"),
        ('{"ecog": 1,', "is not valid JSON"),
        ("[1, 2]", "expected a JSON object"),
        ('{"favourite_drug": "sorafenib"}', "favourite_drug: Extra inputs are not permitted"),
    ],
)
def test_bad_profiles_exit_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    path = tmp_path / "profile.json"
    path.write_text(content, encoding="utf-8")
    assert main(["recommend", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("error: ") and message in captured.err
    assert captured.err.count("\n") == 1


def test_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["recommend", str(tmp_path / "none.json")]) == 2
    assert "cannot read profile" in capsys.readouterr().err


def test_subcommands_are_a_list_others_can_extend() -> None:
    assert [command.name for command in COMMANDS] == [
        "recommend",
        "ask",
        "chat",
        "bench",
        "conversations",
    ]
    with pytest.raises(SystemExit):
        build_parser().parse_args([])


def test_module_entry_point_runs_without_traceback(tmp_path: Path) -> None:
    ok = subprocess.run(
        [sys.executable, "-m", "assistant", "recommend", str(CONVERSION), "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert ok.returncode == 0 and json.loads(ok.stdout)["recommended"]
    bad = tmp_path / "bad.json"
    bad.write_text('{"child_pugh_score": 20}', encoding="utf-8")
    failed = subprocess.run(
        [sys.executable, "-m", "assistant", "recommend", str(bad)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert failed.returncode == 2
    assert "Traceback" not in failed.stderr
    assert failed.stderr.strip().startswith("error: invalid profile: child_pugh_score")
