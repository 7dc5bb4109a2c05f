"""Risk factors and crisis lines: data files with their sources, in each site language."""

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from perinatal.lib.phones import format_phone

DATA_DIR = Path(__file__).parent / "data"


@dataclass(frozen=True)
class RiskFactor:
    code: str
    label: str


@dataclass(frozen=True)
class CrisisResource:
    code: str
    name: str
    when: str
    number: str
    display: str
    call: bool
    text: bool


@cache
def _load(name: str) -> dict:
    return tomllib.loads((DATA_DIR / name).read_text(encoding="utf-8"))


def _lang(language: str) -> str:
    return "es" if language.startswith("es") else "en"


def risk_factors(language: str) -> list[RiskFactor]:
    lang = _lang(language)
    return [RiskFactor(f["code"], f[lang]) for f in _load("risk_factors.toml")["factors"]]


def risk_factor_sources() -> list[str]:
    return list(_load("risk_factors.toml")["sources"])


def risk_factor_codes() -> set[str]:
    return {f["code"] for f in _load("risk_factors.toml")["factors"]}


def crisis_resources(language: str) -> list[CrisisResource]:
    lang = _lang(language)
    return [
        CrisisResource(
            code=r["code"],
            name=r[lang]["name"],
            when=r[lang]["when"],
            number=r["number"],
            display=r.get("display")
            or (format_phone(r["number"]) if r["number"].startswith("+") else r["number"]),
            call=r["call"],
            text=r["text"],
        )
        for r in _load("crisis_resources.toml")["resources"]
    ]
