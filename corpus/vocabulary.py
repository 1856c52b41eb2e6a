"""Concept vocabulary: clinical abbreviations, regimen and agent names, trial names.

Every surface form (EGD, esophagogastroduodenoscopy, endoscopy...) maps to one concept token
(`syn_egd`), so lexical search matches a passage that spells a concept differently from the query,
and the dense query can be expanded with the spelled-out forms MiniLM knows better.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from corpus.paths import SYNONYMS_PATH
from corpus.regimens import load_catalogue
from corpus.yamlio import load_yaml

ABBREVIATION_MAX_CHARS = 9  # "atezo/bev", "len/pembro"-length shorthand and shorter


def normalize(text: str) -> str:
    """Lower case with compatibility forms folded (IC₅₀ -> ic50, ﬁ -> fi)."""
    return unicodedata.normalize("NFKC", text).lower()


@dataclass(frozen=True)
class Concept:
    token: str
    surface_forms: tuple[str, ...]

    @property
    def expansion(self) -> str:
        """The longest spelled-out form, used to enrich a dense query."""
        return max(self.surface_forms, key=len)


class Vocabulary:
    def __init__(self, concepts: Iterable[Concept]) -> None:
        self.concepts = {c.token: c for c in concepts}
        forms: dict[str, set[str]] = {}
        for concept in self.concepts.values():
            for form in concept.surface_forms:
                forms.setdefault(normalize(form), set()).add(concept.token)
        self._tokens_by_form = forms
        alternation = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
        self._pattern = re.compile(rf"(?<![a-z0-9])(?:{alternation})(?![a-z0-9])")

    def concepts_in(self, text: str) -> list[str]:
        """Concept tokens for every surface form found in `text`, in order of appearance."""
        found: list[str] = []
        for match in self._pattern.finditer(normalize(text)):
            found.extend(sorted(self._tokens_by_form[match.group(0)]))
        return found

    def matches(self, text: str) -> list[tuple[str, int, int]]:
        """(concept token, start, end) for every surface form in `normalize(text)`."""
        return [
            (token, match.start(), match.end())
            for match in self._pattern.finditer(normalize(text))
            for token in sorted(self._tokens_by_form[match.group(0)])
        ]

    def expand(self, text: str) -> str:
        """`text` plus the spelled-out form of each abbreviation it uses (for dense search).

        Only short forms (EGD, PVTT, atezo/bev) are expanded: MiniLM does not know them, while
        adding synonyms of words it already understands only dilutes the query.
        """
        extra = []
        lowered = normalize(text)
        for token, start, end in self.matches(text):
            expansion = self.concepts[token].expansion
            is_abbreviation = end - start <= ABBREVIATION_MAX_CHARS
            if is_abbreviation and normalize(expansion) not in lowered and expansion not in extra:
                extra.append(expansion)
        return f"{text} ({'; '.join(extra)})" if extra else text


def _synonym_concepts(path: Path) -> list[Concept]:
    raw = load_yaml(path)
    return [Concept(f"syn_{key}", tuple(map(str, forms))) for key, forms in raw.items()]


def _catalogue_concepts() -> list[Concept]:
    catalogue = load_catalogue()
    concepts = [Concept(f"agent_{a.id}", (a.name, *a.aliases)) for a in catalogue.agents.values()]
    concepts += [
        Concept(f"regimen_{r.id}", (r.name, *r.aliases)) for r in catalogue.regimens.values()
    ]
    return concepts


def _trial_concepts() -> list[Concept]:
    from corpus.trials import load_trials

    return [
        Concept(f"trial_{re.sub(r'[^a-z0-9]+', '_', t.id.lower())}", (t.name, *t.aliases))
        for t in load_trials().trials
    ]


@cache
def load_vocabulary() -> Vocabulary:
    return Vocabulary(
        [*_synonym_concepts(SYNONYMS_PATH), *_catalogue_concepts(), *_trial_concepts()]
    )
