"""Questionnaires are data: each ``<code>.<language>.toml`` file is one validated instrument.

An instrument is loaded once, checked for internal consistency (contiguous items, bands that
cover every possible total exactly once), and then scored by position: the 0-based index of the
chosen option as displayed. Scores come from the file, never from the position, because the
direction of scoring changes between items (EPDS items 3 and 5-10 are reversed).

Clinics may add licensed translations or their own band cut-offs by listing extra folders in
``PERINATAL_INSTRUMENT_DIRS``; a file there replaces the shipped one with the same name.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

SHIPPED_DIR = Path(__file__).parent / "instruments"


class InvalidAnswers(ValueError):
    """Raised with a message fit to show to the person who sent the answers."""


@dataclass(frozen=True)
class Option:
    text: str
    score: int
    loinc: str = ""


@dataclass(frozen=True)
class Item:
    number: int
    text: str
    options: tuple[Option, ...]
    safety: bool = False
    loinc: str = ""


@dataclass(frozen=True)
class Band:
    code: str
    min: int
    max: int
    label: str
    summary: str


@dataclass(frozen=True)
class Instrument:
    code: str
    version: str
    language: str
    name: str
    abbreviation: str
    recall: str
    instructions: str
    citation: str
    licence: str
    loinc_panel: str
    loinc_total: str
    items: tuple[Item, ...]
    bands: tuple[Band, ...]

    @property
    def max_total(self) -> int:
        return sum(max(o.score for o in item.options) for item in self.items)

    @property
    def safety_items(self) -> tuple[Item, ...]:
        return tuple(item for item in self.items if item.safety)

    def band_for(self, total: int) -> Band:
        for band in self.bands:
            if band.min <= total <= band.max:
                return band
        raise ValueError(f"{total} is outside {self.code}'s range")

    def score(self, positions: Sequence[int]) -> ScoredAnswers:
        """Score one set of answers; raises InvalidAnswers for anything short of complete."""
        if isinstance(positions, str | bytes) or not isinstance(positions, Sequence):
            raise InvalidAnswers("Answers must be a list with one answer per question.")
        if len(positions) != len(self.items):
            raise InvalidAnswers(
                f"{self.abbreviation} has {len(self.items)} questions; "
                f"{len(positions)} answers were given. Every question needs an answer."
            )
        chosen = []
        for item, position in zip(self.items, positions, strict=True):
            if isinstance(position, bool) or not isinstance(position, int):
                raise InvalidAnswers(
                    f"The answer to question {item.number} must be a whole number."
                )
            if not 0 <= position < len(item.options):
                raise InvalidAnswers(
                    f"The answer to question {item.number} must be between 0 and "
                    f"{len(item.options) - 1}."
                )
            chosen.append(item.options[position])
        item_scores = tuple(option.score for option in chosen)
        total = sum(item_scores)
        safety_alert = any(
            item.safety and score > 0 for item, score in zip(self.items, item_scores, strict=True)
        )
        return ScoredAnswers(
            instrument=self,
            positions=tuple(positions),
            item_scores=item_scores,
            total=total,
            band=self.band_for(total),
            safety_alert=safety_alert,
        )


@dataclass(frozen=True)
class ScoredAnswers:
    instrument: Instrument
    positions: tuple[int, ...]
    item_scores: tuple[int, ...]
    total: int
    band: Band
    safety_alert: bool

    def answer_record(self) -> list[dict]:
        """What is stored: item score and the option text shown, not just its position."""
        return [
            {
                "item": item.number,
                "position": position,
                "score": item.options[position].score,
                "text": item.options[position].text,
            }
            for item, position in zip(self.instrument.items, self.positions, strict=True)
        ]


def _parse(path: Path) -> Instrument:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    default_options = tuple(Option(**o) for o in data.get("options", []))
    items = tuple(
        Item(
            number=raw["number"],
            text=raw["text"],
            options=tuple(Option(**o) for o in raw["options"])
            if "options" in raw
            else default_options,
            safety=raw.get("safety", False),
            loinc=raw.get("loinc", ""),
        )
        for raw in data["items"]
    )
    bands = tuple(Band(**raw) for raw in data["bands"])
    instrument = Instrument(
        code=data["code"],
        version=data["version"],
        language=data["language"],
        name=data["name"],
        abbreviation=data["abbreviation"],
        recall=data["recall"],
        instructions=data["instructions"],
        citation=data["citation"],
        licence=data["licence"],
        loinc_panel=data.get("loinc_panel", ""),
        loinc_total=data.get("loinc_total", ""),
        items=items,
        bands=bands,
    )
    _check(instrument, path)
    return instrument


def _check(instrument: Instrument, path: Path) -> None:
    def fail(reason: str):
        raise ImproperlyConfigured(f"Instrument file {path}: {reason}")

    if f"{instrument.code}.{instrument.language}.toml" != path.name:
        fail("its name must be <code>.<language>.toml and match the code and language inside")
    if [item.number for item in instrument.items] != list(range(1, len(instrument.items) + 1)):
        fail("items must be numbered 1, 2, 3 … in display order")
    for item in instrument.items:
        if len(item.options) < 2:
            fail(f"item {item.number} needs at least two options")
        if sorted(o.score for o in item.options) != list(range(len(item.options))):
            fail(f"item {item.number}'s scores must be 0 … {len(item.options) - 1}, each once")
    expected = 0
    for band in sorted(instrument.bands, key=lambda b: b.min):
        if band.min != expected or band.max < band.min:
            fail(f"band {band.code!r} must start at {expected}")
        expected = band.max + 1
    if expected != instrument.max_total + 1:
        fail(f"bands must end at the maximum total, {instrument.max_total}")


def _instrument_dirs() -> list[Path]:
    extra = getattr(settings, "PERINATAL_INSTRUMENT_DIRS", [])
    return [SHIPPED_DIR, *(Path(d) for d in extra)]


@cache
def load_all() -> dict[tuple[str, str], Instrument]:
    """All instruments by (code, language); later folders replace earlier ones."""
    found: dict[tuple[str, str], Instrument] = {}
    for folder in _instrument_dirs():
        for path in sorted(folder.glob("*.toml")):
            instrument = _parse(path)
            found[(instrument.code, instrument.language)] = instrument
    return found


def get_instrument(code: str, language: str) -> Instrument | None:
    return load_all().get((code, language))


def instrument_codes() -> list[str]:
    return sorted({code for code, _ in load_all()})


def languages_for(code: str) -> list[str]:
    return sorted(language for c, language in load_all() if c == code)


def definition(code: str) -> Instrument | None:
    """The instrument's definition, preferring English (bands are the same in every language)."""
    every = load_all()
    found = every.get((code, "en"))
    if found is None:
        found = next((i for (c, _), i in sorted(every.items()) if c == code), None)
    return found


def abbreviation(code: str) -> str:
    found = definition(code)
    return found.abbreviation if found else code.upper()


def band_label(code: str, band: str) -> str:
    found = definition(code)
    return next((b.label for b in found.bands if b.code == band), band) if found else band
