"""The assistant's command line: `python -m assistant <command> ...`.

Each subcommand is a `Command` in `COMMANDS`: its name, help, a function that adds its arguments
and one that runs it and returns the exit code. A new subcommand (ask, chat, bench) is one more
entry. Errors a person must fix are raised as the exceptions in `USER_ERRORS` and reported as one
line on stderr with exit code 2, never as a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.backends import BackendError
from assistant.batch import BatchFileError
from assistant.cli_ask import (
    add_ask_arguments,
    add_backend_argument,
    add_bench_arguments,
    run_ask,
    run_bench,
    run_chat,
)
from assistant.cli_conversations import add_conversation_arguments, run_conversations
from assistant.conversations import ConversationStoreError
from clinical.profile import ProfileError, load_profile
from clinical.rules import RuleDataError, recommend
from clinical.rules.render import render
from corpus.errors import CorpusError, IndexUnavailable

USAGE_ERROR = 2
BROKEN_PIPE = 128 + 13  # 128 + SIGPIPE
USER_ERRORS: tuple[type[Exception], ...] = (
    BatchFileError,
    ProfileError,
    RuleDataError,
    BackendError,
    CorpusError,
    IndexUnavailable,
    ConversationStoreError,
)


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


def _recommend_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("profile", type=Path, help="patient profile JSON file")
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")


def _run_recommend(args: argparse.Namespace) -> int:
    profile = load_profile(args.profile)
    recommendation = recommend(profile)
    if args.json:
        payload = {
            "profile": profile.model_dump(mode="json"),
            **recommendation.model_dump(mode="json"),
        }
        print(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        print(render(recommendation))
    return 0


COMMANDS: list[Command] = [
    Command(
        name="recommend",
        help="regimen selection for a patient profile, from the rule core",
        add_arguments=_recommend_arguments,
        run=_run_recommend,
    ),
    Command(
        name="ask",
        help="answer one question (or a JSONL batch) with citations",
        add_arguments=add_ask_arguments,
        run=run_ask,
    ),
    Command(
        name="chat",
        help="interactive conversation; follow-ups keep the patient profile",
        add_arguments=add_backend_argument,
        run=run_chat,
    ),
    Command(
        name="bench",
        help="cold start and warm per-answer latency p50/p95 over a fixed question set",
        add_arguments=add_bench_arguments,
        run=run_bench,
    ),
    Command(
        name="conversations",
        help="stored conversations: purge expired ones now, delete one, count them",
        add_arguments=add_conversation_arguments,
        run=run_conversations,
    ),
]


def build_parser(commands: Sequence[Command] = COMMANDS) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m assistant",
        description="Cited decision support for systemic treatment of unresectable HCC.",
    )
    subparsers = parser.add_subparsers(dest="command_name", required=True, metavar="COMMAND")
    for command in commands:
        subparser = subparsers.add_parser(command.name, help=command.help)
        command.add_arguments(subparser)
        subparser.set_defaults(run=command.run)
    return parser


def _quiet_broken_pipe() -> int:
    """The reader went away (`ask ... | head -1`): stop without a traceback, like other tools.

    Python would try to flush stdout again at exit and print a second error, so stdout is
    pointed at /dev/null first. The exit code is the shell's for a process ended by SIGPIPE.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return BROKEN_PIPE


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except USER_ERRORS as error:
        print(f"error: {error}", file=sys.stderr)
        return USAGE_ERROR
    except BrokenPipeError:
        return _quiet_broken_pipe()
