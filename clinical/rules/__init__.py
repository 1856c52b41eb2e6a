"""The rule core: deterministic, cited regimen selection for a patient profile.

Rules are data (clinical/rules/data/*.yaml) evaluated by a small engine; safety invariants are
enforced in code after the rules. Every function is pure: the same profile gives the same result.
"""

from clinical.rules.book import RuleBook, load_rulebook
from clinical.rules.conditions import RuleDataError
from clinical.rules.output import (
    AvoidedOption,
    Certainty,
    CriteriaSetResult,
    CriterionResult,
    KeyFigure,
    LocoregionalChoice,
    Note,
    PrerequisiteCheck,
    Recommendation,
    RecommendedOption,
    RegionalNote,
    ResectabilityAssessment,
    Source,
)
from clinical.rules.select import (
    first_line,
    later_line,
    locoregional_choice,
    potential_resectability,
    recommend,
)

__all__ = [
    "AvoidedOption",
    "Certainty",
    "CriteriaSetResult",
    "CriterionResult",
    "KeyFigure",
    "LocoregionalChoice",
    "Note",
    "PrerequisiteCheck",
    "Recommendation",
    "RecommendedOption",
    "RegionalNote",
    "ResectabilityAssessment",
    "RuleBook",
    "RuleDataError",
    "Source",
    "first_line",
    "later_line",
    "load_rulebook",
    "locoregional_choice",
    "potential_resectability",
    "recommend",
]
