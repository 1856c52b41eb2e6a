"""The condition language of the rule tables, with three-valued (Kleene) logic.

A condition is YAML a clinician can read:

    {field: child_pugh_class, in: [A, unknown]}     the fact is one of these ("unknown" matches
                                                     a fact the profile does not give)
    {field: ecog, equals: 2}                         also: at_most, below, at_least, above,
                                                     between: [low, high] (inclusive)
    {field: egd_done, is_unknown: true}
    {field: prior_regimens, contains: sorafenib}     a regimen in the patient's history
    {field: last_prior_regimen, in_group: stride}    a regimen group defined in vocabulary.yaml
    {all: [...]}, {any: [...]}, {not: {...}}
    {condition: high_tumour_burden}                  a named condition from vocabulary.yaml
    {undetermined: {...}}                            the profile cannot decide the inner condition

Evaluation returns True, False or None (cannot be decided from the profile). A rule fires only on
True; a criterion reports met / not met / unknown from the same three values.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from clinical.rules.facts import FACT_SPECS, UNKNOWN, Facts, FactSpec

Truth = bool | None


class RuleDataError(ValueError):
    """A rule table that cannot be used as written; the message names the rule and the problem."""


@dataclass(frozen=True)
class FieldTest:
    field: str
    op: str
    operand: Any


@dataclass(frozen=True)
class AllOf:
    items: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    items: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    item: Condition


@dataclass(frozen=True)
class Named:
    name: str


@dataclass(frozen=True)
class Undetermined:
    item: Condition


Condition = FieldTest | AllOf | AnyOf | Not | Named | Undetermined
ALWAYS: Condition = AllOf(())

_NUMERIC_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "at_most": lambda value, bound: value <= bound,
    "below": lambda value, bound: value < bound,
    "at_least": lambda value, bound: value >= bound,
    "above": lambda value, bound: value > bound,
    "between": lambda value, bounds: bounds[0] <= value <= bounds[1],
}
_OPS_BY_KIND: dict[str, frozenset[str]] = {
    "choice": frozenset({"equals", "in"}),
    "finding": frozenset({"equals", "in"}),
    "number": frozenset({"equals", "in", *_NUMERIC_OPS}),
    "regimen": frozenset({"equals", "in", "in_group"}),
    "regimens": frozenset({"contains"}),
}


@dataclass(frozen=True)
class Vocabulary:
    """What conditions may refer to besides facts: named conditions, regimen groups, regimens."""

    named: Mapping[str, Condition]
    groups: Mapping[str, frozenset[str]]
    regimens: frozenset[str]


def _check_value(spec: FactSpec, value: Any, vocabulary: Vocabulary, field: str) -> None:
    if value == UNKNOWN:
        return
    ok = {
        "choice": isinstance(value, str) and value in spec.choices,
        "finding": isinstance(value, bool),
        "number": isinstance(value, int | float) and not isinstance(value, bool),
        "regimen": value in vocabulary.regimens,
        "regimens": value in vocabulary.regimens,
    }[spec.kind]
    if not ok:
        allowed = sorted(spec.choices) if spec.kind == "choice" else spec.kind
        raise RuleDataError(f"{field}: {value!r} is not a valid value (expected {allowed})")


def _parse_field_test(raw: Mapping[str, Any], vocabulary: Vocabulary) -> FieldTest:
    field = raw["field"]
    spec = FACT_SPECS.get(field)
    if spec is None:
        raise RuleDataError(f"unknown field {field!r}")
    ops = [key for key in raw if key != "field"]
    if len(ops) != 1:
        raise RuleDataError(f"{field}: give exactly one test, got {ops}")
    op, operand = ops[0], raw[ops[0]]
    if op == "is_unknown":
        if not isinstance(operand, bool):
            raise RuleDataError(f"{field}: is_unknown takes true or false")
        return FieldTest(field, op, operand)
    if op not in _OPS_BY_KIND[spec.kind]:
        raise RuleDataError(f"{field}: test {op!r} does not apply to a {spec.kind} fact")
    if op == "in_group":
        if operand not in vocabulary.groups:
            raise RuleDataError(f"{field}: unknown regimen group {operand!r}")
        return FieldTest(field, op, operand)
    if op == "in":
        if not isinstance(operand, list) or not operand:
            raise RuleDataError(f"{field}: 'in' takes a non-empty list")
        for value in operand:
            _check_value(spec, value, vocabulary, field)
        return FieldTest(field, op, tuple(operand))
    if op == "between":
        if not (isinstance(operand, list) and len(operand) == 2):
            raise RuleDataError(f"{field}: 'between' takes [low, high]")
        for value in operand:
            _check_value(spec, value, vocabulary, field)
        return FieldTest(field, op, tuple(operand))
    _check_value(spec, operand, vocabulary, field)
    if op in _NUMERIC_OPS and operand == UNKNOWN:
        raise RuleDataError(f"{field}: {op} needs a number")
    return FieldTest(field, op, operand)


def parse_condition(raw: Any, vocabulary: Vocabulary) -> Condition:
    """Turn the YAML form into a condition tree, rejecting unknown fields, values and names."""
    if raw is None:
        return ALWAYS
    if not isinstance(raw, Mapping):
        raise RuleDataError(f"a condition must be a mapping, got {raw!r}")
    if "field" in raw:
        return _parse_field_test(raw, vocabulary)
    if len(raw) != 1:
        raise RuleDataError(f"a condition has one key (all/any/not/...), got {sorted(raw)}")
    ((key, value),) = raw.items()
    if key in ("all", "any"):
        if not isinstance(value, list):
            raise RuleDataError(f"'{key}' takes a list of conditions")
        items = tuple(parse_condition(item, vocabulary) for item in value)
        return AllOf(items) if key == "all" else AnyOf(items)
    if key == "not":
        return Not(parse_condition(value, vocabulary))
    if key == "undetermined":
        return Undetermined(parse_condition(value, vocabulary))
    if key == "condition":
        if value not in vocabulary.named:
            raise RuleDataError(f"unknown named condition {value!r}")
        return Named(value)
    raise RuleDataError(f"unknown condition key {key!r}")


def _test(test: FieldTest, facts: Facts, vocabulary: Vocabulary) -> Truth:
    value = facts.get(test.field)
    if test.op == "is_unknown":
        return (value is None) is test.operand
    if test.op == "contains":
        return isinstance(value, tuple) and test.operand in value
    if value is None:
        # "in: [A, unknown]" deliberately includes the unknown case; any other test cannot decide.
        if test.op in ("equals", "in"):
            listed = test.operand if test.op == "in" else (test.operand,)
            return True if UNKNOWN in listed else None
        return None
    if test.op == "equals":
        return bool(value == test.operand)
    if test.op == "in":
        return value in test.operand
    if test.op == "in_group":
        return value in vocabulary.groups[test.operand]
    return _NUMERIC_OPS[test.op](value, test.operand)


def evaluate(condition: Condition, facts: Facts, vocabulary: Vocabulary) -> Truth:
    """True, False, or None when the profile leaves the answer open."""
    if isinstance(condition, FieldTest):
        return _test(condition, facts, vocabulary)
    if isinstance(condition, AllOf):
        results = [evaluate(item, facts, vocabulary) for item in condition.items]
        if False in results:
            return False
        return None if None in results else True
    if isinstance(condition, AnyOf):
        results = [evaluate(item, facts, vocabulary) for item in condition.items]
        if True in results:
            return True
        return None if None in results else False
    if isinstance(condition, Not):
        inner = evaluate(condition.item, facts, vocabulary)
        return None if inner is None else not inner
    if isinstance(condition, Undetermined):
        return evaluate(condition.item, facts, vocabulary) is None
    return evaluate(vocabulary.named[condition.name], facts, vocabulary)


def fields_of(condition: Condition, vocabulary: Vocabulary) -> Iterable[str]:
    """The facts a condition reads, named conditions expanded, in order of first use."""
    seen: dict[str, None] = {}
    stack: list[Condition] = [condition]
    while stack:
        node = stack.pop(0)
        if isinstance(node, FieldTest):
            seen.setdefault(node.field)
        elif isinstance(node, AllOf | AnyOf):
            stack[:0] = node.items
        elif isinstance(node, Not | Undetermined):
            stack.insert(0, node.item)
        else:
            stack.insert(0, vocabulary.named[node.name])
    return tuple(seen)
