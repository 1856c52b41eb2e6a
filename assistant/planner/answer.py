"""The planner's answer, assembled: the patient as read, the bottom line, then the details.

The bottom line answers every part asked in at most three sentences; the details follow (ranked
options, key figures, what to avoid grouped by reason, checks before starting, the review's
passages) and end with the references and the disclaimer. Everything comes from tool artifacts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from assistant.planner.bottom import (
    asks_own_control,
    comparison_sentence,
    criteria_answer,
    criteria_sentence,
    figure_sentence,
    fit,
    locoregional_sentence,
    passage_sentence,
    region_sentence,
    selection_sentences,
    verdict_sentence,
)
from assistant.planner.compose import (
    Composer,
    compose_comparison,
    compose_locoregional,
    compose_resectability,
    compose_selection,
    compose_sentences,
    compose_trial_facts,
    compose_trial_list,
    metric_label,
)
from assistant.planner.intent import Intent, Plan
from assistant.planner.verdict import verdicts
from assistant.prompts import CLARIFY, REFUSAL_IMPOSSIBLE_PROFILE, REFUSAL_NOT_COVERED
from clinical.answer import AskedPart, Verdict
from clinical.profile_text import fact_label, read_back
from corpus.regimens import load_catalogue
from corpus.trials import load_trials
from corpus.vocabulary import load_vocabulary, normalize

PATIENT_INTENTS = (
    Intent.FIRST_LINE,
    Intent.LATER_LINE,
    Intent.CRITERIA,
    Intent.LOCOREGIONAL,
    Intent.CLARIFY,
)
BOTTOM_LINE = "**Bottom line:**"
NOT_REPORTED = "The review does not report {what}."
ASSUMED_FIRST_LINE = (
    "**Taken as first line:** no systemic therapy was mentioned; say so if there was one."
)
NOT_STATED = "The review does not state {what}."
_YES = re.compile(r"\b(?:met|meets|achieved|significant(?:ly)?|superior|improved|approved)\b", re.I)
_NO = re.compile(
    r"\b(?:did not|didn't|not\s+(?:meet|met|satisf\w*|significant|superior|reach\w*)|failed|missed"
    r"|no (?:statistically\s+)?significant|no (?:os|pfs) benefit|nor)\b",
    re.I,
)


@dataclass
class Composed:
    answer: str
    bottom_line: str = ""
    parts: list[AskedPart] = field(default_factory=list)
    verdicts: list[Verdict] = field(default_factory=list)
    refused: bool = False
    reason: str | None = None


def read_header(plan: Plan) -> list[str]:
    """The patient as read, first, and the unclear facts the clinician is asked to confirm."""
    reading = plan.reading
    if reading is None or not reading.profile or plan.intent not in PATIENT_INTENTS:
        return []
    lines = [f"**Patient as read:** {read_back(reading.shown_facts(), reading.unconfirmed)}."]
    if "line" in plan.assumed:
        lines.append(ASSUMED_FIRST_LINE)
    unsure = [reading.decided[name] for name in reading.unconfirmed if name in reading.decided]
    if unsure:
        said = "; ".join(f"{fact_label(f.field)} (\u201c{f.words}\u201d)" for f in unsure)
        lines.append(
            f"**Please confirm:** {said}. Mentioned without a clear status, so treated as "
            "present: what it rules out is not recommended until you confirm."
        )
    return [*lines, ""]


_RUNNER_UP = re.compile(r"runner[\s-]?up|second[\s-]best|next\s+best", re.I)
# "Was DCR actually lower?": the first arm against the second, on the figure asked.
_DIRECTION = re.compile(
    r"\b(?P<low>lower|less|fewer|shorter|smaller|worse\s+response)\b|\b(?P<high>higher|more|greater"
    r"|longer|larger)\b",
    re.I,
)


def _arms_answer(plan: Plan, artifact: dict[str, Any]) -> str:
    """ "Yes" or "No" when a yes/no part compares the trial's two arms on one figure, else ""."""
    direction = _DIRECTION.search(plan.question)
    asked = _asked_metrics(plan)
    trials = artifact.get("trials", [])
    if not (plan.yes_no and direction and len(asked) == 1 and len(trials) == 1):
        return ""
    rows = [
        r
        for r in artifact.get("results", [])
        if r["metric"] == asked[0] and r.get("population") is None and r.get("value") is not None
    ]
    values: dict[str, float] = {}
    for row in rows:
        values.setdefault(str(row.get("arm") or ""), float(row["value"]))
    if len(values) != 2 or "" in values:
        return ""
    first, second = values.values()
    if first == second:
        return "No"
    lower = first < second
    return "Yes" if lower == bool(direction.group("low")) else "No"


# A part of a trial's population ("the China extension cohort", "cohort 5", "the Asian
# subgroup"): its figures are the trial's own only where a record names that population.
_POPULATION = re.compile(
    r"\b(?P<who>(?:[a-z]+\s+)?(?:extension|expansion)\s+cohort|cohort\s+\d+[a-z]?"
    r"|(?:chinese|china|asian|asia|japanese|japan|korean|western|european|non-asian|hbv|hcv"
    r"|elderly|older)\s+(?:extension\s+)?(?:cohort|sub-?groups?|sub-?populations?|patients))\b",
    re.I,
)


def _missing_population(plan: Plan, artifact: dict[str, Any]) -> str:
    """ "the China extension cohort of IMbrave150" when the question asks for a population no
    record of the trial holds, else ""."""
    found = _POPULATION.search(plan.question)
    if not found:
        return ""
    who = found.group("who").lower()
    keys = {w for w in re.findall(r"[a-z]+", who) if w not in ("cohort", "patients", "extension")}
    keys |= {"chinese"} if "china" in keys else set()
    keys |= {"asian"} if "asia" in keys else set()
    held = " ".join(str(r.get("population") or "").lower() for r in artifact.get("results", []))
    if keys and any(k in held for k in keys):
        return ""
    names = [c.get("trial") for c in artifact.get("citations", []) if c.get("trial")]
    return f"the {found.group('who')} of {names[0]}" if names else f"the {found.group('who')}"


def _others_absent(plan: Plan) -> bool:
    """Something other than a measure is absent: no other trial's figures may stand in."""
    return any(a.kind != "measure" for a in plan.absent)


def _asked_metrics(plan: Plan) -> list[str]:
    metric = plan.metric or ""
    return [_canonical(m.strip()) for m in metric.split(",") if m.strip()]


def _canonical(metric: str) -> str:
    """The records' metric name for a planner metric word ("PD rate" -> "PD_rate")."""
    from assistant.tools.figures import METRIC_NAMES
    from corpus.names import fold

    found = METRIC_NAMES.get(fold(metric))
    return found.value if found else metric


def _context_names(plan: Plan, artifacts: list[dict[str, Any]]) -> list[str]:
    names = [c.get("trial") for a in artifacts for c in a.get("citations", []) if c.get("trial")]
    return [n for n in names if n][:3] + plan.focus_names


def _about(hits: list[dict[str, Any]], trials: list[str]) -> list[dict[str, Any]]:
    """The passages about the trials the question names (all of them when it names none): a
    sentence about another trial must never answer for this one."""
    if not trials:
        return hits
    wanted = {t.lower() for t in trials}
    return [
        h
        for h in hits
        if wanted & {n.lower() for n in h.get("trial_names", [])}
        or wanted & {t.lower() for t in h.get("trials", [])}
    ]


_FIGURE = re.compile(r"\d+(?:\.\d+)?\s*(?:%|months?|mo\b)|\bHR\s*=|\b0\.\d{2}")


def _without_figures(hits: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The passages' sentences that give no trial figure."""
    from corpus.chunking import split_sentences

    kept = []
    for hit in hits:
        plain = [s for s in split_sentences(hit["text"]) if not _FIGURE.search(s)]
        if plain:
            kept.append(hit | {"text": " ".join(plain)})
    return kept


_SIGNIFICANCE = re.compile(r"\bsignifican\w*|\bstat(?:istically)?\s+sig\w*", re.I)
_P_VALUE = re.compile(r"P\s*([<=>≤])\s*(0?\.\d+)", re.I)


def _significance(plan: Plan, artifact: dict[str, Any]) -> str:
    """ "Yes" or "No" for "was it significant?", read from the figure's printed P value or its
    hazard ratio's 95% CI (1 inside it: not significant), for the whole trial population; the
    figures the part asks for first."""
    if not (plan.yes_no and _SIGNIFICANCE.search(plan.question)):
        return ""
    asked = set(_asked_metrics(plan))
    rows = [r for r in artifact.get("results", []) if r.get("population") is None]
    rows.sort(key=lambda r: (r["metric"] not in asked, not r["metric"].endswith("_HR")))
    for row in rows:
        if found := _P_VALUE.search(row.get("p_value") or ""):
            sign, value = found.group(1), float(found.group(2))
            significant = value < 0.05 or (sign == "<" and value <= 0.05)
            return f"{'Yes' if significant else 'No'} ({row['p_value']})"
        if row["metric"].endswith("_HR") and None not in (row.get("ci_low"), row.get("ci_high")):
            crosses = row["ci_low"] <= 1 <= row["ci_high"]
            return "No (its 95% CI includes 1)" if crosses else "Yes (its 95% CI excludes 1)"
    return ""


_ASKS_WHY = re.compile(
    r"\bwhy\b|\bhow\s+come\b|\bexplain|\breasons?\b|\brationale\b|\bput\s+it\s+down", re.I
)
# A drug or regimen singled out as one arm: "durva monotherapy arm", "the sorafenib arm".
_SINGLED_OUT = re.compile(r"^[\s-]*(?:[\w-]+\s+)?(?:arm\b(?!s)|mono(?:therapy)?\b|alone\b)", re.I)


def _arm_asked(plan: Plan, artifact: dict[str, Any]) -> dict[str, Any]:
    """The figures of the one arm a question singles out ("HIMALAYA durva monotherapy arm:
    median OS?"), comparisons against it included, so a figure the review gives only for another
    arm is said to be missing, never shown in its place; the whole record otherwise."""
    catalogue = load_catalogue()
    named: set[str] = set()
    for token, _, end in load_vocabulary().matches(plan.question):
        if not _SINGLED_OUT.match(normalize(plan.question)[end:]):
            continue
        kind, _, key = token.partition("_")
        if kind == "regimen":
            named.add(key)
        elif kind == "agent":  # a drug alone is its own regimen ("durva monotherapy")
            named |= set(catalogue.alone(key))
    if len(named) != 1 or set(plan.focus) - named:  # "len/pembro vs lenvatinib alone": both
        return artifact
    registry = load_trials()
    labels = {
        arm.label
        for trial_id in artifact.get("trials", [])
        for arm in registry.get(trial_id).arms
        if arm.regimen in named
    }
    if not labels:
        return artifact
    rows = [
        r
        for r in artifact.get("results", [])
        if r.get("arm") in labels or r.get("versus") in labels
    ]
    # a metric with no row left for that arm is said to be missing (figure_sentence)
    return artifact | {"results": rows, "one_arm": True}


def _record_sentence(artifact: dict[str, Any], cite: Any) -> str:
    """For a study with no figure to give: that the review reports none, then what it says."""
    citations = {c.get("trial_id"): c for c in artifact.get("citations", [])}
    for trial_id in artifact.get("trials", [])[:1]:
        record = artifact.get("records", {}).get(trial_id, {})
        findings = record.get("findings", [])
        name = citations.get(trial_id, {}).get("trial") or trial_id
        if not findings:
            return NOT_REPORTED.format(what=f"a figure for this from {name}")
        quote = str(findings[0]["quote"]).strip().rstrip(".")
        refs = findings[0].get("refs", [])
        return (
            f"The review does not report a figure for this from {name}; it says: "
            f"\u201c{quote}.\u201d {cite([name], refs)}".strip()
        )
    return ""


def _yes_no(sentence: str) -> str:
    """ "No" or "Yes" when the review's sentence says so plainly, else nothing."""
    if _NO.search(sentence):
        return "No"
    return "Yes" if _YES.search(sentence) else ""


def _part(
    plan: Plan, artifacts: list[dict[str, Any]], composer: Composer
) -> tuple[list[str], AskedPart, list[Verdict]]:
    """The bottom-line sentences of one part, the part's record, and its verdicts."""
    cite = composer.cite
    sentences: list[str] = []
    found: list[Verdict] = []
    answered = True
    note = ""
    kind = plan.intent.value
    # Beside a patient's question, a drug the review never names is context ("Crohn's on
    # infliximab"): said after the answer, which still answers the part.
    beside = plan.intent in PATIENT_INTENTS
    unreported = []
    for absent in plan.absent:
        what = f"{absent.text}" if absent.kind != "topic" else absent.text
        unreported.append(NOT_REPORTED.format(what=what))
        if not beside:
            answered, note, kind = False, f"not in the review: {what}", "absent"
    if not beside:
        sentences += unreported
    for artifact in artifacts:
        tool = artifact.get("tool")
        if tool == "select_regimens":
            if plan.asks_verdict and plan.focus:
                found = verdicts(plan.focus, _verdict_data(artifacts))
                sentences += [verdict_sentence(v) for v in found]
                kind = "verdict"
            else:
                # a why-question's setting ("for downstaging") is not a patient to ask about
                setting = plan.intent is Intent.GENERAL
                sentences += selection_sentences(
                    artifact["data"],
                    [] if setting else artifact.get("deciding", []),
                    cite,
                    "this setting" if setting else "this patient",
                )
        elif tool == "lookup_trial" and not _others_absent(plan):
            own = _arm_asked(plan, artifact)
            sentence, complete = figure_sentence(own, _asked_metrics(plan), metric_label, cite)
            if not sentence and (said := _record_sentence(own, cite)):
                # a study the review reports in words, not figures: said so, then its words
                sentence, complete = said, False
            if sentence and plan.absent:  # a measure it never gives: what it does report
                sentence = f"What it reports: {sentence}"
            if population := _missing_population(plan, artifact):
                sentences.append(NOT_REPORTED.format(what=population))
                answered, note = False, f"not in the review: {population}"
                sentence = f"For the whole trial: {sentence}" if sentence else sentence
            if sentence and (said := _arms_answer(plan, artifact) or _significance(plan, artifact)):
                sentence = f"{said}: {sentence}"
            backing = plan.intent is Intent.GENERAL  # figures behind the review's sentences
            if backing and not complete:
                sentence = sentence.split(". The review does not report")[0] if sentence else ""
                if sentence.startswith("The review does not report"):
                    sentence = ""
            if sentence:
                sentences.append(sentence)
            if not complete and not backing:
                answered, note = False, "the review does not report every figure asked"
        elif tool == "compare_trials":
            runner_up = bool(_RUNNER_UP.search(plan.question))
            own_control = asks_own_control(plan.question)
            sentences.append(
                comparison_sentence(artifact, metric_label, cite, runner_up, own_control)
            )
        elif tool == "list_trials":
            sentences.append(region_sentence(artifact, cite))
        elif tool == "check_resectability":
            sentence = criteria_sentence(artifact["data"])
            said = criteria_answer(artifact["data"]) if plan.yes_no else ""
            sentences.append(f"{said}: {sentence}" if said and sentence else sentence)
        elif tool == "locoregional_options":
            sentences.append(locoregional_sentence(artifact["data"], cite))
        elif tool == "search_review":
            context = _context_names(plan, artifacts)
            hits = _about(artifact.get("hits", []), plan.trials)
            if plan.absent:  # what the review says nearby, never another trial's figures
                hits = _without_figures(hits)
            explain = bool(_ASKS_WHY.search(plan.question))
            quoted = passage_sentence(plan.question, hits, context, cite, explain=explain)
            if plan.absent:
                quoted = [f"Nearest it comes: {q[0].lower()}{q[1:]}" for q in quoted]
            elif not quoted:
                trials = ", ".join(plan.trial_names) or "this"
                what = f"this for {trials}" if plan.trial_names else "this"
                sentences.append(NOT_STATED.format(what=what))
                answered, note = False, "the review does not state this"
            if plan.yes_no and quoted and (said := _yes_no(quoted[0])):
                quoted[0] = f"{said}: {quoted[0][0].lower()}{quoted[0][1:]}"
            sentences += quoted
    # A yes or no the part's figures settle leads its sentences (the quote backs it after).
    settled = [i for i, x in enumerate(sentences) if re.match(r"(?:Yes|No)\b", x)]
    if plan.yes_no and settled and settled[0] > 0:
        sentences.insert(0, sentences.pop(settled[0]))
    if plan.yes_no and found:
        said = (
            "No"
            if found[0].value == "avoid"
            or not found[0].rule_ids  # not what the review supports here
            else "Yes, with care"
            if found[0].value == "caution"
            else "Yes"
        )
        sentences[0] = f"{said}: {sentences[0]}" if sentences else said
    if beside:
        sentences += unreported
    part = AskedPart(
        text=plan.question,
        kind=kind,
        answered=answered and bool(sentences),
        answer=" ".join(s for s in sentences[:2] if s),
        note=note,
    )
    return [s for s in sentences if s], part, found


def _verdict_data(artifacts: list[dict[str, Any]]) -> dict[str, Any]:
    """The rule core's judgement for a named plan: the regimen choice, joined by the
    locoregional choice when it ran (a named SBRT or TACE plan is judged there)."""
    data: dict[str, Any] = {"recommended": [], "avoid": [], "checks": [], "unconfirmed": None}
    for artifact in artifacts:
        tool = artifact.get("tool")
        if tool not in ("select_regimens", "locoregional_options"):
            continue
        own = artifact["data"]
        data["recommended"] += own.get("recommended", own.get("options", []))
        data["avoid"] += own.get("avoid", [])
        data["checks"] += own.get("checks", [])
        data["unconfirmed"] = data["unconfirmed"] or artifact["profile"].get("unconfirmed")
    return data


def _details(plan: Plan, artifacts: list[dict[str, Any]], composer: Composer) -> None:
    for artifact in artifacts:
        tool = artifact.get("tool")
        if tool == "select_regimens":
            compose_selection(composer, artifact["data"], plan.focus)
        elif tool == "check_resectability":
            compose_resectability(composer, artifact["data"])
        elif tool == "locoregional_options":
            compose_locoregional(composer, artifact["data"])
        elif tool == "lookup_trial" and not _others_absent(plan):
            compose_trial_facts(composer, _arm_asked(plan, artifact))
        elif tool == "compare_trials":
            compose_comparison(composer, artifact)
        elif tool == "list_trials":
            compose_trial_list(composer, artifact)
        elif tool == "search_review":
            about = artifact | {"hits": _about(artifact.get("hits", []), plan.trials)}
            compose_sentences(composer, plan.question, about, _context_names(plan, artifacts))
        elif tool == "error":
            composer.add(f"A tool could not answer: {artifact['message']}")


def compose(plans: list[Plan], artifacts: list[list[dict[str, Any]]]) -> Composed:
    """The answer to every part, from each part's plan and its tools' artifacts."""
    first = plans[0]
    if first.intent is Intent.IMPOSSIBLE:
        reason = REFUSAL_IMPOSSIBLE_PROFILE.format(problems="; ".join(first.problems))
        return Composed(reason, reason, refused=True, reason=reason)
    if first.intent is Intent.CLARIFY:
        question = CLARIFY.format(questions=" ".join(first.problems))
        header = "\n".join(read_header(first))
        return Composed(f"{header}\n{question}".strip(), question)
    if all(p.intent is Intent.OUT_OF_SCOPE and not p.absent for p in plans):
        reason = "out of scope: the review does not cover this question"
        return Composed(REFUSAL_NOT_COVERED, REFUSAL_NOT_COVERED, refused=True, reason=reason)
    composer = Composer()
    header_lines = read_header(next((p for p in plans if p.intent in PATIENT_INTENTS), first))
    bottom: list[str] = []
    parts: list[AskedPart] = []
    found: list[Verdict] = []
    per_part: list[list[str]] = []
    for plan, own in zip(plans, artifacts, strict=True):
        sentences, part, verdicts_ = _part(plan, own, composer)
        per_part.append([s for s in sentences if s not in {x for p in per_part for x in p}])
        parts.append(part)
        found += verdicts_
    # A part answered yes or no leads (it is the verdict the question waits for); then each
    # part's first sentence, then the rest while there is room.
    per_part.sort(key=lambda p: not (p and re.match(r"(?:Yes|No)\b", p[0])))
    bottom = [p[0] for p in per_part if p] + [s for p in per_part for s in p[1:]]
    bottom_line = fit(bottom)
    composer.add(*header_lines, f"{BOTTOM_LINE} {bottom_line}", "")
    for plan, own in zip(plans, artifacts, strict=True):
        _details(plan, own, composer)
    return Composed(composer.finish(), bottom_line, parts, found)
