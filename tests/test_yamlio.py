"""The data files read through libyaml's C parser give what PyYAML's safe loader gives."""

from __future__ import annotations

from pathlib import Path

import yaml

from corpus.yamlio import SafeLoader, load_yaml

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("assistant", "clinical", "corpus", "guardrails", "ui", "api")


def test_every_data_file_reads_the_same_with_either_parser() -> None:
    files = [p for package in PACKAGES for p in (ROOT / package).rglob("*.yaml")]
    assert len(files) > 10
    for path in files:
        assert load_yaml(path) == yaml.safe_load(path.read_text(encoding="utf-8")), path


def test_the_c_parser_is_used_where_pyyaml_has_it() -> None:
    assert SafeLoader is getattr(yaml, "CSafeLoader", yaml.SafeLoader)
