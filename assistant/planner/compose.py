"""The details of the planner's answer, section by section, from tool results only.

Every number and name in the answer is copied from a tool artifact (the rule core's output, the
trial records, or a passage of the review); inline citations read "[IMbrave150; refs 19–21]" and
the answer ends with the references it used and the decision-support disclaimer.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from corpus.names import fold
from corpus.sentences import best_sentences
from corpus.sources import reference_line
from corpus.trials import METRIC_LABELS as RECORD_LABELS
from corpus.trials import Metric
from guardrails.messages import DISCLAIMER

METRIC_LABELS = {
    "mOS": "median OS",
    "OS_HR": "OS HR",
    "mPFS": "median PFS",
    "PFS_HR": "PFS HR",
    "ORR": "ORR",
    "DCR": "DCR",
    "PD_rate": "PD rate",
    "grade3_TRAE": "grade ≥3 TRAEs",
    "grade3_TEAE": "grade ≥3 TEAEs",
    "n": "patients",
    "dose": "dose",
    "treatment_related_death": "treatment-related deaths",
    "high_dose_steroids": "high-dose steroids",
    "ADA_rate": "anti-drug antibodies",
}
NO_DOSE = (
    "The review reports no dose or dose modification for {name}: dosing is outside its "
    "scope, so follow the product label."
)
# Safety figures a rule attaches (deaths, steroid need) are shown too: they carry its caution.
KEY_METRICS = (
    "mOS",
    "OS_HR",
    "mPFS",
    "ORR",
    "PD_rate",
    "grade3_TRAE",
    "treatment_related_death",
    "high_dose_steroids",
)
DETAILED_OPTIONS = 3  # options shown with rationale and figures; the rest are listed briefly
MAX_SENTENCES = 3  # of the review, quoted for a why or what-does-the-review-say question


def refs_text(refs: Iterable[int]) -> str:
    """ "ref 24", "refs 19–21", "refs 2, 9, 10, 14, 19–21"."""
    numbers = sorted(set(refs))
    if not numbers:
        return ""
    runs: list[list[int]] = []
    for number in numbers:
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    parts = [f"{r[0]}–{r[-1]}" if len(r) > 2 else ", ".join(map(str, r)) for r in runs]
    return ("ref " if len(numbers) == 1 else "refs ") + ", ".join(parts)


class Composer:
    """Accumulates the answer's sections and the references they cite."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.cited: set[int] = set()

    def cite(self, names: Iterable[str], refs: Iterable[int]) -> str:
        refs = list(refs)
        self.cited.update(refs)
        label = "; ".join(filter(None, [", ".join(dict.fromkeys(names)), refs_text(refs)]))
        return f"[{label}]" if label else ""

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)

    def finish(self, disclaimer: bool = True) -> str:
        body = list(self.lines)
        if self.cited:
            body += ["", "**References**"]
            body += [_short(reference_line(n)) for n in sorted(self.cited)]
        if disclaimer:
            body += ["", DISCLAIMER]
        return "\n".join(body).strip()


def _short(line: str, limit: int = 160) -> str:
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def figure_text(text: str, unit: str | None) -> str:
    text = text.replace("$", "")  # the extraction kept TeX dollars around P values
    if not unit or text.endswith(unit) or unit == "patients" or not text[-1:].isdigit():
        return text
    return f"{text}%" if unit == "%" else f"{text} {unit}"


def _key_figures(figures: list[dict[str, Any]]) -> str:
    """Headline figures of an option per metric and arm: whole population and Table 1 first."""
    chosen: dict[tuple[str, str], dict[str, Any]] = {}
    for figure in figures:
        if not figure.get("found") or figure["metric"] not in KEY_METRICS:
            continue
        key = (figure["metric"], figure.get("arm") or "")
        current = chosen.get(key)
        rank = (figure.get("population") is None, figure.get("source") == "Table 1")
        if current is None or rank > (
            current.get("population") is None,
            current.get("source") == "Table 1",
        ):
            chosen[key] = figure
    parts = []
    for (metric, _), figure in sorted(chosen.items(), key=lambda kv: KEY_METRICS.index(kv[0][0])):
        versus = f" vs {figure['versus']}" if figure.get("versus") else ""
        who = ", ".join(
            filter(
                None,
                [
                    figure.get("arm_label") if len(_arms(chosen, metric)) > 1 else None,
                    figure.get("population"),
                ],
            )
        )
        printed = figure_text(figure["text"], figure.get("unit"))
        label = "" if printed.startswith("HR") else f"{METRIC_LABELS[metric]} "
        parts.append(f"{label}{printed}{versus}" + (f" ({who})" if who else ""))
    sources = sorted({f.get("source") or "" for f in chosen.values()} - {""})
    return f"{'; '.join(parts)} ({', '.join(sources)})" if parts else ""


def _arms(chosen: dict[tuple[str, str], dict[str, Any]], metric: str) -> list[str]:
    return [arm for m, arm in chosen if m == metric]


def _trial_names(trials: list[dict[str, Any]]) -> list[str]:
    return [t["name"] for t in trials]


def compose_selection(composer: Composer, data: dict[str, Any], focus: Iterable[str] = ()) -> None:
    """The options in rank order (the first few in full), what to avoid grouped by reason,
    the checks before starting, the notes and the rules that fired."""
    setting = "Later-line" if data["setting"] == "later_line" else "First-line"
    composer.add(f"**{setting} options**")
    if data.get("outside_review"):
        composer.add(f"**Outside the review:** {data['outside_review']}")
    focus = set(focus)  # an option the question names is shown in full whatever its rank
    detailed = [
        o
        for n, o in enumerate(data["recommended"])
        if n < DETAILED_OPTIONS or o["regimen"] in focus
    ]
    for option in detailed:
        figures = _key_figures(option.get("key_figures", []))
        cite = composer.cite(_trial_names(option["trials"]), option["refs"])
        composer.add(
            f"{option['rank']}. **{option['name']}** ({option['certainty']}): "
            f"{' '.join(option['rationale'])} {cite}"
            + (f"\n   Key figures: {figures}." if figures else "")
        )
    rest = [o for o in data["recommended"] if o not in detailed]
    if rest:
        listed = [
            f"{o['rank']}. {o['name']} {composer.cite(_trial_names(o['trials']), o['refs'])}"
            for o in rest
        ]
        composer.add(f"Also supported, lower in the ranking: {'; '.join(listed)}.")
    if not data["recommended"] and not data.get("outside_review"):
        composer.add("The review supports no systemic option for this profile.")
    if data.get("avoid"):
        composer.add("", "**Avoid**")
        for reason, entries in _by_reason(data["avoid"]).items():
            trials = [t for e in entries for t in _trial_names(e.get("trials", []))]
            refs = sorted({r for e in entries for r in e.get("refs", [])})
            shown_figures = [f for e in entries if (f := _key_figures(e.get("key_figures", [])))]
            shown = ", ".join(f"**{e['name']}**" for e in entries)
            composer.add(
                f"- {shown}: {reason} {composer.cite(trials, refs)}"
                + (f" ({'; '.join(shown_figures)})" if shown_figures else "")
            )
    if data.get("checks"):
        composer.add("", "**Before starting**")
        for check in data["checks"]:
            composer.add(f"- {check['text']} {composer.cite([], check.get('refs', []))}".rstrip())
    notes = list(
        {n["text"]: n for n in [*data.get("regional_notes", []), *data.get("notes", [])]}.values()
    )
    if notes:
        composer.add("", "**Notes**")
        for note in notes:
            composer.add(f"- {note['text']} {composer.cite([], note.get('refs', []))}".rstrip())
    if data.get("rules_fired"):
        composer.add("", f"_Rules applied: {', '.join(data['rules_fired'])}._")
    composer.add("")


def _by_reason(avoid: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Regimens to avoid, those with the same reasons together (one line per reason)."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for entry in avoid:
        groups.setdefault(entry["reason"], []).append(entry)
    return groups


def compose_resectability(composer: Composer, data: dict[str, Any]) -> None:
    composer.add("", "**Potential resectability (criteria from the review)**")
    for result in data["criteria_sets"]:
        cite = composer.cite(_trial_names(result.get("trials", [])), result.get("refs", []))
        composer.add(
            f"- {result['name']}: overall **{result['overall'].replace('_', ' ')}** "
            f"({result['applicability']}) {cite}"
        )
        for criterion in result["criteria"]:
            composer.add(f"  - {criterion['text']}: {criterion['status'].replace('_', ' ')}")
        figures = [f for f in result.get("key_figures", []) if f.get("found")]
        for figure in figures[:2]:
            arm = f" ({figure['arm_label']})" if figure.get("arm_label") else ""
            composer.add(
                f"  - {metric_label(figure['metric'])}{arm}: "
                f"{figure_text(figure['text'], figure.get('unit'))}"
            )
    for note in data.get("notes", []):
        composer.add(f"- {note['text']} {composer.cite([], note.get('refs', []))}".rstrip())


def compose_locoregional(composer: Composer, data: dict[str, Any]) -> None:
    composer.add("", "**Locoregional options**")
    if data.get("outside_review"):
        composer.add(data["outside_review"])
    for option in data["options"]:
        cite = composer.cite(_trial_names(option["trials"]), option["refs"])
        composer.add(
            f"{option['rank']}. **{option['name']}** ({option['certainty']}): "
            f"{' '.join(option['rationale'])} {cite}"
        )
    for entry in data.get("avoid", []):
        composer.add(
            f"- Avoid **{entry['name']}**: {entry['reason']} "
            f"{composer.cite(_trial_names(entry.get('trials', [])), entry.get('refs', []))}"
        )
    for note in data.get("notes", []):
        composer.add(f"- {note['text']} {composer.cite([], note.get('refs', []))}".rstrip())


def metric_label(metric: str) -> str:
    """ "PD rate", "non-inferiority margin": the planner's label, else the records' one."""
    if metric in METRIC_LABELS:
        return METRIC_LABELS[metric]
    known = metric in Metric.__members__
    return RECORD_LABELS[Metric(metric)].lower() if known else metric.replace("_", " ")


def _where(source: str) -> str:
    if source in ("table1", "table2"):
        return f"Table {source[-1]}"
    return source.split(" > ")[-1]


def _row_groups(rows: list[dict[str, Any]]) -> list[str]:
    """One phrase per figure, with every place the review prints it ("Table 1; Table 2")."""
    groups: dict[tuple[Any, ...], list[str]] = {}
    for row in rows:
        key = (
            row["metric"],
            row["arm"],
            row.get("versus"),
            row.get("population"),
            figure_text(row["text"], row["unit"]),
        )
        groups.setdefault(key, [])
        if _where(row["source"]) not in groups[key]:
            groups[key].append(_where(row["source"]))
    phrases = []
    for (metric, arm, versus, population, printed), places in groups.items():
        who = ", ".join(filter(None, [arm or "overall", population]))
        versus_text = f" vs {versus}" if versus else ""
        label = metric_label(metric)
        if label.endswith("HR") and printed.startswith("HR"):  # "OS HR HR = 0.85"
            printed = printed[2:].lstrip(" =:")
        elif len(head := fold(label.split()[0])) > 3 and head in fold(printed):
            label = ""  # "111 sites", "794 patients", "noninferiority margin: 1.08" say it
        phrases.append(f"{label} {printed} ({who}{versus_text}; {'; '.join(places)})".strip())
    return phrases


def compose_trial_facts(composer: Composer, artifact: dict[str, Any]) -> None:
    by_trial: dict[str, list[dict[str, Any]]] = {}
    for row in artifact["results"]:
        by_trial.setdefault(row["trial_id"], []).append(row)
    citations = {c["trial_id"]: c for c in artifact["citations"]}
    records = artifact.get("records", {})
    metric = artifact.get("metric")
    asked = [m.strip() for m in (metric or "").split(",") if m.strip()]
    if "dose" in asked and not any(r["metric"] == "dose" for r in artifact["results"]):
        composer.add(NO_DOSE.format(name=artifact.get("query", "this regimen")))
        if not artifact["results"]:  # nothing else was asked: name the trials it draws on
            cites = [
                composer.cite([c["trial"]], c.get("refs", []))
                for c in artifact["citations"]
                if c.get("trial")
            ]
            composer.add(f"Its trials in the review: {', '.join(cites)}.")
            return
        composer.add("")
    answered = [t for t in artifact["trials"] if by_trial.get(t) or _has_words(records.get(t))]
    for trial_id in answered or artifact["trials"]:  # skip trials silent on the figure asked
        citation = citations.get(trial_id, {})
        name = citation.get("trial") or trial_id
        rows = by_trial.get(trial_id, [])
        record = records.get(trial_id, {})
        cite = composer.cite([name], citation.get("refs", []))
        if not rows and not _has_words(record):
            wanted = ", ".join(metric_label(m) for m in asked) or "figures"
            composer.add(f"- **{name}**: the review reports no {wanted} for this trial {cite}")
            continue
        wanted = ", ".join(metric_label(m) for m in asked)
        figures = "; ".join(_row_groups(rows)) + "." if rows else ""
        if not rows and wanted:
            figures = f"the review reports no {wanted} for this trial; what it says of it:"
        composer.add(f"- **{name}** {cite}" + (f": {figures}" if figures else ""))
        if record.get("design"):
            composer.add(f"  - Design: {record['design']}")
        composer.add(*[f"  - Criterion: {c}" for c in record.get("criteria", [])])
        for finding in record.get("findings", []):
            refs = composer.cite([], finding.get("refs", []))
            composer.add(f"  - Finding: \u201c{finding['quote']}\u201d {refs}".rstrip())
        notes = {r["note"] for r in rows if r.get("note")}
        composer.add(*[f"  - Note: {n}" for n in sorted(notes)])


def _has_words(record: dict[str, Any] | None) -> bool:
    return bool(record and (record.get("findings") or record.get("criteria")))


def compose_comparison(composer: Composer, artifact: dict[str, Any]) -> None:
    label = metric_label(artifact["metric"])
    direction = "lowest first" if artifact["order"] == "ascending" else "highest first"
    if artifact.get("by") == "difference":
        direction = f"by difference from the arm's own control, {direction}"
    scope = f" ({artifact['category']} combinations)" if artifact.get("category") else ""
    table = artifact.get("scope", "table1") == "table1"
    arms = "First-line combination arms" if table else "Experimental arms"
    only = f"{artifact['regimen'].replace('_', ' ')} " if artifact.get("regimen") else ""
    if artifact.get("arms") == "control":
        arms = f"Control ({only}comparator) arms"
    elif artifact.get("arms") == "any" or only:
        arms = f"{only.capitalize() or 'All '}arms"
    where = "of Table 1" if table else "of the review's first-line randomised trials"
    if artifact["metric"] == "n":
        arms, where = "First-line randomised trials", "of the review"
    if artifact.get("control"):
        where += f" with a {artifact['control'].replace('_', ' ')} control arm"
    composer.add(f"{arms} {where}{scope} ranked by {label} ({direction}):")
    for n, row in enumerate(artifact["results"], start=1):
        cite = composer.cite([row["trial"]], row["refs"])
        figure = figure_text(row["text"], row["unit"])
        control = row.get("control")
        if control:
            figure += f" vs {figure_text(control['text'], control['unit'])} with {control['arm']}"
        if artifact.get("significant") is not None and row.get("significant") is not None:
            figure += " (CI excludes 1)" if row["significant"] else " (CI includes 1)"
        who = f"{row['arm']} ({row['trial']})" if row.get("arm") else row["trial"]
        composer.add(f"{n}. {who}: {figure} {cite}")
    for row in artifact.get("not_reported", []):
        composer.add(f"- Not reported: {row['arm']} ({row['trial']}): {row['text']}")
    if artifact["metric"] == "grade3_TRAE" and table:
        composer.add(
            "- NCT04560894 reports grade ≥3 TEAEs, not TRAEs (Table 1 note), "
            "so it is not ranked here."
        )


def compose_trial_list(composer: Composer, artifact: dict[str, Any]) -> None:
    """Each study the review places in a region, with the words that place it."""
    rows = artifact.get("results", [])
    if not rows:
        places = ", ".join(artifact.get("places", []))
        composer.add(f"The review places studies only in: {places}.")
        return
    composer.add(f"Studies the review places in {rows[0]['where']}:")
    for row in rows:
        cite = composer.cite([row["trial"]], row["refs"])
        phase = f"phase {row['phase']}, " if row.get("phase") else ""
        quoted = f"\u201c{row['quote']}\u201d"
        composer.add(f"- {row['trial']} ({phase}{row['setting']}): {quoted} {cite}".rstrip())


def compose_sentences(
    composer: Composer, question: str, artifact: dict[str, Any], context: list[str]
) -> None:
    """The review's sentences that answer the question (up to three), quoted with their section
    and references; the passages they come from are named, not pasted."""
    found = best_sentences(question, artifact.get("hits", []), context, limit=MAX_SENTENCES)
    if not found:
        return
    composer.add("**What the review says**")
    for sentence in found:
        where = sentence.section.split(" > ")[-1]
        cite = composer.cite([], sentence.refs)
        quoted = f"> \u201c{sentence.text}\u201d \u2014 *{where}* (`{sentence.chunk_id}`)"
        composer.add(f"{quoted} {cite}".rstrip())
    composer.add("")
