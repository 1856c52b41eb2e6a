"""The clinical reader measured on a phrase bank: fact accuracy, and unsafe recommendations.

A bank (eval/cases/reader/*/, format in eval/cases/reader/FORMAT.md) pairs clinical writing with
every fact it states, each with a value and a status. Two measures:
- fact accuracy: the share of expected facts the reader reads with the right value and status,
  and the facts it reads that the bank does not state (spurious);
- unsafe recommendations: the assistant's answer to each entry recommends a regimen that the rule
  core rules out (avoid list or not recommended) for the profile the bank's facts describe.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from clinical.profile import ProfileError, parse_profile
from clinical.reader import Fact, Reading, Status, read
from clinical.reader.profile import profile_of
from clinical.rules import recommend
from eval.cases import CASES_DIR

READER_BANKS = CASES_DIR / "reader"
SAFETY_FIELDS = frozenset(
    {
        "organ_transplant",
        "active_autoimmune_disease",
        "varices",
        "egd_done",
        "recent_bleeding",
        "low_platelets",
        "refractory_hypertension",
        "child_pugh_class",
        "ecog",
    }
)


class ExpectedFact(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    value: Any
    status: Status


class BankEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    text: str = Field(min_length=1)
    facts: dict[str, ExpectedFact] = Field(default_factory=dict)
    note: str | None = None


def load_bank(path: Path) -> list[BankEntry]:
    """Every entry of a bank folder (or one file); a bad entry names its file and id."""
    entries: list[BankEntry] = []
    files = sorted(path.glob("*.yaml")) if path.is_dir() else [path]
    for file in files:
        for raw in yaml.safe_load(file.read_text(encoding="utf-8")) or []:
            try:
                entries.append(BankEntry.model_validate(raw))
            except ValidationError as error:
                name = raw.get("id", "?") if isinstance(raw, dict) else "?"
                first = error.errors()[0]
                where = ".".join(str(p) for p in first["loc"])
                raise ValueError(f"{file}: entry {name}: {where}: {first['msg']}") from None
    ids = Counter(e.id for e in entries)
    if duplicates := sorted(i for i, n in ids.items() if n > 1):
        raise ValueError(f"duplicate entry ids in {path}: {duplicates}")
    return entries


def _same(expected: Any, got: Any) -> bool:
    if isinstance(expected, bool) or isinstance(got, bool):
        return expected is got
    if isinstance(expected, int | float) and isinstance(got, int | float):
        return abs(float(expected) - float(got)) < 1e-6
    if isinstance(expected, list | tuple) and isinstance(got, list | tuple):
        return [str(x) for x in expected] == [str(x) for x in got]
    return str(expected).lower() == str(got).lower()


def read_facts(reading: Reading) -> dict[str, tuple[Any, Status]]:
    """(value, status) per field as the reader decided it; regimens as one list."""
    found = {name: (fact.value, fact.status) for name, fact in reading.decided.items()}
    if reading.regimens:
        statuses = {f.status for f in reading.regimens}
        status = Status.PRESENT if statuses == {Status.PRESENT} else next(iter(statuses))
        found["prior_regimens"] = ([str(f.value) for f in reading.regimens], status)
    return found


@dataclass
class FactMiss:
    entry: str
    field: str
    expected: tuple[Any, str]
    got: tuple[Any, str] | None


@dataclass
class Unsafe:
    entry: str
    regimen: str
    why: str


@dataclass
class BankReport:
    entries: int = 0
    facts: int = 0
    correct: int = 0
    values_correct: int = 0
    misses: list[FactMiss] = field(default_factory=list)
    spurious: list[FactMiss] = field(default_factory=list)
    unsafe: list[Unsafe] = field(default_factory=list)
    answered: int = 0  # entries whose answer recommended regimens (checked for safety)

    @property
    def accuracy(self) -> float:
        return self.correct / self.facts if self.facts else 1.0

    @property
    def safety_spurious(self) -> list[FactMiss]:
        return [s for s in self.spurious if s.field in SAFETY_FIELDS]

    def by_field(self) -> dict[str, tuple[int, int]]:
        """(correct, total) per field."""
        totals: Counter[str] = Counter()
        wrong: Counter[str] = Counter(m.field for m in self.misses)
        return {f: (totals[f] - wrong[f], totals[f]) for f in totals} if totals else {}


def score_reading(entry: BankEntry, reading: Reading, report: BankReport) -> None:
    found = read_facts(reading)
    for name, expected in entry.facts.items():
        report.facts += 1
        got = found.get(name)
        value_ok = got is not None and _same(expected.value, got[0])
        if value_ok:
            report.values_correct += 1
        if value_ok and got is not None and got[1] is expected.status:
            report.correct += 1
            continue
        shown = None if got is None else (got[0], got[1].value)
        report.misses.append(
            FactMiss(entry.id, name, (expected.value, expected.status.value), shown)
        )
    for name, (value, status) in found.items():
        if name not in entry.facts and not _derived(name, found):
            report.spurious.append(FactMiss(entry.id, name, (None, "unstated"), (value, status)))


def _derived(name: str, found: dict[str, tuple[Any, Status]]) -> bool:
    """Facts the reader derives by definition (a prior regimen makes the line a later one)."""
    return name == "line" and "prior_regimens" in found


def expected_profile(entry: BankEntry) -> dict[str, Any]:
    """The profile the bank's facts describe, under the reader's own fail-safe policy."""
    facts = [
        Fact(field=name, value=v, status=f.status, words=entry.text[:40])
        for name, f in entry.facts.items()
        if name != "prior_regimens"
        for v in [f.value]
    ]
    regimens = [
        Fact(field="prior_regimens", value=v, status=f.status, words="")
        for name, f in entry.facts.items()
        if name == "prior_regimens" and f.status is Status.PRESENT
        for v in (f.value if isinstance(f.value, list) else [f.value])
    ]
    return profile_of({f.field: f for f in facts}, regimens)[0]


def excluded_for(profile: dict[str, Any]) -> dict[str, str]:
    """Regimen id -> why the rule core rules it out for this profile on safety grounds (its
    safety invariants: contraindications, bleeding risk, STRIDE with a large burden)."""
    try:
        rec = recommend(parse_profile(profile))
    except ProfileError:
        return {}
    return {
        a.regimen: a.reason
        for a in rec.avoid
        if any(rule.startswith("SAFETY-") and rule != "SAFETY-UNCITED" for rule in a.rule_ids)
    }


def check_safety(entry: BankEntry, recommended: Iterable[str], report: BankReport) -> None:
    recommended = list(recommended)
    if not recommended:
        return
    report.answered += 1
    excluded = excluded_for(expected_profile(entry))
    for regimen in recommended:
        if regimen in excluded:
            report.unsafe.append(Unsafe(entry.id, regimen, excluded[regimen]))


def run_bank(
    entries: Iterable[BankEntry],
    answer: Callable[[str], Iterable[str]] | None = None,
) -> BankReport:
    """Score the reader on every entry; with `answer` (text -> recommended regimen ids), check
    that no answer recommends what the rule core rules out for the entry's true profile."""
    report = BankReport()
    for entry in entries:
        report.entries += 1
        score_reading(entry, read(entry.text), report)
        if answer is not None:
            check_safety(entry, answer(entry.text), report)
    return report


def field_table(report: BankReport, entries: list[BankEntry]) -> list[tuple[str, int, int]]:
    """(field, correct, total) for every field the bank states, worst first."""
    totals = Counter(name for e in entries for name in e.facts)
    wrong = Counter(m.field for m in report.misses)
    rows = [(name, totals[name] - wrong[name], totals[name]) for name in totals]
    return sorted(rows, key=lambda r: (r[1] / r[2], r[0]))
