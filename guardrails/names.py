"""The offline name dictionary: given names, surnames, and the words that are never names alone.

Given names and surnames come from the US Census (1990: 5,494 given names, 88,799 surnames;
public domain, shipped by the PyPI package `names`), plus the international names in
guardrails/data/phi.yaml. "Ordinary" words are names only after a cue ("Dr Young"): spaCy's
English stop words, the words the review itself writes in lower case, and the list in phi.yaml.
Everything is read from installed files; nothing is downloaded.
"""

from __future__ import annotations

import importlib.util
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from corpus.paths import REVIEW_PATH
from corpus.yamlio import load_yaml

PHI_PATH = Path(__file__).parent / "data" / "phi.yaml"
_INITIALS = "b p m f d t n l g k h j q x zh ch sh r z c s y w".split()
_FINALS = (
    "a o e i u v ai ei ao ou an en ang eng ong er ia ie iao iu ian in iang ing iong ua uo uai ui "
    "uan un uang ue"
).split()
PINYIN = frozenset(i + f for i in ["", *_INITIALS] for f in _FINALS) - {""}


@lru_cache(maxsize=1 << 16)
def fold(word: str) -> str:
    """Lower case without accents or curly apostrophes: "Álvarez" and "alvarez" look alike."""
    if word.isascii():  # casefold is lower, and NFKD changes nothing: 100,000 census names
        return word.lower()
    decomposed = unicodedata.normalize("NFKD", word.casefold().replace("’", "'"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def is_pinyin_name(word: str) -> bool:
    """One or two pinyin syllables ("Wei", "Xiaoming", "Jian-guo"): a Chinese given name."""
    word = fold(word).replace("-", "").replace("'", "")
    if not word.isalpha() or len(word) > 12:
        return False
    if word in PINYIN:
        return True
    return any(word[:cut] in PINYIN and word[cut:] in PINYIN for cut in range(1, len(word)))


@cache
def load_phi_data(path: Path = PHI_PATH) -> dict[str, Any]:
    data: dict[str, Any] = load_yaml(path)
    return data


def _census(filename: str) -> set[str]:
    text = resources.files("names").joinpath(filename).read_text(encoding="utf-8")
    words = (line.split(maxsplit=1)[0] for line in text.splitlines() if line.strip())
    # The census lists are ASCII capitals: lower() is their fold, without fold()'s cache churn.
    return {word.lower() if word.isascii() else fold(word) for word in words}


def _review_lowercase_words() -> set[str]:
    """Words the review writes in lower case (its body, not its reference list)."""
    text = REVIEW_PATH.read_text(encoding="utf-8")
    body = text[: text.rfind("\nReferences")]
    return {fold(w) for w in re.findall(r"(?<![\w-])[a-z][a-z'-]+\b", body)}


@dataclass(frozen=True)
class NameDictionary:
    given: frozenset[str]
    surnames: frozenset[str]
    chinese_surnames: frozenset[str]
    ordinary: frozenset[str]  # never a name without a cue
    clinical: frozenset[str]  # never a name at all

    def is_given(self, word: str) -> bool:
        return fold(word) in self.given

    def is_surname(self, word: str) -> bool:
        key = fold(word)
        return key in self.surnames or key in self.chinese_surnames

    def is_chinese_surname(self, word: str) -> bool:
        return fold(word) in self.chinese_surnames

    def is_ordinary(self, word: str) -> bool:
        return fold(word) in self.ordinary

    def is_clinical(self, word: str) -> bool:
        return fold(word).strip(".") in self.clinical


def _spacy_stop_words() -> set[str]:
    """spaCy's English stop words, read from their module file: `import spacy.lang.en...` would
    first run spaCy's own `__init__` (half a second of a cold answer) for a list of words."""
    spec = importlib.util.find_spec("spacy")  # finds the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("spaCy is not installed: its English stop words are needed")
    path = Path(spec.submodule_search_locations[0]) / "lang" / "en" / "stop_words.py"
    module_spec = importlib.util.spec_from_file_location("_spacy_en_stop_words", path)
    if module_spec is None or module_spec.loader is None:
        raise ImportError(f"cannot read spaCy's stop words from {path}")
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)  # a word list with no imports of its own
    return set(module.STOP_WORDS)


@cache
def load_names() -> NameDictionary:
    data = load_phi_data()
    names = data["names"]
    clinical = {fold(w) for w in data["clinical"]["words"]}
    for word in list(clinical):
        clinical.update(part for part in re.split(r"[-/]", word) if len(part) > 2)
    ordinary = {fold(w) for w in names["ordinary"]} | {fold(w) for w in _spacy_stop_words()}
    ordinary |= _review_lowercase_words()
    given = (_census("dist.male.first") | _census("dist.female.first")) | {
        fold(w) for w in names["given"]
    }
    surnames = _census("dist.all.last") | {fold(w) for w in names["surnames"]}
    return NameDictionary(
        given=frozenset(given),
        surnames=frozenset(surnames),
        chinese_surnames=frozenset(fold(w) for w in names["chinese_surnames"]),
        ordinary=frozenset(ordinary),
        clinical=frozenset(clinical),
    )
