"""Load the rule data once and check it against the profile's facts and the regimen catalogue.

A typo in a table (an unknown field, value, regimen, group or named condition) stops loading with
a message naming the file and the rule, so an amended table is either valid or not used at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, TypeVar, get_args

import yaml
from pydantic import BaseModel, ValidationError

from clinical.rules.conditions import Condition, RuleDataError, Vocabulary, parse_condition
from clinical.rules.evidence import figure_problems, metrics_of
from clinical.rules.schema import (
    CriteriaSet,
    Criterion,
    FigureRef,
    InvariantKey,
    ResectabilityFile,
    Rule,
    RuleTable,
    SafetyFile,
    VocabularyFile,
)
from corpus.regimens import Catalogue, load_catalogue
from corpus.yamlio import load_yaml

DATA_DIR = Path(__file__).resolve().parent / "data"
TABLES = ("common", "first_line", "later_line", "locoregional")
# Options of these tables are systemic and must each rest on at least one trial.
TABLES_REQUIRING_TRIALS = frozenset({"common", "first_line", "later_line"})

# Named conditions the engine itself evaluates: the STRIDE safety invariant shares the tables'
# definition of a large tumour burden.
HIGH_TUMOUR_BURDEN = "high_tumour_burden"
REQUIRED_CONDITIONS = (HIGH_TUMOUR_BURDEN,)

_Model = TypeVar("_Model", bound=BaseModel)


@dataclass(frozen=True)
class ParsedRule:
    rule: Rule
    when: Condition
    table: str


@dataclass(frozen=True)
class ParsedCriteriaSet:
    spec: CriteriaSet
    applies_when: Condition
    criteria: tuple[tuple[Criterion, Condition], ...]


@dataclass(frozen=True)
class RuleBook:
    vocabulary: Vocabulary
    vocabulary_file: VocabularyFile
    tables: Mapping[str, tuple[ParsedRule, ...]]
    criteria_sets: tuple[ParsedCriteriaSet, ...]
    resectability: ResectabilityFile
    safety: SafetyFile
    catalogue: Catalogue

    @property
    def metric_sets(self) -> Mapping[str, tuple[str, ...]]:
        return self.vocabulary_file.metric_sets

    def all_rules(self) -> tuple[ParsedRule, ...]:
        return tuple(rule for name in TABLES for rule in self.tables[name])


def _read(path: Path, model: type[_Model]) -> _Model:
    try:
        raw = load_yaml(path)
        return model.model_validate(raw)
    except (OSError, yaml.YAMLError) as error:
        raise RuleDataError(f"{path.name}: cannot read: {error}") from None
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise RuleDataError(f"{path.name}: {where}: {first['msg']}") from None


def _parse(raw: Any, vocabulary: Vocabulary, where: str) -> Condition:
    try:
        return parse_condition(raw, vocabulary)
    except RuleDataError as error:
        raise RuleDataError(f"{where}: {error}") from None


def _build_vocabulary(vocab: VocabularyFile, catalogue: Catalogue) -> Vocabulary:
    regimens = frozenset(catalogue.regimens)
    for group, members in vocab.groups.items():
        unknown = sorted(set(members) - regimens)
        if unknown:
            raise RuleDataError(f"vocabulary.yaml: group {group}: unknown regimens {unknown}")
    groups = {name: frozenset(members) for name, members in vocab.groups.items()}
    named: dict[str, Condition] = {}
    vocabulary = Vocabulary(named, groups, regimens)
    for name, entry in vocab.conditions.items():  # later conditions may use earlier ones
        named[name] = _parse(entry.when, vocabulary, f"vocabulary.yaml: condition {name}")
    return vocabulary


def _check_figures(
    figures: Iterable[FigureRef], metric_sets: Mapping[str, tuple[str, ...]], where: str
) -> None:
    for figure in figures:
        if isinstance(figure.metrics, str) and figure.metrics not in metric_sets:
            raise RuleDataError(f"{where}: unknown metric set {figure.metrics!r}")
        for problem in figure_problems(figure, metrics_of(figure, metric_sets)):
            raise RuleDataError(f"{where}: {problem}")


def _check_rule(rule: Rule, table: str, book_regimens: frozenset[str], classes: set[str]) -> None:
    where = f"{table}.yaml: rule {rule.id}"
    named_regimens = [
        *(effect.regimen for effect in rule.recommend),
        *(effect.regimen for effect in rule.avoid),
        *(note.regimen for note in rule.regional_notes),
        *(regimen for check in rule.checks for regimen in check.applies_to),
    ]
    unknown = sorted(set(named_regimens) - book_regimens)
    if unknown:
        raise RuleDataError(f"{where}: unknown regimens {unknown}")
    unknown_classes = sorted({c for check in rule.checks for c in check.applies_to_class} - classes)
    if unknown_classes:
        raise RuleDataError(f"{where}: unknown drug classes {unknown_classes}")
    if rule.recommend and table in TABLES_REQUIRING_TRIALS and not rule.trials:
        raise RuleDataError(f"{where}: recommends a regimen without citing a trial")
    effects = (rule.recommend, rule.avoid, rule.checks, rule.regional_notes, rule.notes)
    if not any(effects) and not (rule.outside_review or rule.set_certainty or rule.assess):
        raise RuleDataError(f"{where}: has no effect")


def _load_tables(
    data_dir: Path, vocab: VocabularyFile, vocabulary: Vocabulary, catalogue: Catalogue
) -> dict[str, tuple[ParsedRule, ...]]:
    classes = {c for agent in catalogue.agents.values() for c in agent.classes}
    seen: set[str] = set()
    tables: dict[str, tuple[ParsedRule, ...]] = {}
    for name in TABLES:
        table = _read(data_dir / f"{name}.yaml", RuleTable)
        parsed = []
        for rule in table.rules:
            if rule.id in seen:
                raise RuleDataError(f"{name}.yaml: duplicate rule id {rule.id}")
            seen.add(rule.id)
            _check_rule(rule, name, vocabulary.regimens, classes)
            figures = [
                *(f for effect in rule.recommend for f in effect.figures),
                *(f for effect in rule.avoid for f in effect.figures),
            ]
            _check_figures(figures, vocab.metric_sets, f"{name}.yaml: rule {rule.id}")
            when = _parse(rule.when, vocabulary, f"{name}.yaml: rule {rule.id}")
            parsed.append(ParsedRule(rule, when, name))
        tables[name] = tuple(parsed)
    return tables


def _load_criteria(
    resectability: ResectabilityFile, vocab: VocabularyFile, vocabulary: Vocabulary
) -> tuple[ParsedCriteriaSet, ...]:
    sets = []
    for spec in resectability.criteria_sets:
        where = f"resectability.yaml: {spec.id}"
        _check_figures(spec.figures, vocab.metric_sets, where)
        if spec.regimen not in vocabulary.regimens:
            raise RuleDataError(f"{where}: unknown regimen {spec.regimen}")
        criteria = tuple(
            (criterion, _parse(criterion.when, vocabulary, f"{where}.{criterion.id}"))
            for criterion in spec.criteria
        )
        sets.append(ParsedCriteriaSet(spec, _parse(spec.applies_when, vocabulary, where), criteria))
    return tuple(sets)


@cache
def load_rulebook(data_dir: Path = DATA_DIR) -> RuleBook:
    """The validated rule data (cached: the files are read once per process)."""
    catalogue = load_catalogue()
    vocabulary_file = _read(data_dir / "vocabulary.yaml", VocabularyFile)
    vocabulary = _build_vocabulary(vocabulary_file, catalogue)
    resectability = _read(data_dir / "resectability.yaml", ResectabilityFile)
    safety = _read(data_dir / "safety.yaml", SafetyFile)
    missing = sorted(set(get_args(InvariantKey)) - set(safety.invariants))
    if missing:
        raise RuleDataError(f"safety.yaml: invariants {missing} have no wording")
    for name in REQUIRED_CONDITIONS:
        if name not in vocabulary.named:
            raise RuleDataError(f"vocabulary.yaml: the engine needs condition {name!r}")
    return RuleBook(
        vocabulary=vocabulary,
        vocabulary_file=vocabulary_file,
        tables=_load_tables(data_dir, vocabulary_file, vocabulary, catalogue),
        criteria_sets=_load_criteria(resectability, vocabulary_file, vocabulary),
        resectability=resectability,
        safety=safety,
        catalogue=catalogue,
    )
