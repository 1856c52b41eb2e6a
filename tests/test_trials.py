"""Trial records: the loader, lookups, and every figure verified against the review text.

Verification rules (the issue's acceptance criteria):
(a) a Table 1 result equals its parsed cell, number for number; a Table 2 result quotes a bullet
    of its regimen's row; any other result quotes the review exactly, its printed `text` lies in
    the quote, every number of `text` is one of the record's numbers (so a figure cannot be
    attached to the wrong arm by sharing a quote), the quote lies under the section its `source`
    names, in the same paragraph as one of the trial's anchors, and the paragraph cites the
    result's refs. Paragraphs are rejoined across page breaks and tables: a paragraph that
    starts with neither a capital nor a digit continues the one before it (SOURCE.md: "(n" /
    "= 191)"). Figures sharing one quote must appear in the order of their arms and metrics,
    so "19.2 vs 13.4 months" cannot be given to the wrong arm nor "OS and PFS HRs" swapped.
(b) every Table 1 cell has exactly one record.
(c) the names clinicians type resolve to the right trials.
(d) the loader rejects records that do not fit the catalogue.
"""

from __future__ import annotations

import copy
import re
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from corpus.citations import find_markers
from corpus.parser import load_outline
from corpus.paths import REVIEW_PATH
from corpus.regimens import load_catalogue
from corpus.tables import find_table_blocks, parse_table1, parse_table2
from corpus.trials import (
    METRIC_LABELS,
    REFERENCE_COUNT,
    SECTION_SEPARATOR,
    TABLE1_COLUMNS,
    AmbiguousResultError,
    Metric,
    Result,
    Trial,
    TrialDataError,
    describe,
    load_trials,
    read_trials,
)

REVIEW = REVIEW_PATH.read_text(encoding="utf-8")
REGISTRY = load_trials()
TRIALS = REGISTRY.trials
RESULTS = [(trial, result) for trial in TRIALS for result in trial.results]
TEXT_RESULTS = [(t, r) for t, r in RESULTS if not r.from_table]
FINDINGS = [(trial, finding) for trial in TRIALS for finding in trial.findings]

_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_NUMBER_WORDS = {"one": Decimal(1)}
_RANGE = re.compile(r"(\d+(?:\.\d+)?)\s*[–-]\s*(\d+(?:\.\d+)?)")
_CI_LEVEL = re.compile(r"(\d+(?:\.\d+)?)% CI")
_TABLE1_CELL = re.compile(
    r"^(?:(?P<missing>NR|NA)|(?P<value>\d+(?:\.\d+)?)(?P<teae>\*\*)?"
    r"(?: \((?:(?P<level>\d+(?:\.\d+)?)% CI )?(?P<low>\d+(?:\.\d+)?)–(?P<high>\d+(?:\.\d+)?)\))?)$"
)
_COMPARATOR_WORDS = {">": "more than", "~": "nearly", "<": "less than"}


def _id(item: tuple[Trial, object]) -> str:
    trial, entry = item
    return f"{trial.id}:{getattr(entry, 'metric', 'finding')}:{getattr(entry, 'text', '')[:20]}"


def _dec(number: float | None) -> Decimal | None:
    return None if number is None else Decimal(str(number))


def _numbers(text: str) -> list[Decimal]:
    words = [_NUMBER_WORDS[w] for w in re.findall(r"[a-z]+", text) if w in _NUMBER_WORDS]
    return [Decimal(n) for n in _NUMBER.findall(text)] + words


# ------------------------------------------------------------------- the review's text structure


def _logical_paragraphs() -> list[tuple[int, int]]:
    """Spans of paragraphs outside the tables, rejoined across page breaks and tables."""
    tables = find_table_blocks(REVIEW)
    spans: list[tuple[int, int]] = []
    for match in re.finditer(r"[^\n]+(?:\n[^\n]+)*", REVIEW):
        if any(t.start <= match.start() < t.end for t in tables) or not match.group().strip():
            continue
        first = match.group().lstrip()[0]
        if spans and not (first.isupper() or first.isdigit()):
            spans[-1] = (spans[-1][0], match.end())  # a sentence cut by a page break or a table
        else:
            spans.append((match.start(), match.end()))
    return spans


PARAGRAPHS = _logical_paragraphs()
TABLES = [(block.start, block.end) for block in find_table_blocks(REVIEW)]


def _paragraph_of(quote: str) -> str:
    """The text of the paragraph holding `quote` (unique in the review), tables cut out."""
    start = _unique_offset(quote)
    end = start + len(quote)
    assert not any(low < end and start < high for low, high in TABLES), "quote inside a table"
    for low, high in PARAGRAPHS:
        if low <= start and end <= high:
            pieces, cursor = [], low
            for table_start, table_end in TABLES:
                if low <= table_start < high:
                    pieces.append(REVIEW[cursor:table_start])
                    cursor = table_end
            return "".join([*pieces, REVIEW[cursor:high]])
    raise AssertionError(f"{quote!r} is not inside one paragraph")


def _section_paths() -> list[tuple[int, str]]:
    """(offset of the heading line, section path) for every outline heading, in text order."""
    found, offset = [], 0
    for section in load_outline():
        match = re.compile(rf"^{re.escape(section.heading)}$", re.MULTILINE).search(REVIEW, offset)
        assert match, section.heading
        found.append((match.start(), SECTION_SEPARATOR.join(section.path)))
        offset = match.end()
    return found


SECTIONS = _section_paths()


def _section_at(offset: int) -> str:
    return [path for start, path in SECTIONS if start < offset][-1]


def _unique_offset(quote: str) -> int:
    assert REVIEW.count(quote) == 1, f"quote must occur exactly once in the review: {quote!r}"
    return REVIEW.index(quote)


def _assert_near_an_anchor(trial: Trial, quote: str) -> None:
    paragraph = _paragraph_of(quote)
    assert any(anchor in paragraph for anchor in trial.anchors), (
        f"{trial.id}: no anchor {trial.anchors} in the paragraph of {quote!r}"
    )


def _assert_cited_in_its_paragraph(refs: tuple[int, ...], quote: str) -> None:
    cited = {ref for marker in find_markers(_paragraph_of(quote)) for ref in marker.refs}
    assert set(refs) <= cited, f"refs {sorted(set(refs) - cited)} are not cited near {quote!r}"


# -------------------------------------------------------------------------------- the records


def test_registry_holds_every_trial_of_the_review():
    assert [t.id for t in TRIALS] == [
        "imbrave150", "orient-32", "hepatorch", "nct04560894", "cares-310", "apollo",
        "leap-002", "leap-012", "himalaya", "ctr20222433", "checkmate-9dw", "cosmic-312",
        "reflect", "lenvatinib-vs-atezo-bev-real-world", "european-lenvatinib-vs-atezo-bev-cohort",
        "sharp", "oriental", "donafenib-vs-sorafenib", "rationale-301",
        "asia-pacific-after-atezo-bev", "tki-after-atezo-bev-retrospective",
        "sequential-therapy-retrospective", "kcsg-hb23-04", "imbrave251", "contact-03",
        "tinivo-2", "anti-pd1-added-to-lenvatinib-retrospective",
        "lenvatinib-beyond-progression-japan", "ipilimumab-added-after-ici-progression", "launch",
        "conversion-criteria-lenvatinib-anti-pd1", "atezo-bev-vascular-invasion-conversion",
    ]  # fmt: skip


def test_metric_vocabulary():
    assert {m.value for m in Metric} >= {
        "mOS", "OS_HR", "mPFS", "PFS_HR", "ORR", "DCR", "PD_rate", "grade3_TRAE", "grade3_TEAE",
        "n", "treatment_related_death", "high_dose_steroids", "ADA_rate", "exposure_months",
        "risk_reduction_death", "downstaging_rate",
    }  # fmt: skip
    assert set(METRIC_LABELS) == set(Metric)


def test_reference_count_matches_the_reference_list():
    assert f"\n{REFERENCE_COUNT}. " in REVIEW and f"\n{REFERENCE_COUNT + 1}. " not in REVIEW


@pytest.mark.parametrize("trial", TRIALS, ids=lambda t: t.id)
def test_design_criteria_and_anchors_are_printed_in_the_review(trial):
    assert trial.design in REVIEW
    for criterion in trial.criteria:
        assert criterion in REVIEW
    if trial.region is not None:
        assert trial.region.quote in REVIEW, trial.region.quote
    assert trial.anchors
    for anchor in trial.anchors:
        assert anchor in REVIEW, anchor
        assert not find_markers(anchor), f"anchors must not hold citation markers: {anchor!r}"


@pytest.mark.parametrize("trial", TRIALS, ids=lambda t: t.id)
def test_named_in_review_says_whether_the_name_is_printed(trial):
    assert (trial.name in REVIEW) == trial.named_in_review


def test_indication_rcc_only_for_the_renal_cell_trials():
    assert {t.id for t in TRIALS if t.indication == "RCC"} == {"contact-03", "tinivo-2"}


# --------------------------------------------------- (a) every figure is printed next to its trial


@pytest.mark.parametrize(("trial", "result"), TEXT_RESULTS, ids=map(_id, TEXT_RESULTS))
def test_text_result_is_quoted_from_the_review(trial, result):
    assert result.quote is not None
    assert result.text in result.quote
    offset = _unique_offset(result.quote)
    if result.source == "table2":
        return  # checked against the parsed Table 2 below
    assert _section_at(offset) == result.source
    _assert_near_an_anchor(trial, result.quote)
    _assert_cited_in_its_paragraph(result.refs, result.quote)


@pytest.mark.parametrize(("trial", "result"), RESULTS, ids=map(_id, RESULTS))
def test_every_number_of_the_printed_text_is_a_recorded_number(trial, result):
    printed = result.text.replace("$", "")
    numbers = _numbers(printed)
    if result.value is not None:
        assert numbers and numbers[0] == _dec(result.value), (printed, result.value)
    if result.range_low is not None:
        assert numbers[:2] == [_dec(result.range_low), _dec(result.range_high)]
    if result.ci_low is not None:
        pairs = [(Decimal(a), Decimal(b)) for a, b in _RANGE.findall(printed)]
        assert (_dec(result.ci_low), _dec(result.ci_high)) in pairs
    recorded = {
        _dec(x)
        for x in (result.value, result.range_low, result.range_high, result.ci_low, result.ci_high)
    }
    recorded |= set(_numbers(result.p_value or ""))
    levels = [Decimal(level) for level in _CI_LEVEL.findall(printed)]
    if levels or not result.from_table:
        assert levels == ([_dec(result.ci_level)] if result.ci_level is not None else [])
    recorded |= set(levels)
    assert set(numbers) <= recorded, f"{printed!r} prints numbers the record lacks"


@pytest.mark.parametrize(("trial", "result"), TEXT_RESULTS, ids=map(_id, TEXT_RESULTS))
def test_p_values_and_comparators_are_printed(trial, result):
    plain_quote = (result.quote or "").replace("$", "")
    if result.p_value is not None:
        assert re.fullmatch(r"P [=<] \d+(?:\.\d+)?", result.p_value)
        assert result.p_value in plain_quote
    if result.comparator is not None:
        assert _COMPARATOR_WORDS[result.comparator] in result.text


# Quotes whose sentence gives its figures in another order than the trial lists its arms.
SENTENCE_ORDER = {
    ("tki-after-atezo-bev-retrospective", Metric.mPFS): ("lenvatinib", "sorafenib"),
    ("tki-after-atezo-bev-retrospective", Metric.ORR): ("lenvatinib", "sorafenib"),
    ("tki-after-atezo-bev-retrospective", Metric.mOS): ("lenvatinib", "sorafenib"),
    ("sequential-therapy-retrospective", Metric.mOS): ("post_len_tace", "post_len_sorafenib"),
}


def _figures_sharing_a_quote() -> list[tuple[Trial, list[Result]]]:
    groups: dict[tuple[str, str | None, str, str | None, str | None], list[Result]] = {}
    for trial, result in TEXT_RESULTS:
        if result.arm is not None:
            key = (trial.id, result.quote, result.metric, result.population, result.agent)
            groups.setdefault(key, []).append(result)
    return [(REGISTRY.get(key[0]), group) for key, group in groups.items() if len(group) > 1]


SHARED = _figures_sharing_a_quote()


@pytest.mark.parametrize(
    ("trial", "group"), SHARED, ids=[f"{t.id}:{g[0].metric}" for t, g in SHARED]
)
def test_figures_sharing_a_quote_follow_the_order_of_their_arms(trial, group):
    """Arms cannot swap: in "19.2 months vs 13.4 months" the first figure is the first arm's."""
    quote = group[0].quote
    printed = [r.arm for r in sorted(group, key=lambda r: quote.index(r.text))]
    declared = SENTENCE_ORDER.get((trial.id, group[0].metric), [a.id for a in trial.arms])
    assert printed == [arm for arm in declared if arm in printed]


def _metrics_sharing_a_quote() -> list[tuple[Trial, list[Result]]]:
    groups: dict[tuple[str, str | None, str | None, str | None, str | None], list[Result]] = {}
    for trial, result in TEXT_RESULTS:
        key = (trial.id, result.quote, result.measured_arm, result.population, result.agent)
        groups.setdefault(key, []).append(result)
    return [
        (REGISTRY.get(key[0]), group)
        for key, group in groups.items()
        if len({r.metric for r in group}) > 1
    ]


SHARED_METRICS = _metrics_sharing_a_quote()


@pytest.mark.parametrize(
    ("trial", "group"),
    SHARED_METRICS,
    ids=[f"{t.id}:{'+'.join(r.metric for r in g)}" for t, g in SHARED_METRICS],
)
def test_metrics_sharing_a_quote_follow_the_metric_order(trial, group):
    """OS and PFS cannot swap: in "HR for OS and PFS were 0.73 and 0.71" OS comes first.

    The review prints OS before PFS, medians before hazard ratios, death before progression,
    sites before countries: the order of the `Metric` enum.
    """
    quote = group[0].quote
    printed = [r.metric for r in sorted(group, key=lambda r: quote.index(r.text))]
    assert printed == sorted(printed, key=list(Metric).index)


def _table1_cells() -> dict[tuple[str, str, str], str]:
    """(trial id, arm id, column) -> cell, mapping Table 1 names and labels to the records."""
    cells = {}
    for row in parse_table1(REVIEW):
        trial = REGISTRY.resolve(row.trial)
        assert trial is not None, row.trial
        for arm in row.arms:
            (arm_id,) = [a.id for a in trial.arms if a.label == arm.label]
            for column, cell in arm.cells.items():
                cells[(trial.id, arm_id, column)] = cell
    return cells


TABLE1_CELLS = _table1_cells()
TABLE1_RESULTS = [(t, r) for t, r in RESULTS if r.source == "table1"]


@pytest.mark.parametrize(("trial", "result"), TABLE1_RESULTS, ids=map(_id, TABLE1_RESULTS))
def test_table1_result_equals_its_cell(trial, result):
    column = TABLE1_COLUMNS[result.metric]
    cell = TABLE1_CELLS[(trial.id, result.measured_arm, column)]
    assert result.text == cell
    parsed = _TABLE1_CELL.match(cell)
    assert parsed, cell
    assert result.value == (None if parsed["missing"] else float(parsed["value"]))
    assert (result.metric == Metric.grade3_TEAE) == bool(parsed["teae"])
    if parsed["low"]:
        header_level = re.search(r"\((\d+)% CI\)", column)  # "OS, HR (95% CI)"
        assert header_level
        level = parsed["level"] or header_level.group(1)  # a cell may print its own level
        assert (result.ci_low, result.ci_high, result.ci_level) == (
            float(parsed["low"]),
            float(parsed["high"]),
            float(level),
        )
    else:
        assert (result.ci_low, result.ci_high, result.ci_level) == (None, None, None)
    (row,) = [row for row in parse_table1(REVIEW) if REGISTRY.resolve(row.trial) is trial]
    assert result.refs == row.refs
    if result.arms:  # a hazard ratio: experimental arm (first row) vs control (second row)
        assert [trial.arm(a).label for a in result.arms] == [arm.label for arm in row.arms]
    assert result.population is None and result.quote is None


TABLE2_RESULTS = [(t, r) for t, r in RESULTS if r.source == "table2"]


@pytest.mark.parametrize(("trial", "result"), TABLE2_RESULTS, ids=map(_id, TABLE2_RESULTS))
def test_table2_result_quotes_a_bullet_of_its_regimen(trial, result):
    catalogue = load_catalogue()
    regimen = trial.arm(result.measured_arm or "").regimen
    rows = [
        r
        for r in parse_table2(REVIEW)
        if getattr(catalogue.resolve(r.regimen), "id", None) == regimen
    ]
    assert len(rows) == 1, regimen
    assert result.quote in (*rows[0].pros, *rows[0].cons)
    assert result.refs == rows[0].refs


@pytest.mark.parametrize(("trial", "finding"), FINDINGS, ids=map(_id, FINDINGS))
def test_finding_is_quoted_under_its_section_near_its_trial(trial, finding):
    offset = _unique_offset(finding.quote)
    assert _section_at(offset) == finding.source
    _assert_near_an_anchor(trial, finding.quote)
    _assert_cited_in_its_paragraph(finding.refs, finding.quote)


# --------------------------------------------------------------- (b) every Table 1 cell is recorded


def test_every_table1_cell_has_exactly_one_record():
    recorded: dict[tuple[str, str, str], list[str]] = {}
    for trial, result in TABLE1_RESULTS:
        key = (trial.id, result.measured_arm or "", TABLE1_COLUMNS[result.metric])
        recorded.setdefault(key, []).append(result.text)
    assert recorded == {key: [cell] for key, cell in TABLE1_CELLS.items()}
    assert len(TABLE1_CELLS) == 140


# --------------------------------------------- figures a clinician will ask for, arm by arm


SEQUENTIAL = "sequential-therapy-retrospective"
AFTER_LEN, AFTER_AB = "progression after lenvatinib", "progression after atezo/bev"
CRITERIA = "conversion-criteria-lenvatinib-anti-pd1"


@pytest.mark.parametrize(
    ("trial_id", "metric", "arm", "population", "source", "text"),
    [
        ("imbrave150", "mPFS", "atezo_bev", None, "table1", "6.9"),
        ("imbrave150", "mPFS", "atezo_bev", None, "text", "6.8 months"),
        ("imbrave150", "mPFS", "sorafenib", None, "text", "4.3 months"),
        ("imbrave150", "grade3_TRAE", "atezo_bev", None, "table1", "43"),
        ("imbrave150", "grade3_TRAE", "atezo_bev", None, "text", "45%"),
        ("imbrave150", "OS_HR", "atezo_bev", "ADA-positive patients", None,
         "0.96 (95% CI: 0.62–1.48)"),
        ("imbrave150", "OS_HR", "atezo_bev", "ADA-negative patients", None,
         "0.55 (95% CI: 0.41–0.74)"),
        ("imbrave150", "ADA_rate", "atezo_bev", None, None, "29.6%"),
        ("orient-32", "mOS", "sinti_ibi305", None, None, "NR"),
        ("cares-310", "risk_reduction_death", "camrel_apa", None, None, "36% lower risk of death"),
        ("cares-310", "grade3_TRAE", "camrel_apa", None, None, "80.9"),
        ("leap-002", "PFS_HR", "len_pembro", None, "table1", "0.867 (0.734–1.024)"),
        ("leap-002", "PFS_HR", "len_pembro", None, "text", "0.83 (95% CI: 0.71–0.98)"),
        ("leap-002", "OS_HR", "len_pembro", "Asian subgroup", None, "0.73"),
        ("leap-002", "PFS_HR", "len_pembro", "Asian subgroup", None, "0.71"),
        ("leap-002", "mOS", "len_placebo", "Asian subgroup", None, "22.4 months"),
        ("leap-002", "exposure_months", "len_pembro", None, None, "8.6 months"),
        ("leap-012", "mPFS", "tace_len_pembro", None, None, "14.6"),
        ("leap-012", "mPFS", "tace_placebo", None, None, "10.0 months"),
        ("himalaya", "OS_HR", "durvalumab", None, None, "HR = 0.86; 95.67% CI: 0.73–1.03"),
        ("himalaya", "risk_reduction_death", "stride", None, None, "28%"),
        ("checkmate-9dw", "treatment_related_death", "nivo_ipi", None, None, "4%"),
        ("checkmate-9dw", "high_dose_steroids", "nivo_ipi", None, None, "29%"),
        ("checkmate-9dw", "unevaluable_rate", "nivo_ipi", None, None, "12% unevaluable"),
        ("apollo", "OS_HR", "anlo_penpu", None, "table1", "0.69 (98.8% CI 0.52–0.92)"),
        ("apollo", "OS_HR", "anlo_penpu", None, "text", "HR=0.69, 95% CI, 0.52–0.92"),
        ("nct04560894", "grade3_TEAE", "sct_i10a_sct510", None, None, "84.8**"),
        ("reflect", "mOS", "lenvatinib", "Chinese patients", None, "15.0 months"),
        ("reflect", "mOS", "sorafenib", "Chinese patients", None, "10.2 months"),
        ("donafenib-vs-sorafenib", "grade3_TRAE", "donafenib", None, None, "57%"),
        ("donafenib-vs-sorafenib", "grade3_TRAE", "sorafenib", None, None, "67%"),
        ("donafenib-vs-sorafenib", "dose", "donafenib", None, None, "0.2 g twice daily"),
        ("donafenib-vs-sorafenib", "dose", "sorafenib", None, None, "0.4 g twice daily"),
        ("sharp", "mOS", "sorafenib", None, None, "6.5 months"),
        ("sharp", "mOS", "placebo", None, None, "4.2"),
        ("sharp", "ORR", "sorafenib", None, None, "2%"),
        ("oriental", "mOS", "sorafenib", None, None, "10.7 months"),
        ("oriental", "ORR", "sorafenib", None, None, "3.3%"),
        (SEQUENTIAL, "OS_HR", "post_len_tace", AFTER_LEN, None, "HR = 0.64; $P < 0.01$"),
        (SEQUENTIAL, "OS_HR", "post_ab_lenvatinib", AFTER_AB, None, "0.50"),
        (SEQUENTIAL, "OS_HR", "post_len_immunotherapy", AFTER_LEN, None, "0.69"),
        (SEQUENTIAL, "mOS", "post_len_tace", AFTER_LEN, None, "24.7"),
        (CRITERIA, "downstaging_rate", "met_criteria", None, None, "46.4%"),
        (CRITERIA, "downstaging_rate", "not_met_criteria", None, None, "2.3%"),
        ("ipilimumab-added-after-ici-progression", "ORR", "anti_pd1_ipi", None, None, "16% to 30%"),
    ],
)  # fmt: skip
def test_figure_for_an_arm(trial_id, metric, arm, population, source, text):
    result = REGISTRY.get(trial_id).result(metric, arm, population=population, source=source)
    assert result is not None and result.text == text


@pytest.mark.parametrize(
    ("trial_id", "arm", "n"),
    [("imbrave150", "atezo_bev", 336), ("imbrave150", "sorafenib", 165),
     ("orient-32", "sorafenib", 191), ("leap-002", "len_placebo", 399),
     ("himalaya", "durvalumab", 389), ("reflect", "lenvatinib", 478),
     ("tki-after-atezo-bev-retrospective", "cabozantinib", 1), ("leap-012", "tace_placebo", None)],
)  # fmt: skip
def test_arm_sizes_come_from_quoted_n_results(trial_id, arm, n):
    assert REGISTRY.get(trial_id).arm(arm).n == n


def test_sources_that_disagree_are_never_silently_merged():
    leap = REGISTRY.get("leap-002")
    with pytest.raises(AmbiguousResultError, match=r"0\.867"):
        leap.result(Metric.PFS_HR, "len_pembro")
    imbrave = REGISTRY.get("imbrave150")
    with pytest.raises(AmbiguousResultError):
        imbrave.result(Metric.mPFS, "atezo_bev")
    agreeing = imbrave.result(Metric.mOS, "atezo_bev")  # 19.2 in Table 1 and in the text
    assert agreeing is not None and agreeing.source == "table1"
    assert len(imbrave.results_for(Metric.mOS)) == 4


def test_pending_and_result_free_trials():
    assert REGISTRY.get("imbrave251").results == () and not REGISTRY.get("imbrave251").has_results
    assert not REGISTRY.get("ctr20222433").has_results
    assert REGISTRY.get("launch").findings and not REGISTRY.get("launch").results


def test_describe_shows_every_figure_with_its_source_and_refs():
    for trial in TRIALS:
        summary = describe(trial)
        assert summary.startswith(f"{trial.name} ({trial.id})")
        for result in trial.results:
            assert result.text.replace("$", "") in summary
        for finding in trial.findings:
            assert finding.quote in summary
    imbrave = describe(REGISTRY.get("imbrave150"))
    assert (
        "Median PFS, atezolizumab + bevacizumab: 6.9 months [Table 1; refs 19, 20, 21]" in imbrave
    )
    text_figure = "Median PFS, atezolizumab + bevacizumab: 6.8 months"
    assert f"{text_figure} [Atezolizumab Plus Bevacizumab; refs 19, 20]" in imbrave
    assert "reports no results" in describe(REGISTRY.get("imbrave251"))
    assert "does not print this study's name" in describe(REGISTRY.get("reflect"))


# ------------------------------------------------------------------------ (c) names resolve


@pytest.mark.parametrize(
    ("name", "trial_id"),
    [
        ("leap002", "leap-002"), ("LEAP 002", "leap-002"), ("the LEAP-002 trial", "leap-002"),
        ("imbrave 150", "imbrave150"), ("IMbrave150 study", "imbrave150"),
        ("9DW", "checkmate-9dw"), ("checkmate9dw", "checkmate-9dw"),
        ("CheckMate-9DW", "checkmate-9dw"),
        ("himalaya", "himalaya"), ("cares 310", "cares-310"), ("orient32", "orient-32"),
        ("SCT-H10A", "nct04560894"), ("SCT-I10A", "nct04560894"), ("nct04560894", "nct04560894"),
        ("REFLECT", "reflect"), ("Asia-Pacific trial", "oriental"), ("ALTN-AK105-III-02", "apollo"),
        ("NCT04770896", "imbrave251"), ("tinivo 2", "tinivo-2"), ("LEAP-012", "leap-012"),
        ("rationale 301", "rationale-301"), ("cosmic312", "cosmic-312"),
        ("KCSG HB23-04", "kcsg-hb23-04"),
    ],
)  # fmt: skip
def test_trial_names_and_shorthand_resolve(name, trial_id):
    trial = REGISTRY.resolve(name)
    assert trial is not None and trial.id == trial_id


NAMES = [(trial.id, name) for trial in TRIALS for name in (trial.name, *trial.aliases)]


@given(st.sampled_from(NAMES), st.randoms(use_true_random=False))
def test_names_resolve_whatever_the_case_and_punctuation(trial_and_name, rnd):
    trial_id, name = trial_and_name
    mangled = "".join(
        (char.upper() if rnd.random() < 0.5 else char.lower()) + rnd.choice(["", "", " ", "-", "/"])
        for char in name
    )
    trial = REGISTRY.resolve(mangled)
    assert trial is not None and trial.id == trial_id, mangled


@pytest.mark.parametrize("name", ["imbrave", "leap", "", "the study", "sorafenib trial", "XYZ-999"])
def test_unknown_or_ambiguous_names_do_not_resolve(name):
    assert REGISTRY.resolve(name) is None


@pytest.mark.parametrize(
    ("text", "first_trial", "all_trials"),
    [
        ("atezo/bev", "imbrave150", None),
        ("STRIDE", "himalaya", ["himalaya", "ctr20222433"]),
        ("treme/durva", "himalaya", ["himalaya", "ctr20222433"]),
        ("len/pembro", "leap-002", ["leap-002"]),
        ("len pembro", "leap-002", ["leap-002"]),
        ("camrelizumab+rivoceranib", "cares-310", ["cares-310"]),
        ("apatinib+camrelizumab", "cares-310", ["cares-310"]),
        ("SCT-I10A+SCT510", "nct04560894", ["nct04560894"]),
        ("SCT-H10A", "nct04560894", ["nct04560894"]),
        ("nivo/ipi", "checkmate-9dw", ["checkmate-9dw"]),
        ("TACE plus len/pembro", "leap-012", ["leap-012"]),
        ("donafenib", "donafenib-vs-sorafenib", ["donafenib-vs-sorafenib"]),
        ("tislelizumab", "rationale-301", ["rationale-301"]),
        ("leap002", "leap-002", ["leap-002"]),
    ],
)  # fmt: skip
def test_lookup_by_trial_or_regimen(text, first_trial, all_trials):
    found = [t.id for t in REGISTRY.lookup(text)]
    assert found and found[0] == first_trial
    if all_trials is not None:
        assert found == all_trials


def test_atezo_bev_lookup_lists_every_atezo_bev_study():
    assert [t.id for t in REGISTRY.lookup("atezolizumab plus bevacizumab")] == [
        "imbrave150",
        "lenvatinib-vs-atezo-bev-real-world",
        "european-lenvatinib-vs-atezo-bev-cohort",
        "atezo-bev-vascular-invasion-conversion",
    ]


def test_no_trial_name_shadows_a_regimen_name():
    catalogue = load_catalogue()
    for regimen in catalogue.regimens.values():
        for name in (regimen.name, *regimen.aliases):
            assert REGISTRY.resolve(name) is None, name


def test_lookup_of_nothing_known_is_empty_and_unknown_regimen_ids_raise():
    assert REGISTRY.lookup("aspirin") == []
    with pytest.raises(KeyError):
        REGISTRY.for_regimen("aspirin")


def test_every_arm_regimen_is_in_the_catalogue():
    catalogue = load_catalogue()
    for trial in TRIALS:
        for arm in trial.arms:
            assert arm.regimen is None or arm.regimen in catalogue.regimens


# ------------------------------------------------------------ (d) the loader rejects bad records

VALID = {
    "id": "test-trial",
    "name": "Test trial",
    "anchors": ["HIMALAYA"],
    "named_in_review": False,
    "phase": "III",
    "setting": "first-line",
    "indication": "HCC",
    "refs": [34],
    "design": "global phase III HIMALAYA study",
    "arms": [
        {"id": "stride", "regimen": "tremelimumab_durvalumab", "label": "STRIDE"},
        {"id": "sorafenib", "regimen": "sorafenib", "label": "sorafenib"},
    ],
    "results": [
        {"metric": "n", "arm": "stride", "value": 393, "text": "n = 393", "refs": [34],
         "source": "First-Line Systemic Treatment Strategies > First-Line Combination Treatment "
                   "Strategies > Tremelimumab Plus Durvalumab",
         "quote": "(STRIDE; n = 393)"},
        {"metric": "OS_HR", "arms": ["stride", "sorafenib"], "value": 0.78, "text": "0.78",
         "source": "table1", "refs": [34]},
    ],
}  # fmt: skip


def _write(tmp_path: Path, *trials: dict) -> Path:
    path = tmp_path / "trials.yaml"
    path.write_text(yaml.safe_dump({"trials": list(trials)}, allow_unicode=True), encoding="utf-8")
    return path


def test_a_valid_file_loads(tmp_path):
    registry = read_trials(_write(tmp_path, VALID))
    trial = registry.get("test-trial")
    assert trial.arm("stride").n == 393 and trial.arm("sorafenib").n is None
    assert isinstance(trial.results[0], Result)


def _broken(change) -> dict:
    trial = copy.deepcopy(VALID)
    change(trial)
    return trial


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t["arms"][0].update(regimen="stride_typo"), "unknown regimen 'stride_typo'"),
        (lambda t: t["results"][1].update(arms=["stride", "placebo"]), "unknown arm"),
        (lambda t: t["results"][0].update(arm="durvalumab"), "unknown arm"),
        (lambda t: t.update(refs=[34, 92]), "ref 92 is not in the reference list"),
        (lambda t: t["results"][0].update(refs=[0]), "not in the trial's refs"),
        (lambda t: t["results"][0].update(source="Results > X"), "neither a table nor a section"),
        (lambda t: t["results"][0].pop("quote"), "needs the quote"),
        (lambda t: t["results"][0].update(metric="median_survival"), "metric"),
        (lambda t: t["results"][1].update(metric="sites"), "Table 1 has no column"),
        (lambda t: t["results"][0].update(agent="aspirin"), "unknown agent"),
        (lambda t: t["arms"][0].update(n=400), "quoted `n` result"),
        (lambda t: t["results"][1].update(value=None), "not NR/NA"),
        (lambda t: t["results"][1].update(arm="stride"), "not both"),
        (lambda t: t.update(setting="adjuvant"), "setting"),
    ],
)  # fmt: skip
def test_loader_rejects(tmp_path, change, message):
    with pytest.raises(TrialDataError, match=re.escape(message)):
        read_trials(_write(tmp_path, _broken(change)))


def test_loader_rejects_a_file_without_a_trial_list(tmp_path):
    path = tmp_path / "trials.yaml"
    path.write_text("- just a list\n", encoding="utf-8")
    with pytest.raises(TrialDataError, match="`trials:` list"):
        read_trials(path)


def test_loader_rejects_a_name_shared_by_two_trials(tmp_path):
    other = _broken(lambda t: t.update(id="other-trial", name="Other", aliases=["Test-Trial"]))
    with pytest.raises(TrialDataError, match="also test-trial's"):
        read_trials(_write(tmp_path, VALID, other))


def test_a_region_must_be_printed_in_its_quote():
    from corpus.trials import Region

    with pytest.raises(ValueError, match="not in its quote"):
        Region(where="Japan", quote="conducted at 37 sites across China")


def test_the_trials_run_only_in_china_are_the_ones_the_review_says():
    china = {t.id for t in TRIALS if t.region and t.region.where == "China"}
    expected = {"orient-32", "hepatorch", "nct04560894", "donafenib-vs-sorafenib", "ctr20222433"}
    assert china == expected
