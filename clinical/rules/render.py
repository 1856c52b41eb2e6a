"""Plain-text rendering of a recommendation, for the terminal."""

from __future__ import annotations

from collections.abc import Iterable

from clinical.rules.output import (
    AvoidedOption,
    KeyFigure,
    LocoregionalChoice,
    Recommendation,
    RecommendedOption,
    ResectabilityAssessment,
    TrialCitation,
)

_TITLES = {"first_line": "First-line systemic options", "later_line": "Later-line options"}
_STATUS = {"met": "met", "not_met": "NOT met", "unknown": "unknown"}


def _refs(refs: Iterable[int]) -> str:
    numbers = [str(ref) for ref in refs]
    if not numbers:
        return "no reference cited"
    return ("ref " if len(numbers) == 1 else "refs ") + ", ".join(numbers)


def _printed(figure: KeyFigure) -> str:
    text = (figure.text or "").replace("$", "")
    if figure.value is None:
        return text
    if figure.unit == "%" and "%" not in text:
        return f"{text}%"
    if figure.unit == "months" and "month" not in text:
        return f"{text} months"
    return text


def _figure(figure: KeyFigure) -> str:
    who = figure.arm_label or figure.arm
    if figure.versus:
        who += f" vs {figure.versus}"
    if figure.population:
        who += f", {figure.population}"
    return f"{figure.metric} {_printed(figure)} ({figure.trial_name}: {who}; {figure.source})"


def _figures(figures: tuple[KeyFigure, ...], indent: str) -> list[str]:
    found = [figure for figure in figures if figure.found]
    lines = [f"{indent}Key figures:"] if found else []
    lines += [f"{indent}  {_figure(figure)}" for figure in found]
    missing = [f"{f.trial_name} {f.arm} {f.metric}" for f in figures if not f.found]
    if missing:
        lines.append(f"{indent}Not in the trial records: " + ", ".join(missing))
    return lines


def _trials(trials: Iterable[TrialCitation]) -> str:
    return ", ".join(t.name if t.in_records else f"{t.name} (no trial record)" for t in trials)


def _option(option: RecommendedOption) -> list[str]:
    lines = [f"  {option.rank}. {option.name}  [{option.certainty.value}]"]
    lines += [f"     Why: {reason}" for reason in option.rationale]
    lines.append(f"     Evidence: {_trials(option.trials) or 'none'}; {_refs(option.refs)}")
    lines += _figures(option.key_figures, "     ")
    if option.checks:
        lines.append("     Check first: " + ", ".join(option.checks))
    lines += [f"     Region: {note}" for note in option.regional_notes]
    return lines


def _avoid(entry: AvoidedOption) -> list[str]:
    trials = f"{_trials(entry.trials)}; " if entry.trials else ""
    lines = [f"  - {entry.name}: {entry.reason} ({trials}{_refs(entry.refs)})"]
    return lines + _figures(entry.key_figures, "    ")


def _resectability(assessment: ResectabilityAssessment) -> list[str]:
    lines = ["Potential resectability:"]
    for result in assessment.criteria_sets:
        applies = {True: "", False: " (does not apply)", None: " (applicability unknown)"}
        lines.append(f"  {result.name}: {_STATUS[result.overall]}{applies[result.applicable]}")
        lines += [f"    - {c.text}: {_STATUS[c.status]}" for c in result.criteria]
    lines += [f"  Note: {note.text}" for note in assessment.notes]
    return lines


def _locoregional(choice: LocoregionalChoice) -> list[str]:
    lines = ["Locoregional therapy (TACE / HAIC / SBRT):"]
    for option in choice.options:
        lines.append(f"  {option.rank}. {option.name} [{option.certainty.value}]")
        lines += [f"     Why: {reason}" for reason in option.rationale]
    lines += [line for entry in choice.avoid for line in _avoid(entry)]
    if choice.outside_review:
        lines.append(f"  {choice.outside_review}")
    return lines


def render(recommendation: Recommendation) -> str:
    """The recommendation as readable text: options, avoid list, checks, notes, sources."""
    r = recommendation
    lines = [_TITLES[r.setting], ""]
    if r.recommended:
        lines.append("Recommended (most preferred first):")
        for option in r.recommended:
            lines += _option(option)
    if r.outside_review:
        lines.append(f"Outside the review: {r.outside_review}")
    if r.avoid:
        lines += ["", "Avoid:"] + [line for entry in r.avoid for line in _avoid(entry)]
    if r.checks:
        lines += ["", "Check before starting:"]
        lines += [f"  - [{check.id}] {check.text} ({_refs(check.refs)})" for check in r.checks]
    if r.regional_notes:
        lines += ["", "Regional notes:"]
        lines += [f"  - {note.regimen}: {note.text}" for note in r.regional_notes]
    if r.notes:
        lines += ["", "Notes:"] + [f"  - {note.text} ({_refs(note.refs)})" for note in r.notes]
    if r.resectability:
        lines += ["", *_resectability(r.resectability)]
    if r.locoregional:
        lines += ["", *_locoregional(r.locoregional)]
    lines += ["", "Rules fired: " + ", ".join(r.rules_fired), "", r.disclaimer]
    return "\n".join(lines)
