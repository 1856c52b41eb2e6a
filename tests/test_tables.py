"""The three tables of the review: exact block offsets and every cell, typed out from the text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from corpus.paths import REVIEW_PATH
from corpus.tables import (
    TableFormatError,
    find_table_blocks,
    parse_table1,
    parse_table2,
    parse_table3,
    table1_columns,
    table3_agents,
)

REVIEW = REVIEW_PATH.read_text(encoding="utf-8")

TABLE1_COLUMNS = (
    "mOS, mo",
    "OS, HR (95% CI)",
    "mPFS, mo",
    "PFS, HR (95% CI)",
    "ORR*, %",
    "DCR, %",
    "PD rate, %",
    "≥ Grade 3 TRAEs, %",
)

# trial, refs, category, arm label, then the eight columns above ("" = empty cell).
TABLE1 = [
    ("LEAP-002", (24,), "ICI+TKI", "lenvatinib + pembrolizumab",
     "21.2", "0.84 (0.708–0.997)", "8.2", "0.867 (0.734–1.024)", "26.1", "81.3", "12.2", "62.5"),
    ("LEAP-002", (24,), "ICI+TKI", "lenvatinib + placebo",
     "19.0", "", "8.0", "", "17.5", "78.4", "15", "57.5"),
    ("CARES-310", (16, 17), "ICI+TKI", "apatinib + camrelizumab",
     "23.8", "0.64 (0.52–0.79)", "5.6", "0.54 (0.44–0.67)", "26.8", "78.3", "16.2", "80.9"),
    ("CARES-310", (16, 17), "ICI+TKI", "sorafenib",
     "15.2", "", "3.7", "", "5.9", "53.9", "36.5", "52.4"),
    ("COSMIC-312", (35,), "ICI+TKI", "cabozantinib + atezolizumab",
     "15.4", "0.90 (99% CI 0.69–1.18)", "6.8", "0.63 (96% CI 0.44–0.91)", "11", "78", "14", "76"),
    ("COSMIC-312", (35,), "ICI+TKI", "sorafenib",
     "15.5", "", "4.2", "", "4", "65", "20", "57"),
    ("IMbrave150", (19, 20, 21), "ICI+anti-VEGF", "atezolizumab + bevacizumab",
     "19.2", "0.66 (0.52–0.85)", "6.9", "0.65 (0.53–0.81)", "30", "74", "19", "43"),
    ("IMbrave150", (19, 20, 21), "ICI+anti-VEGF", "sorafenib",
     "13.4", "", "4.3", "", "11", "55", "25", "46"),
    ("ORIENT-32", (15,), "ICI+anti-VEGF", "sintilimab + bevacizumab biosimilar (IBI305)",
     "NR", "0.57 (0.43–0.75)", "4.6", "0.56 (0.46–0.70)", "21", "72", "27", "34"),
    ("ORIENT-32", (15,), "ICI+anti-VEGF", "sorafenib",
     "10.4", "", "2.8", "", "4", "64", "33", "36"),
    ("CheckMate 9DW", (23,), "ICI+ICI", "nivolumab + ipilimumab",
     "23.7", "0.79 (0.65–0.96)", "9.1", "0.87 (0.72–1.06)", "36", "68", "20", "41"),
    ("CheckMate 9DW", (23,), "ICI+ICI", "lenvatinib or sorafenib",
     "20.6", "", "9.2", "", "13", "75", "14", "42"),
    ("HIMALAYA", (34,), "ICI+ICI", "tremelimumab + durvalumab",
     "16.4", "0.78 (96.02% CI 0.65–0.92)", "3.8", "0.90 (0.77–1.05)",
     "20.1", "60.1", "39.9", "25.8"),
    ("HIMALAYA", (34,), "ICI+ICI", "sorafenib",
     "13.8", "", "4.1", "", "5.1", "60.7", "39.3", "36.9"),
    ("APOLLO", (25,), "ICI+TKI", "anlotinib + penpulimab",
     "16.5", "0.69 (98.8% CI 0.52–0.92)", "6.9", "0.53 (96% CI 0.41–0.68)",
     "NA", "NA", "NA", "48.2"),
    ("APOLLO", (25,), "ICI+TKI", "sorafenib",
     "13.2", "", "2.8", "", "NA", "NA", "NA", "47.4"),
    ("HEPATORCH", (26,), "ICI+anti-VEGF", "toripalimab+ bevacizumab",
     "20.0", "0.76 (0.579–0.987)", "5.8", "0.69 (0.525–0.913)", "25.3", "71.0", "25.3", "45.7"),
    ("HEPATORCH", (26,), "ICI+anti-VEGF", "sorafenib",
     "14.5", "", "4.0", "", "6.1", "65.2", "25", "52.4"),
    ("NCT04560894", (18,), "ICI+anti-VEGF", "SCT-H10A+SCT510",
     "22.1", "0.60 (0.44–0.81)", "7.1", "0.50 (0.38–0.65)", "32.8", "78.6", "17.9", "84.8**"),
    ("NCT04560894", (18,), "ICI+anti-VEGF", "sorafenib",
     "14.2", "", "2.9", "", "4.3", "60.3", "23.3", "87.1**"),
]  # fmt: skip

TABLE2 = [
    ("Atezolizumab + bevacizumab", (19, 20, 21),
     ("Balance of efficacy and side effects", "Higher quality of life"),
     ("Inconvenient for conversion surgery: requires bevacizumab discontinuation",
      "Slightly higher PD rate")),
    ("Lenvatinib + pembrolizumab", (24,),
     ("Reliable efficacy", "Lowest PD rate: Suitable for conversion/neoadjuvant therapy"),
     ("Higher side effects", "Lack of positive Phase III studies")),
    ("Sintilimab + bevacizumab biosimilar (IBI305)", (15,),
     ("Fewer side effects", "Higher quality of life"),
     ("mOS was not reported", "High PD rate")),
    ("Apatinib + camrelizumab", (16, 17),
     ("Reliable efficacy", "Conversion and neoadjuvant applications"),
     ("Highest side effects", "HRQoL not superior to sorafenib")),
    ("Tremelimumab + Durvalumab", (34,),
     ("Relative lower toxicity profile",),
     ("Relatively high PD rate (39.9%)",
      "May not be suitable for patients with borderline resectable patient or patients with a "
      "large tumor burden")),
    ("Nivolumab + Ipilimumab", (23,),
     ("Best OS and highest ORR among all the phase III RCTs",),
     ("High rates of treatment-related death (4%)",
      "High rates of immune-related adverse effects")),
]  # fmt: skip

TABLE3_AGENTS = (
    "sorafenib",
    "lenvatinib",
    "regorafenib",
    "cabozantinib",
    "apatinib",
    "anlotinib",
    "bevacizumab",
    "ramucirumab",
)
TABLE3 = [
    ("VEGFR-1", ("21", "4.7", "13", "5294", "-", "26.9", "0.15", "-")),
    ("VEGFR-2", ("21", "3", "4.2", "0.035", "1", "0.2", "", "1–2")),
    ("VEGFR-3", ("16", "2.3", "46", "-", "-", "0.7", "", "-")),
    ("FGFR-1", ("340", "61", "202", "-", ">10,000", "-", "-", "-")),
    ("FGFR-2", ("150", "27", "~200", "-", "-", "-", "-", "-")),
    ("FGFR-3", ("340", "52", "-", "-", "-", "-", "-", "-")),
    ("FGFR-4", ("3400", "43", "-", "-", "-", "-", "-", "-")),
    ("PDGFR α", ("1.6", "29", "136", "-", ">1000", "-", "-", "-")),
    ("PDGFR β", ("27", "160", "22", "234", "-", "115", "-", "-")),
    ("c-KIT", ("140", "85", "7", "4.6", "429", "14.8", "-", "-")),
    ("RET", ("15", "6.4", "1.5", "4", "13", "-", "-", "-")),
    ("AXL", ("-", "-", "-", "7", "-", "-", "-", "-")),
]


# ------------------------------------------------------------------------------ block offsets


def test_three_blocks_in_order():
    assert [block.number for block in find_table_blocks(REVIEW)] == [1, 2, 3]


@pytest.mark.parametrize(
    ("number", "caption_start", "last_line_end", "running_text_after"),
    [
        (1, "Table 1 Summary of Efficacy and Safety Data",
         "VEGF, vascular endothelial growth factor.", "Table 2 Pros and Cons"),
        (2, "Table 2 Pros and Cons of Different Combination Regimens",
         "• High rates of immune-related adverse effects", "to more adverse events."),
        (3, "Table 3 The IC₅₀ on Specific Signaling Pathways", "AXL, Anexelekto.",
         "differences (HRs for sorafenib"),
    ],
)  # fmt: skip
def test_block_offsets_are_exact(number, caption_start, last_line_end, running_text_after):
    block = find_table_blocks(REVIEW)[number - 1]
    assert block.raw == REVIEW[block.start : block.end]
    assert block.raw.startswith(caption_start)
    assert block.caption == REVIEW[block.start : REVIEW.index("\n", block.start)]
    assert REVIEW[block.start - 1] == "\n"  # the caption begins a line
    assert block.raw.endswith(last_line_end)  # the last line, whole, and nothing after it
    assert REVIEW[block.end] == "\n"
    assert REVIEW[block.end :].lstrip("\n").startswith(running_text_after)


def test_blocks_hold_their_notes_and_every_row():
    table1, table2, table3 = find_table_blocks(REVIEW)
    assert "Notes: *according to blinded independent central review" in table1.raw
    assert "Abbreviations: RCT, randomized controlled trial" in table1.raw
    assert "NCT04560894 ¹⁸\tICI+anti-VEGF\tSCT-H10A+SCT510" in table1.raw
    assert "Nivolumab + Ipilimumab ²³\t" in table2.raw
    assert "Notes:" not in table2.raw and "Abbreviations:" not in table2.raw
    assert "AXL\t-\t-\t-\t7" in table3.raw
    assert "Abbreviations: VEGFR, vascular endothelial growth factor receptor" in table3.raw


def test_every_tab_separated_line_lies_in_a_block_and_no_running_text_does():
    blocks = find_table_blocks(REVIEW)
    offset = 0
    for line in REVIEW.split("\n"):
        inside = any(b.start <= offset < b.end for b in blocks)
        if "\t" in line:
            assert inside, line[:40]
        elif line.strip() and inside:
            assert line.startswith(("Table ", "Notes:", "Abbreviations:")), line[:40]
        offset += len(line) + 1


@given(st.text(alphabet="abc .,\n", max_size=40))
def test_offsets_follow_text_inserted_before_the_tables(prefix):
    shifted = find_table_blocks(prefix + "\n" + REVIEW)
    for before, after in zip(find_table_blocks(REVIEW), shifted, strict=True):
        assert after.start - before.start == len(prefix) + 1
        assert after.raw == before.raw


def test_text_without_tables_has_no_blocks_and_no_table():
    assert find_table_blocks("Introduction\n\nNo tables here.\n") == []
    with pytest.raises(TableFormatError, match="no Table 1"):
        parse_table1("Introduction\n")


def test_caption_without_rows_is_an_error():
    with pytest.raises(TableFormatError, match="not followed by any row"):
        find_table_blocks("Table 9 Empty\n\nRunning text.\n")


def test_row_with_a_missing_cell_is_an_error():
    damaged = REVIEW.replace("\t\tsorafenib\t15.2\t", "\t\tsorafenib\t", 1)
    with pytest.raises(TableFormatError, match="cells"):
        parse_table1(damaged)


# ----------------------------------------------------------------------------------- Table 1


def test_table1_columns_as_printed():
    assert table1_columns(REVIEW) == TABLE1_COLUMNS


def test_table1_has_ten_trials_of_two_arms():
    rows = parse_table1(REVIEW)
    assert [row.trial for row in rows] == list(dict.fromkeys(entry[0] for entry in TABLE1))
    assert all(len(row.arms) == 2 for row in rows)


def test_table1_every_cell():
    arms = [(row, arm) for row in parse_table1(REVIEW) for arm in row.arms]
    assert len(arms) == len(TABLE1) == 20
    for (row, arm), (trial, refs, category, label, *cells) in zip(arms, TABLE1, strict=True):
        assert (row.trial, row.refs, row.category, arm.label) == (trial, refs, category, label)
        expected = {col: cell for col, cell in zip(TABLE1_COLUMNS, cells, strict=True) if cell}
        assert arm.cells == expected, trial


def test_table1_hazard_ratios_only_on_the_first_arm():
    for row in parse_table1(REVIEW):
        first, second = row.arms
        assert {"OS, HR (95% CI)", "PFS, HR (95% CI)"} <= first.cells.keys()
        assert "OS, HR (95% CI)" not in second.cells and "PFS, HR (95% CI)" not in second.cells


def test_table1_teae_cells_keep_their_double_asterisk():
    marked = {
        (row.trial, arm.label): cell
        for row in parse_table1(REVIEW)
        for arm in row.arms
        for cell in arm.cells.values()
        if cell.endswith("**")
    }
    assert marked == {
        ("NCT04560894", "SCT-H10A+SCT510"): "84.8**",
        ("NCT04560894", "sorafenib"): "87.1**",
    }


# ----------------------------------------------------------------------------------- Table 2


def test_table2_regimens_pros_and_cons():
    rows = parse_table2(REVIEW)
    assert [(r.regimen, r.refs, r.pros, r.cons) for r in rows] == TABLE2


def test_table2_items_carry_no_markup():
    for row in parse_table2(REVIEW):
        for item in (*row.pros, *row.cons):
            assert "<" not in item and ">" not in item and "•" not in item
            assert item == item.strip()


# ----------------------------------------------------------------------------------- Table 3


def test_table3_agents():
    assert table3_agents(REVIEW) == TABLE3_AGENTS


def test_table3_every_cell():
    rows = parse_table3(REVIEW)
    assert [(row.target, tuple(row.values.values())) for row in rows] == TABLE3
    assert all(tuple(row.values) == TABLE3_AGENTS for row in rows)


def test_table3_empty_cells_differ_from_dashes():
    values = {row.target: row.values for row in parse_table3(REVIEW)}
    assert values["VEGFR-2"]["bevacizumab"] == ""
    assert values["VEGFR-3"]["bevacizumab"] == ""
    assert values["VEGFR-1"]["ramucirumab"] == "-"
    assert values["VEGFR-2"]["ramucirumab"] == "1–2"
