"""Fonts: served by this server, and every weight the page asks for has real glyphs.

Gradio's bundled semi-bold (600) files hold a few dozen glyphs (no capital A or B), so bold text
fell back to synthesised or small-cap glyphs ("HIMᴀLᴀYᴀ"); the app's theme uses the full regular
and bold faces only, and the browser picks the bold face for 600 and 700 alike.
"""

from __future__ import annotations

import re
import string
from pathlib import Path

import gradio
from fontTools.ttLib import TTFont

import app
from guardrails.messages import DISCLAIMER
from ui.card import card_for
from ui.trials_view import table1

STATIC = Path(gradio.__file__).parent / "templates" / "frontend"


def _faces() -> list[tuple[str, int, Path]]:
    theme = app.theme()
    faces = []
    for font in [*theme._font, *theme._font_mono]:
        if not hasattr(font, "stylesheet"):
            continue  # a generic family the browser already has ("sans-serif")
        css = font.stylesheet()["css"]
        assert font.stylesheet()["url"] is None  # nothing from a font service
        for url, weight in re.findall(r"url\('([^']+)'\).*?font-weight: (\d+)", css, re.S):
            faces.append((font.name, int(weight), STATIC / url))
    return faces


def _shown_text() -> str:
    headers, rows = table1()
    cards = [
        card_for({"child_pugh_class": "A", "ecog": 0, "varices": "untreated_or_severe"}),
        card_for({"child_pugh_class": "B", "child_pugh_score": 7, "line": "later"}),
    ]
    return " ".join([*headers, *(c for row in rows for c in row), *cards, DISCLAIMER])


def test_every_face_is_a_local_file_with_every_letter_and_digit() -> None:
    faces = _faces()
    assert {(name, weight) for name, weight, _ in faces} == {
        ("Source Sans Pro", 400), ("Source Sans Pro", 700),
        ("IBM Plex Mono", 400), ("IBM Plex Mono", 700),
    }  # fmt: skip
    needed = set(string.ascii_letters + string.digits + string.punctuation)
    for name, weight, path in faces:
        assert path.is_file(), path
        cmap = TTFont(path).getBestCmap()
        missing = {c for c in needed if ord(c) not in cmap}
        assert not missing, (name, weight, sorted(missing))


def test_the_body_faces_cover_every_character_the_app_shows_in_bold_and_regular() -> None:
    text = _shown_text()
    for name, weight, path in _faces():
        if name != "Source Sans Pro":
            continue
        cmap = TTFont(path).getBestCmap()
        missing = {c for c in set(text) if c.strip() and ord(c) not in cmap}
        # Symbols only (≥, ✓): the browser takes them from a system font, at the right weight.
        assert all(not c.isalnum() for c in missing), (weight, sorted(missing))
        assert weight in (400, 700)
