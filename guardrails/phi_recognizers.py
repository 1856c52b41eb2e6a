"""Our recognizers for clinical questions: record numbers, dates of birth, ages over 89, visit
dates, addresses (patterns from guardrails/data/phi.yaml), and names of people and hospitals from
the offline name dictionary (guardrails/names.py), in any letter case.

They are plain Python, not Presidio recognizers: they need no NLP artifacts and no context words,
so they run directly on every question, and Presidio's engine (a second of import and a second
of build) is only built when a question could hold what Presidio's own recognizers find
(guardrails/phi_presidio.py). Their findings are post-processed the way Presidio's engine does
it (guardrails/phi.py), so the outcome is the same as when they ran inside the engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import regex

from guardrails.names import NameDictionary, fold, is_pinyin_name

# A word: letters with inner apostrophes or hyphens ("O'Brien", "Jian-guo"), or an initial "J.".
_WORD = regex.compile(r"(?<![\p{L}\p{N}])\p{L}[\p{L}\p{M}]*(?:['’-]\p{L}[\p{L}\p{M}]*)*\.?")
_ARTICLES = frozenset({"of", "the", "and", "&", "for"})
_INSTITUTIONS = frozenset(
    {"university", "college", "school", "institute", "hospital", "medical", "academy", "clinic"}
)
_CUE_GAP = regex.compile(r"\s*[:,]?\s*")
_SCRIPTS = regex.compile(
    r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}\p{Cyrillic}\p{Arabic}\p{Hebrew}\p{Devanagari}"
    r"\p{Bengali}\p{Tamil}\p{Thai}\p{Georgian}\p{Armenian}\p{Ethiopic}]+"
    r"(?:[\s·・.-]*[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}\p{Cyrillic}\p{Arabic}\p{Hebrew}"
    r"\p{Devanagari}\p{Bengali}\p{Tamil}\p{Thai}\p{Georgian}\p{Armenian}\p{Ethiopic}]+)*"
)
_MAX_NAME_WORDS = 5


def _two_part(word: str) -> bool:
    """A hyphenated East Asian given name: two short capitalised parts ("Ji-woo", "Tai-man")."""
    parts = word.split("-")
    return len(parts) == 2 and all(1 < len(p) <= 5 and p.isalpha() for p in parts)


@dataclass(frozen=True)
class Word:
    text: str
    start: int
    end: int

    @property
    def bare(self) -> str:
        """Without a final full stop or possessive: "Dr." -> "Dr", "Vincent's" -> "Vincent"."""
        text = self.text.rstrip(".")
        return text[:-2] if text[-2:] in ("'s", "’s") and len(text) > 3 else text

    @property
    def is_initial(self) -> bool:
        return len(self.bare) == 1 and self.bare.isupper()

    @property
    def capitalised(self) -> bool:
        return self.text[:1].isupper()

    @property
    def upper(self) -> bool:
        return len(self.bare) > 1 and self.bare.isupper()


@dataclass(frozen=True)
class Finding:
    """What a recognizer found: an entity type, its span and its confidence (as Presidio's
    RecognizerResult, whose post-processing guardrails/phi.py reproduces)."""

    entity: str
    start: int
    end: int
    score: float


class RegexRecognizer:
    """Patterns from phi.yaml; `group` says which part of a match is the identifier."""

    def __init__(self, patterns: list[dict[str, Any]]) -> None:
        self.patterns = [
            (
                p["entity"],
                regex.compile(
                    p["regex"],  # verbose: the YAML folds long patterns over several lines
                    regex.VERBOSE | (0 if p.get("case_sensitive") else regex.IGNORECASE),
                ),
                int(p.get("group", 0)),
            )
            for p in patterns
        ]

    def analyze(self, text: str) -> list[Finding]:
        found = []
        for entity, pattern, group in self.patterns:
            for match in pattern.finditer(text):
                start, end = match.span(group)
                if end > start:
                    found.append(Finding(entity, start, end, 0.9))
        scripts = _SCRIPTS.finditer(text)  # other scripts in an English question: a name
        return found + [Finding("NAME", m.start(), m.end(), 0.8) for m in scripts]


class NameRecognizer:
    """People and hospitals, from cues, the name dictionary and letter case.

    - after an honorific ("Dr Young", "Mrs. O'Brien"): the capitalised words that follow;
    - after a weaker cue ("patient john smith", "seen by Okafor"): words that are names or
      capitalised, and not ordinary English or clinical words;
    - a given name with a surname or a capitalised word ("Jane Doe", "john smith");
    - a surname in capitals beside a capitalised word ("ZHANG Wei", "SMITH John");
    - a Chinese surname with a pinyin given name ("Li Xiaoming", "Wei Zhang");
    - "Surname, Given" ("Doe, Jane");
    - a facility word and the name words before and after it ("Ruijin Hospital", "Hospital of
      Sun Yat-sen University", "mercy hospital").
    Each name then grows over neighbouring capitalised words, initials and particles ("José
    María Álvarez de la Cruz"), so no piece of it is left behind.
    """

    def __init__(self, names: NameDictionary, data: dict[str, Any]) -> None:
        self.names = names
        spec = data["names"]
        self.honorifics = {fold(w) for w in spec["honorifics"]}
        self.cues: dict[str, list[tuple[str, ...]]] = {}
        for cue in sorted((tuple(fold(w).split()) for w in spec["cues"]), key=len, reverse=True):
            self.cues.setdefault(cue[0], []).append(cue)
        self.particles = {fold(w) for w in spec["particles"]}
        hospitals = data["hospitals"]
        self.facility: dict[str, list[tuple[str, ...]]] = {}
        for word in sorted(hospitals["keywords"], key=lambda w: -len(w.split())):
            keyword = tuple(fold(word).split())
            self.facility.setdefault(keyword[0], []).append(keyword)
        self.facility_inner = {fold(w) for w in hospitals["inner"]}
        self.facility_generic = {fold(w) for w in hospitals["generic"]}

    # --- word classes ---------------------------------------------------------------------

    def _plain(self, word: Word) -> bool:
        """An ordinary or clinical word: never part of a name without an honorific."""
        return self.names.is_ordinary(word.bare) or self.names.is_clinical(word.bare)

    def _namelike(self, word: Word) -> bool:
        """Could be a name here: in the dictionary, or capitalised, and not a plain word."""
        if self._plain(word) or word.bare.isdigit():
            return False
        dictionary = self.names.is_given(word.bare) or self.names.is_surname(word.bare)
        return dictionary or word.capitalised

    def _capital_name(self, word: Word) -> bool:
        return word.capitalised and not self._plain(word)

    # --- rules -----------------------------------------------------------------------------

    def _cue_length(self, words: list[Word], i: int) -> int:
        for cue in self.cues.get(fold(words[i].bare), ()):
            n = len(cue)
            if tuple(fold(w.bare) for w in words[i : i + n]) == cue:
                return n
        return 0

    def _after_cue(self, text: str, words: list[Word], i: int, honorific: bool) -> int:
        """How many words from position `i` form the name (0 if none)."""
        if i >= len(words) or not _CUE_GAP.fullmatch(text[words[i - 1].end : words[i].start]):
            return 0
        first = words[i]
        if not honorific and not first.capitalised and not self._given(first):
            return 0  # "patient john smith", but not "patient home address"
        if not honorific and first.upper and not self._in_dictionary(first):
            return 0  # an acronym after "patient" ("Patient DOB ...") is not a name
        taken = 0
        for word in words[i : i + _MAX_NAME_WORDS]:
            if taken and text[words[i + taken - 1].end : word.start] not in (" ", "-"):
                break  # a comma or a clause ends the name
            if fold(word.bare) in self.honorifics:
                break  # "seen by Dr. Okafor": the honorific's own rule takes the name
            lowercase_name = not first.capitalised
            if (
                (
                    honorific
                    and taken == 0
                    and word.capitalised
                    and not self.names.is_clinical(word.bare)
                )
                or (word.is_initial and word.text.endswith("."))
                or (
                    self._namelike(word)
                    and (self._in_dictionary(word) if lowercase_name else word.capitalised)
                )
            ):
                taken += 1
            else:
                break
        return taken

    def _given(self, word: Word) -> bool:
        """A given name, or a hyphenated one with a given name in it ("Sarah-Jane")."""
        if self.names.is_ordinary(word.bare):
            return False
        parts = [word.bare, *word.bare.split("-")] if "-" in word.bare else [word.bare]
        return any(self.names.is_given(part) for part in parts)

    def _in_dictionary(self, word: Word) -> bool:
        return self.names.is_given(word.bare) or self.names.is_surname(word.bare)

    def _pairs(self, text: str, words: list[Word], i: int) -> int:
        """A name of two or more words starting at `i`, by dictionary and letter case (0: none)."""
        if i + 1 >= len(words) or text[words[i].end : words[i + 1].start] not in (" ", "-"):
            return 0
        first, second = words[i], words[i + 1]
        names, clinical = self.names, self.names.is_clinical
        if clinical(first.bare) or clinical(second.bare):
            return 0
        if not first.capitalised and not second.capitalised:  # "john smith": both in the lists
            return 2 if self._given(first) and self._surname(second) else 0
        if first.capitalised and not self._plain(first) and fold(second.bare) in self.particles:
            # "Pieter de Vries", "Hans van der Berg", "Nguyen Van Minh"
            n = i + 1
            while n < len(words) and fold(words[n].bare) in self.particles:
                n += 1
            if n < len(words) and self._capital_name(words[n]):
                return n + 1 - i
            return 0
        if not (first.capitalised and second.capitalised) or self._plain(first):
            return 0
        if self._given(first):  # "Jane Doe", "Michael Brown", "Sarah-Jane Whitfield"
            return 2
        if self._plain(second):
            return 0
        if first.upper and self._surname(first):  # "ZHANG Wei", "SMITH John"
            return 2
        if second.upper and self._surname(second):  # "Wei ZHANG"
            return 2
        if self._surname(first) and (self._given(second) or _two_part(second.bare)):
            return 2  # surname first: "Tanaka Hiroshi", "Park Ji-woo", "Chan Tai-man"
        if names.is_chinese_surname(first.bare) and is_pinyin_name(second.bare):
            return 2  # "Li Xiaoming"
        if names.is_chinese_surname(second.bare) and is_pinyin_name(first.bare):
            return 2  # "Xiaoming Li"
        return 0

    def _surname(self, word: Word) -> bool:
        return not self.names.is_ordinary(word.bare) and self.names.is_surname(word.bare)

    def _grow(self, text: str, words: list[Word], start: int, end: int) -> tuple[int, int]:
        """Extend [start, end) over adjacent name pieces: capitalised words, initials, particles."""

        def piece(word: Word) -> bool:
            return (
                word.is_initial
                or self._capital_name(word)
                or (not word.capitalised and self._in_dictionary(word) and not self._plain(word))
            )

        while end < len(words) and end - start < 8:
            word = words[end]
            if text[words[end - 1].end : word.start] not in (" ", "-"):
                break  # a comma or a clause ends a name ("José Álvarez, born ...")
            lowercase_name = not words[start].capitalised
            if piece(word) and (word.capitalised or word.is_initial or lowercase_name):
                end += 1
            elif fold(word.bare) in self.particles:
                n = end
                while n < len(words) and fold(words[n].bare) in self.particles:
                    n += 1
                if n < len(words) and words[n].capitalised and piece(words[n]):
                    end = n + 1  # "van der Berg", "de la Cruz"
                else:
                    break
            else:
                break
        while start > 0 and text[words[start - 1].end : words[start].start] in (" ", "-"):
            word = words[start - 1]
            cue = fold(word.bare) in self.honorifics or fold(word.bare) in self.cues
            if word.capitalised and not self._plain(word) and not cue:
                start -= 1
            else:
                break
        return start, end

    def _hospital(self, text: str, words: list[Word], i: int) -> tuple[int, int] | None:
        """A facility name ending in a facility word at `i` ("Ruijin Hospital"), or None."""
        for keyword in self.facility.get(fold(words[i].bare), ()):
            n = len(keyword)
            if tuple(fold(w.bare) for w in words[i : i + n]) != keyword:
                continue
            start = i
            while start > 0 and i - start < 6:
                word = words[start - 1]
                if fold(word.bare) in self.facility_inner or self._namelike(word):
                    start -= 1
                else:
                    break
            while start < i and fold(words[start].bare) in _ARTICLES:
                start += 1
            end = self._hospital_tail(text, words, i + n)
            distinctive = any(
                w.capitalised or fold(w.bare) not in self.facility_generic for w in words[start:i]
            )
            if distinctive or end > i + n:  # not "a university hospital"
                return start, end
        return None

    def _hospital_tail(self, text: str, words: list[Word], end: int) -> int:
        """Past "Hospital of the University of Pennsylvania", "Hospital, Fudan University"."""
        tail = end
        while tail < len(words) and tail - end < 6:
            gap = text[words[tail - 1].end : words[tail].start]
            if gap not in (" ", "-") and not (tail == end and gap == ", "):
                break
            word = words[tail]
            following = fold(words[tail + 1].bare) if tail + 1 < len(words) else ""
            if fold(word.bare) in _ARTICLES or (
                word.capitalised and not self.names.is_clinical(word.bare)
            ):
                tail += 1
            elif word.capitalised and following in _INSTITUTIONS:
                tail += 1  # a city or province inside the name: "Zhejiang University"
            else:
                break
        after_comma = tail > end and text[words[end - 1].end : words[end].start] == ", "
        if after_comma and fold(words[tail - 1].bare) not in _INSTITUTIONS:
            return end  # "Tongji Hospital, Wuhan": the city after the comma is a place
        while tail > end and fold(words[tail - 1].bare) in _ARTICLES:
            tail -= 1
        return tail

    def analyze(self, text: str) -> list[Finding]:
        words = [Word(m.group(), m.start(), m.end()) for m in _WORD.finditer(text)]
        found: list[Finding] = []
        i = 0
        while i < len(words):
            span: tuple[int, int] | None = None
            entity = "NAME"
            hospital = self._hospital(text, words, i)
            key = fold(words[i].bare)
            cue = self._cue_length(words, i)
            if hospital is not None:
                span, entity = hospital, "HOSPITAL"
            elif key in self.honorifics and i + 1 < len(words):
                taken = self._after_cue(text, words, i + 1, honorific=True)
                span = (i + 1, i + 1 + taken) if taken else None
            elif cue:
                taken = self._after_cue(text, words, i + cue, honorific=False)
                span = (i + cue, i + cue + taken) if taken else None
            if span is None:
                if pair := self._pairs(text, words, i):
                    span = (i, i + pair)
                elif (
                    i + 2 < len(words)
                    and text[words[i].end : words[i + 1].start].strip() == ","
                    and words[i].capitalised
                    and self.names.is_surname(words[i].bare)
                    and not self._plain(words[i])
                    and self.names.is_given(words[i + 1].bare)
                    and words[i + 1].capitalised
                ):
                    span = (i, i + 2)
            if span is None or span[0] >= span[1]:
                i += 1
                continue
            start, end = span if entity == "HOSPITAL" else self._grow(text, words, *span)
            found.append(Finding(entity, words[start].start, words[end - 1].end, 0.85))
            i = max(end, i + 1)
        return found
