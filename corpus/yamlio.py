"""YAML data files read with libyaml's C parser when PyYAML has it (the same safe subset).

The pure-Python parser takes ~0.3 s for the trial records alone, a fifth of a cold answer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

SafeLoader: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(path: Path) -> Any:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=SafeLoader)
