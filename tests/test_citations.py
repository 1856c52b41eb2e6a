import pytest

from corpus.citations import expand, find_markers, refs_in, strip_markers
from corpus.paths import REVIEW_PATH


@pytest.mark.parametrize(
    ("text", "refs"),
    [
        ("survival rate of less than 20%.²⁻⁴ Consequently", (2, 3, 4)),
        ("in 2020, approximately half of which were in China.¹", (1,)),
        ("than sorafenib.^{19,20} The findings", (19, 20)),
        ("by retrospective studies.^{28–30}", (28, 29, 30)),
        ("guidelines generally recommend systemic treatment.^{2,5-10}", (2, 5, 6, 7, 8, 9, 10)),
        ("(Table 1).^{15,18–20} Therefore", (15, 18, 19, 20)),
        ("on or after first-line sorafenib treatment or chemotherapy.⁵⁻¹⁰", tuple(range(5, 11))),
        ("a median OS of 19.0 months,²⁴ while", (24,)),
        ("LEAP-002 ²⁴\tICI+TKI", (24,)),
        ("¹⁴,³¹ in superscript form", (14, 31)),
    ],
)
def test_every_marker_form_resolves_to_reference_numbers(text: str, refs: tuple[int, ...]) -> None:
    assert refs_in(text) == refs


def test_numbers_that_are_not_citations_are_left_alone() -> None:
    text = "mOS 19.2 months (HR 0.66; 95% CI 0.52–0.85), IC₅₀ of 4.2, n = 336"
    assert find_markers(text) == []
    assert strip_markers(text) == text


def test_strip_markers_removes_both_forms() -> None:
    assert strip_markers("than sorafenib.^{19,20} It was.²⁴") == "than sorafenib. It was."


def test_descending_range_is_an_error() -> None:
    with pytest.raises(ValueError, match="descending"):
        expand("21–19")


def test_all_citations_in_the_review_point_into_the_reference_list() -> None:
    text = REVIEW_PATH.read_text(encoding="utf-8")
    body = text[text.index("Introduction") : text.index("\nReferences\n")]
    cited = set(refs_in(body))
    assert cited <= set(range(1, 92))
    # Every reference of the list is cited somewhere in the body, tables included.
    assert cited == set(range(1, 92))
