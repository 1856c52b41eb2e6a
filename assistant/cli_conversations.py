"""`python -m assistant conversations purge|delete|count`: upkeep of the stored conversations.

It reads the same settings as the server (HCC_CONVERSATIONS_*), so it works on the store the
replicas share. The server purges expired conversations every hour by itself; `purge` does it
now, `delete` forgets one conversation, `count` says how many are kept.
"""

from __future__ import annotations

import argparse
import sys

from assistant.conversations import open_store
from assistant.settings import AssistantSettings


def add_conversation_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    purge = actions.add_parser("purge", help="delete conversations idle longer than the retention")
    purge.add_argument(
        "--older-than-days",
        type=float,
        help="override HCC_CONVERSATIONS_RETENTION_DAYS (0 deletes every conversation)",
    )
    delete = actions.add_parser("delete", help="delete one conversation now")
    delete.add_argument("thread", help="the conversation's thread id")
    actions.add_parser("count", help="how many conversations are stored, and where")


def run_conversations(args: argparse.Namespace) -> int:
    settings = AssistantSettings()
    store = open_store(settings.conversations, settings.index.data_dir, fallback=False)
    try:
        if args.action == "delete":
            store.delete(args.thread)
            print(f"deleted conversation {args.thread} from {store.describe()}")
        elif args.action == "count":
            print(f"{len(store.thread_ids())} conversations in {store.describe()}")
        else:
            days = args.older_than_days
            if days is None:
                days = settings.conversations.retention_days
                if days == 0:
                    print(
                        "retention is off (HCC_CONVERSATIONS_RETENTION_DAYS=0); "
                        "pass --older-than-days to purge anyway",
                        file=sys.stderr,
                    )
                    return 2
            if days < 0:
                print("error: --older-than-days cannot be negative", file=sys.stderr)
                return 2
            report = store.purge(days)
            print(
                f"deleted {report.deleted} of {report.examined} conversations idle since before "
                f"{report.cutoff:%Y-%m-%d %H:%M} UTC ({store.describe()})"
            )
    finally:
        store.close()
    return 0
