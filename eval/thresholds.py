"""The release bar (`thresholds.yaml`), and which measures of a run fall below it."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

from eval.metrics import Metrics

THRESHOLDS_PATH = Path(__file__).resolve().parent / "thresholds.yaml"
Share = float


class Thresholds(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    accuracy: dict[str, Share] = Field(default_factory=dict)  # per category, or "overall"
    numeric_fidelity: Share | None = None
    regimen_agreement: Share | None = None
    refusal_precision: Share | None = None
    refusal_recall: Share | None = None
    citation_recall: Share | None = None
    citation_precision: Share | None = None
    retrieval_recall_at_k: Share | None = None


def load_thresholds(path: Path = THRESHOLDS_PATH) -> Thresholds:
    return Thresholds.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")) or {})


def shortfalls(metrics: Metrics, bar: Thresholds) -> list[str]:
    """One line per measure below its threshold; empty when the run clears the bar."""
    measured: dict[str, float | None] = {
        f"accuracy[{category}]": (
            metrics.accuracy[category].share if category in metrics.accuracy else None
        )
        for category in bar.accuracy
    }
    measured |= {
        "numeric_fidelity": metrics.numeric_fidelity.share,
        "regimen_agreement": metrics.regimen_agreement.share,
        "refusal_precision": metrics.refusals.precision.share,
        "refusal_recall": metrics.refusals.recall.share,
        "citation_recall": metrics.citations.recall.share,
        "citation_precision": metrics.citations.precision.share,
        "retrieval_recall_at_k": metrics.retrieval.recall_at_k if metrics.retrieval else None,
    }
    wanted = {f"accuracy[{c}]": share for c, share in bar.accuracy.items()}
    wanted |= {name: getattr(bar, name) for name in measured if not name.startswith("accuracy[")}
    problems = []
    for name, minimum in wanted.items():
        if minimum is None:
            continue
        value = measured[name]
        if value is None:
            problems.append(f"{name}: not measured (threshold {minimum:.0%})")
        elif value < minimum:
            problems.append(f"{name}: {value:.1%} is below {minimum:.0%}")
    return problems
