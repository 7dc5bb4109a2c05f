"""The outcome report for a date range and an instrument: what the dashboard shows, the CSV
holds and ``perinatal outcomes`` prints, made once here so the three always agree."""

from collections.abc import Iterator
from dataclasses import dataclass

from perinatal.outcomes import cohort
from perinatal.outcomes.compute import (
    SPLITS,
    EffectFigures,
    Share,
    Summary,
    side_effects,
    split,
    summarise,
)
from perinatal.outcomes.models import OutcomeSettings
from perinatal.screening.instruments import abbreviation, definition


@dataclass(frozen=True)
class Report:
    window: cohort.Window
    instrument: str
    abbreviation: str
    definitions: OutcomeSettings
    overall: Summary
    groups: dict[str, dict[str, Summary]]  # split name -> group label -> its summary
    effects: list[EffectFigures]

    @property
    def remission_below(self) -> int | None:
        return self.definitions.remission_below(self.instrument)

    @property
    def most(self) -> int:
        """The instrument's highest total."""
        found = definition(self.instrument)
        return found.max_total if found else 30

    @property
    def remission_defined(self) -> bool:
        return self.remission_below is not None


def build(window: cohort.Window, instrument: str) -> Report:
    """Seven queries, whatever the number of infusions."""
    settings = OutcomeSettings.objects.current()
    rules = settings.definitions(instrument)
    courses = cohort.courses(window, instrument, settings.baseline_days)
    return Report(
        window=window,
        instrument=instrument,
        abbreviation=abbreviation(instrument),
        definitions=settings,
        overall=summarise(instrument, courses, rules),
        groups={name: split(instrument, courses, rules, by) for name, by in SPLITS.items()},
        effects=side_effects(cohort.effects(window), len(courses)),
    )


# --- As rows, for the CSV and the command -----------------------------------------------------

HEADER = [
    "instrument", "from", "to", "split", "group", "measure", "day", "count", "of", "value",
    "low", "high",
]  # fmt: skip


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _share(share: Share | None) -> tuple[str, str, str]:
    if share is None:
        return ("", "", "")
    return (str(share.count), str(share.of), _num(share.pct))


def rows(report: Report) -> Iterator[list[str]]:
    """Every figure as one row: what it measures, for whom, on which day, the count and the
    number it is a share of, the value and its interval where it has one."""
    head = [report.instrument, report.window.start.isoformat(), report.window.end.isoformat()]
    summaries = [("all", "all", report.overall)] + [
        (name, group, summary)
        for name, groups in report.groups.items()
        for group, summary in groups.items()
    ]
    for split_name, group, summary in summaries:
        who = [*head, split_name, group]
        yield [*who, "infusions", "", str(summary.infusions), "", "", "", ""]
        yield [*who, "with a baseline", "", str(summary.with_baseline), "", "", "", ""]
        base = summary.baseline
        yield [*who, "baseline mean", "", str(base.n), "", _num(base.mean), _num(base.low),
               _num(base.high)]  # fmt: skip
        for day in summary.days:
            on = [*who]
            d = str(day.day)
            yield [*on, "due", d, str(day.due), "", "", "", ""]
            yield [*on, "answered", d, *_share(day.completion), "", ""]
            yield [*on, "missed", d, str(day.missed), str(day.due), "", "", ""]
            yield [*on, "still open", d, str(day.open), "", "", "", ""]
            change = day.change
            yield [*on, "mean change", d, str(change.n), "", _num(change.mean), _num(change.low),
                   _num(change.high)]  # fmt: skip
            yield [*on, "response", d, *_share(day.response), "", ""]
            if day.remission is not None:
                yield [*on, "remission", d, *_share(day.remission), "", ""]
        for lasting in summary.durability:
            yield [*who, f"still responding (of responders on day {lasting.from_day})",
                   str(lasting.day), *_share(lasting.share), "", ""]  # fmt: skip
    for effect in report.effects:
        yield [*head, "side effects", effect.name, "infusions with it", "",
               *_share(effect.sessions), "", ""]  # fmt: skip
