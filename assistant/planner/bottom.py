"""The bottom line: the sentence that answers each part asked, built from the tool results.

One sentence per part, cited: the figure with its trial; the ranking's two ends; the top options
and what to avoid (or both cases, when an unknown fact decides); the verdict on a named regimen;
the review's own sentence for a why-question; or "the review does not report ...", with the
nearest thing it does report. Every name and number is copied from a tool artifact.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from clinical.answer import Verdict
from corpus.sentences import best_sentences, explanation

Cite = Callable[[Iterable[str], Iterable[int]], str]  # names, refs -> "[IMbrave150; refs 19–21]"
MAX_WORDS = 80  # the whole bottom line, citations aside
MAX_SENTENCES = 3
MAX_NAMES = 3  # regimens named in one clause before "and N more"
_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
_BRACKET = re.compile(r"\[[^\]]*\]")
_DANGLING = re.compile(
    r"(?:\s+(?:by|of|the|and|or|with|to|in|for|a|an|on|at|as|than|from|but|before|after|without|such|such\s+as|including|like))+\s*$",
    re.I,
)
_FIRST_CLAUSE = re.compile(r"^(.{12,90}?)(?::|;|\.\s| — | - |, so |, which | rules? out )")


def words(text: str) -> int:
    return len(_BRACKET.sub("", text).split())


def fit(sentences: Iterable[str]) -> str:
    """At most three sentences and eighty words (citations not counted), in order."""
    kept: list[str] = []
    for sentence in sentences:
        sentence = sentence.strip()
        if not sentence or len(kept) == MAX_SENTENCES:
            continue
        if kept and words(" ".join([*kept, sentence])) > MAX_WORDS:
            continue
        kept.append(sentence if sentence[-1] in ".?!" else f"{sentence}.")
    return " ".join(kept)


def names(items: list[str], limit: int = MAX_NAMES) -> str:
    """ "A", "A and B", "A, B and C", "A, B and 2 more"."""
    shown = items[:limit]
    more = len(items) - len(shown)
    if more > 0:
        # In words: a bare digit in the answer would be a figure the number check must trace.
        count = _WORDS[more] if more < len(_WORDS) else str(more)
        return f"{', '.join(shown)} and {count} more"
    if len(shown) > 1:
        return f"{', '.join(shown[:-1])} and {shown[-1]}"
    return shown[0] if shown else ""


def short_reason(reason: str) -> str:
    """The first clause of a reason ("Untreated or severe oesophageal/gastric varices")."""
    match = _FIRST_CLAUSE.match(reason)
    if match:
        text = match.group(1)
    elif len(reason) <= 90:
        text = reason
    else:  # cut at the last comma, never after a word that needs what follows ("..., by")
        head = reason[:90]
        text = head.rsplit(",", 1)[0] if "," in head[55:] else head.rsplit(" ", 1)[0]
        text = _DANGLING.sub("", text)
    if text.count("(") > text.count(")"):  # a parenthesis the cut left open goes whole
        text = text[: text.rfind("(")]
    return _lower_first(text.strip().rstrip(",."))


_LEADING_BEFORE = re.compile(r"^before\s+[^,]{5,60},\s+", re.I)


def short_check(check: str) -> str:
    """A check as the bottom line names it: whole when it fits, without its parentheses
    ("an esophagogastroduodenoscopy must exclude untreated or severe ... varices")."""
    text = re.sub(r"\s*\([^)]*\)", "", check).strip().rstrip(".")
    if len(text) > 110:
        text = _LEADING_BEFORE.sub("", text)
    return short_reason(text) if len(text) > 150 else _lower_first(text)


def _lower_first(text: str) -> str:
    """ "A recent bleed" -> "a recent bleed"; an acronym ("EGD", "TACE") stays as written."""
    first = text.split(" ", 1)[0]
    acronym = len(first) > 1 and first.upper() == first
    return text if acronym else text[:1].lower() + text[1:]


# --- figures and rankings -------------------------------------------------------------------


def figure_sentence(
    artifact: dict[str, Any], asked: list[str], label: Callable[[str], str], cite: Cite
) -> tuple[str, bool]:
    """("LEAP-002: ORR 26.1% with lenvatinib + pembrolizumab vs 17.5% ... [..]", answered)."""
    rows = artifact.get("results", [])
    wanted = [m for m in asked if m] or sorted({r["metric"] for r in rows})
    trials = artifact.get("trials", [])
    citations = {c.get("trial_id"): c for c in artifact.get("citations", [])}
    pieces: list[str] = []
    missing: list[str] = []
    for trial_id in trials[:2]:
        own = [r for r in rows if r["trial_id"] == trial_id]
        name = citations.get(trial_id, {}).get("trial") or trial_id
        said = []
        for metric in wanted:
            found = [r for r in own if r["metric"] == metric]
            printed = [r for r in found if r.get("value") is not None]
            if not printed:
                # Not reported, or printed only as "NR"/"NA" (Table 1's own way of saying so).
                said_as = {str(r["text"]) for r in found}
                how = f" (printed as {', '.join(sorted(said_as))})" if said_as else ""
                missing.append(f"{label(metric)} for {name}{how}")
                continue
            # An arm printed as "NR" has no figure: said to be missing, not shown as one.
            for row in found:
                if row.get("value") is None and row.get("arm"):
                    missing.append(
                        f"{label(metric)} with {row['arm']} in {name} (printed as NR)"
                        if row["text"] == "NR"
                        else f"{label(metric)} with {row['arm']} in {name}"
                    )
            # "OS HR 0.92", not "OS HR HR = 0.92" (a record printed as the review writes it)
            figures = re.sub(
                r"^HR\s*=\s*",
                "",
                _figures(printed, len(printed) < len(found) or bool(artifact.get("one_arm"))),
            )
            # "501 patients", not "patients 501 patients": the label once
            named = label(metric)
            same = _bare(named) in _bare(figures)  # "noninferiority margin: 1.08" says it
            said.append(figures if same else f"{named} {figures}")
        if said:
            refs = citations.get(trial_id, {}).get("refs", [])
            pieces.append(f"{name}: {'; '.join(said)} {cite([name], refs)}".strip())
    sentence = "; ".join(pieces)
    if missing:
        gap = f"The review does not report the {names(missing, 2)}"
        sentence = f"{sentence}. {gap}" if sentence else gap
    return sentence, not missing


def _bare(text: str) -> str:
    return re.sub(r"[\s-]", "", text.lower())


def _figures(rows: list[dict[str, Any]], name_arms: bool = False) -> str:
    """One metric's figures: per arm, whole population and Table 1 first, as printed."""
    chosen: dict[str, dict[str, Any]] = {}
    for row in sorted(
        rows, key=lambda r: (r.get("population") is not None, r["source"] != "table1")
    ):
        chosen.setdefault(row.get("arm") or "", row)
    parts = []
    for arm, row in chosen.items():
        printed = _printed(row)
        versus = f" vs {row['versus']}" if row.get("versus") else ""
        who = f" with {arm}" if arm and (len(chosen) > 1 or name_arms) else ""
        parts.append(f"{printed}{who}{versus}")
    return ", ".join(parts[:3])


def _printed(row: dict[str, Any]) -> str:
    text = str(row["text"]).replace("$", "")
    unit = row.get("unit")
    if unit == "%" and text[-1:].isdigit():
        return f"{text}%"
    if unit and unit not in ("patients",) and text[-1:].isdigit():
        return f"{text} {unit}"
    return text


# "how did its control arm compare?", "vs their own control": each arm with its control's figure.
_OWN_CONTROL = re.compile(
    r"\b(?:its|their|own)\s+(?:own\s+)?(?:\w+\s+)?(?:control|comparator)\b"
    r"|\bcontrol\s+arms?\s+compare",
    re.I,
)
LISTED = 4  # a ranking this short (or a filtered one) is listed whole, not by its two ends


def asks_own_control(question: str) -> bool:
    return bool(_OWN_CONTROL.search(question))


def comparison_sentence(
    artifact: dict[str, Any],
    label: Callable[[str], str],
    cite: Cite,
    runner_up: bool = False,
    with_control: bool = False,
) -> str:
    """The ranking's answer: its two ends, its top N, every arm a filter keeps, or the largest
    difference from an arm's own control; each arm with its trial, figure and citation."""
    rows = artifact.get("results", [])
    metric = label(artifact["metric"])
    which = _ranked_arms(artifact)
    with_control = with_control or bool(artifact.get("versus_control"))
    with_control = with_control or artifact.get("by") == "difference"

    def arm(row: dict[str, Any]) -> str:
        return _arm_figure(row, cite, with_control)

    condition = _condition(artifact, metric)
    if condition:
        if not rows:
            return f"No {which} had {condition}"
        shown = "; ".join(arm(r) for r in rows[:5])
        more = f"; and {_WORDS[len(rows) - 5]} more" if 5 < len(rows) < 5 + len(_WORDS) else ""
        return f"{_upper_first(which)} with {condition}: {shown}{more}"
    if not rows:
        return ""
    ascending = artifact.get("order") == "ascending"
    if artifact.get("by") == "difference":
        most = "Smallest" if ascending else "Largest"
        sentence = f"{most} difference in {metric} from its own control arm: {arm(rows[0])}"
        return sentence + (f"; next: {arm(rows[1])}" if len(rows) > 1 else "")
    if artifact.get("top"):
        count = _WORDS[len(rows)] if len(rows) < len(_WORDS) else str(len(rows))
        listed = "; ".join(arm(r) for r in rows)
        if artifact["metric"] == "n":
            size = "smallest" if ascending else "largest"
            return f"The {count} {size} first-line RCTs by patients randomised: {listed}"
        best = "lowest" if ascending else "highest"
        return f"The {count} {best} {metric} among {which}: {listed}"
    if artifact.get("regimen") and len(rows) <= LISTED:  # "which trials had a lenvatinib arm"
        return f"{_upper_first(which)}, by {metric}: {'; '.join(arm(r) for r in rows)}"
    if runner_up and len(rows) > 1:
        best = "Lowest" if ascending else "Highest"
        return f"{best} {metric}: {arm(rows[0])}; runner-up: {arm(rows[1])}"
    first, last = ("Lowest", "highest") if ascending else ("Highest", "lowest")
    # "Highest median OS among Table 1 sorafenib control arms": said when not the default set
    narrowed = artifact.get("arms") not in (None, "experimental") or artifact.get("regimen")
    among = f" among {which}" if narrowed or artifact.get("scope") == "all" else ""
    return f"{first} {metric}{among}: {arm(rows[0])}; {last}: {_arm_figure(rows[-1], cite, False)}"


def region_sentence(artifact: dict[str, Any], cite: Cite) -> str:
    """ "The review places these studies in China only: ORIENT-32 [..], ..." or says none."""
    rows = artifact.get("results", [])
    if not rows:
        return f"The review does not report any study run only in {artifact.get('region')}"
    listed = [f"{r['trial']} {cite([r['trial']], r['refs'])}".strip() for r in rows]
    return f"Studies the review places in {rows[0]['where']} only: {'; '.join(listed)}"


def _ranked_arms(artifact: dict[str, Any]) -> str:
    """ "Table 1 control arms", "first-line RCT sorafenib arms", "first-line RCTs"."""
    table = artifact.get("scope", "table1") == "table1"
    if artifact.get("metric") == "n":
        return "first-line RCTs"
    role = {"control": "control arms", "any": "arms"}.get(artifact.get("arms") or "", "")
    role = role or ("first-line combination arms" if table else "experimental arms")
    regimen = artifact.get("regimen")
    own = f"{regimen.replace('_', ' ')} " if regimen else ""
    controlled = artifact.get("control")
    against = f" of {controlled.replace('_', ' ')}-controlled trials" if controlled else ""
    return f"{'Table 1' if table else 'first-line RCT'} {own}{role}{against}"


def _arm_figure(row: dict[str, Any], cite: Cite, with_control: bool) -> str:
    """ "apatinib + camrelizumab in CARES-310, 23.8 months vs 15.2 months with sorafenib [..]"."""
    printed = _printed(row)
    if row.get("metric") == "n" and str(row.get("unit")) not in printed:
        printed = f"{printed} {row['unit']}"
    who = f"{row['arm']} in {row['trial']}" if row.get("arm") else row["trial"]
    control = row.get("control")
    if with_control and control:
        printed += f" vs {_printed(control)} with {control['arm']}"
    return f"{who}, {printed} {cite([row['trial']], row['refs'])}".strip()


def _condition(artifact: dict[str, Any], metric: str) -> str:
    """What a filtered ranking kept: "a PFS HR whose 95% CI includes 1 (not significant)"."""
    parts = []
    if artifact.get("significant") is False:
        parts.append(f"a {metric} whose printed CI includes 1 (not significant)")
    elif artifact.get("significant"):
        parts.append(f"a {metric} whose printed CI excludes 1 (significant)")
    if artifact.get("versus_control"):
        side = "lower" if artifact["versus_control"] == "lower" else "higher"
        parts.append(f"{side} {metric} than their own control arm")
    limit = _limit(artifact)
    if limit:
        parts.append(f"{metric} {limit}")
    return " and ".join(parts)


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def _limit(artifact: dict[str, Any]) -> str:
    """ "at or below your limit of 0.55": the filter a comparison was asked with, or ""."""
    parts = []
    if artifact.get("at_most") is not None:
        parts.append(f"at or below your limit of {artifact['at_most']:g}")
    if artifact.get("at_least") is not None:
        parts.append(f"at or above your limit of {artifact['at_least']:g}")
    return " and ".join(parts)


# --- a patient ------------------------------------------------------------------------------


def selection_sentences(
    data: dict[str, Any], deciding: list[dict[str, Any]], cite: Cite, who: str = "this patient"
) -> list[str]:
    """The top options and what to avoid, or both cases when an unknown fact decides; `who` is
    the patient, or the setting a question about the review's advice names."""
    options = data.get("recommended", [])
    sentences = []
    setting = "later-line" if data.get("setting") == "later_line" else "first-line"
    if deciding:
        fact = deciding[0]
        cases = [f"if {c['when']}, {names(list(c['names']), 2)}" for c in fact["cases"]]
        sentences.append(f"The top {setting} options depend on {fact['topic']}: {'; '.join(cases)}")
    elif options:
        top = [o["name"] for o in options[:2]]
        trials = [t["name"] for o in options[:2] for t in o.get("trials", [])][:3]
        refs = sorted({r for o in options[:2] for r in o.get("refs", [])})
        sentences.append(
            f"For {who} the review's top {setting} options are {names(top, 2)} "
            f"{cite(trials, refs)}".strip()
        )
    elif data.get("outside_review"):
        sentences.append(data["outside_review"])
    else:
        sentences.append("The review supports no systemic option for this profile")
    groups = avoid_groups(data.get("avoid", []))
    # The bottom line names what to avoid for this patient's safety; the rest is in the details.
    safety = [g for g in groups if any(r.startswith("SAFETY-") for r in g[2])]
    if safety:
        shown = "; ".join(f"{names(g[1])} ({short_reason(g[0])})" for g in safety[:2])
        sentences.append(f"Avoid {shown}")
    if deciding:
        sentences.append(f"Please give {deciding[0]['ask']}")
    return sentences


def avoid_groups(avoid: list[dict[str, Any]]) -> list[tuple[str, list[str], list[str]]]:
    """(reason, regimen names, rule ids) with the regimens that share a reason together."""
    groups: dict[str, tuple[list[str], list[str]]] = {}
    for entry in avoid:
        for reason in entry.get("reasons") or [entry["reason"]]:
            names_, rules = groups.setdefault(reason, ([], []))
            names_.append(entry["name"])
            rules += [r for r in entry.get("rule_ids", []) if r not in rules]
    return [(reason, names_, rules) for reason, (names_, rules) in groups.items()]


def verdict_sentence(verdict: Verdict) -> str:
    value = {"suitable": "suitable", "caution": "use with caution", "avoid": "avoid"}[verdict.value]
    why = short_reason(verdict.reasons[0]) if verdict.reasons else ""
    sentence = f"{verdict.name}: {value} for this patient" + (f" ({why})" if why else "")
    # A caution the patient's own facts call for is settled by its check (an EGD first), not by
    # another regimen; one the review does not support here points to what it does.
    settled_by_check = verdict.value == "caution" and verdict.rule_ids and verdict.checks
    if verdict.value != "suitable" and verdict.alternatives and not settled_by_check:
        sentence += f"; better supported: {names(verdict.alternatives, 2)}"
    elif verdict.checks:
        sentence += f"; first: {short_check(verdict.checks[0])}"
    return sentence


def criteria_sentence(data: dict[str, Any]) -> str:
    sets = data.get("criteria_sets", [])
    if not sets:
        return ""
    parts = []
    for result in sets[:2]:
        status = result["overall"].replace("_", " ")
        # What decides it first: a criterion the patient fails, else the ones not known.
        failed = [c["text"] for c in result["criteria"] if c["status"] == "not_met"]
        unknown = [c["text"] for c in result["criteria"] if c["status"] == "unknown"]
        if failed:
            gap = f" (fails: {names(failed, 2)})"
        else:
            gap = f" (not known: {names([_lower_first(u) for u in unknown], 2)})" if unknown else ""
        parts.append(f"{result['name']}: {status}{gap}")
    return "; ".join(parts)


def criteria_answer(data: dict[str, Any]) -> str:
    """ "Yes" or "No" to "does he meet the criteria?", from the first set the review gives."""
    sets = data.get("criteria_sets", [])
    overall = sets[0]["overall"] if sets else "unknown"
    return {"met": "Yes", "not_met": "No"}.get(overall, "")


def locoregional_sentence(data: dict[str, Any], cite: Cite) -> str:
    options = data.get("options", [])
    if not options:
        return data.get("outside_review") or "The review supports no locoregional option here"
    first = options[0]
    sentence = f"{first['name']} first: {_lower_first(first['rationale'][0]).rstrip('.')}"
    sentence += f" {cite([t['name'] for t in first['trials']], first['refs'])}"
    avoid = data.get("avoid", [])
    if avoid:
        sentence += (
            f"; not {names([a['name'] for a in avoid])} ({short_reason(avoid[0]['reason'])})"
        )
    return sentence.strip()


# --- the review's words -----------------------------------------------------------------------


def passage_sentence(
    question: str,
    hits: list[dict[str, Any]],
    context: list[str],
    cite: Cite,
    limit: int = 1,
    explain: bool = False,
) -> list[str]:
    """The review's own sentences that answer the question, quoted and cited; for a why-question
    (`explain`), with the next sentence when it gives the reason."""
    quoted = []
    for sentence in best_sentences(question, hits, context, limit=limit):
        where = sentence.section.split(" > ")[-1]
        text = sentence.text.rstrip(".")
        refs = sentence.refs
        if explain and (reason := explanation(sentence, hits)):
            text = f"{text}. {reason.text.rstrip('.')}"
            refs = tuple(dict.fromkeys([*refs, *reason.refs]))
        quoted.append(f"The review ({where}): \u201c{text}.\u201d {cite([], refs)}".strip())
    return quoted
