"""The outcome figures, from plain records: no database here, so every figure can be checked by
hand against a cohort built in a test.

One ``Course`` is one infusion seen through one instrument: her baseline score before the
infusion and what became of each follow-up the schedule asked for (answered with a score,
missed, or still open). Definitions (what counts as response, remission, durability) are the
medical director's settings, passed in as ``Definitions``.

Denominators are honest: a follow-up day counts those due (answered or missed; open ones are
shown apart and counted in neither), and every rate names the number it is a share of.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property

from perinatal.outcomes.stats import Mean, mean_with_interval

ANSWERED, MISSED, OPEN = "answered", "missed", "open"


@dataclass(frozen=True)
class Result:
    day: int
    status: str  # ANSWERED, MISSED or OPEN
    score: int | None = None


@dataclass(frozen=True)
class Course:
    key: str  # the infusion's public id
    instrument: str
    baseline: int | None
    baseline_band: str = ""
    weeks_postpartum: float | None = None
    breastfeeding: bool | None = None
    results: tuple[Result, ...] = ()

    @cached_property
    def _by_day(self) -> dict[int, Result]:
        return {r.day: r for r in self.results}

    def result(self, day: int) -> Result | None:
        return self._by_day.get(day)


@dataclass(frozen=True)
class Definitions:
    response_drop_pct: int = 50
    remission_below: int | None = None  # None: not defined for this instrument yet
    durability_from_day: int = 7
    durability_days: tuple[int, ...] = (42, 90)

    def responds(self, baseline: int, score: int) -> bool:
        """A drop of at least the set percentage from a baseline above zero (exact, in
        whole numbers)."""
        return baseline > 0 and (baseline - score) * 100 >= self.response_drop_pct * baseline

    def remits(self, score: int) -> bool | None:
        return None if self.remission_below is None else score < self.remission_below


@dataclass(frozen=True)
class Share:
    count: int
    of: int

    @property
    def pct(self) -> float | None:
        return 100 * self.count / self.of if self.of else None


@dataclass(frozen=True)
class Day:
    day: int
    due: int
    answered: int
    missed: int
    open: int
    change: Mean  # score minus baseline, over those answered with a baseline
    response: Share
    remission: Share | None  # None while the director has not defined remission

    @property
    def completion(self) -> Share:
        return Share(self.answered, self.due)


@dataclass(frozen=True)
class Durability:
    from_day: int
    day: int
    responders: int  # responding at ``from_day``
    followed: int  # of them, answered at ``day``
    still: int  # of those, still responding

    @property
    def share(self) -> Share:
        return Share(self.still, self.followed)


@dataclass(frozen=True)
class Summary:
    instrument: str
    infusions: int
    with_baseline: int
    baseline: Mean
    days: list[Day] = field(default_factory=list)
    durability: list[Durability] = field(default_factory=list)


@dataclass
class _Tally:
    """One follow-up day's counts, gathered in one pass over the courses."""

    answered: int = 0
    missed: int = 0
    open: int = 0
    changes: list[float] = field(default_factory=list)
    responders: int = 0
    remitters: int = 0

    def add(self, course: Course, result: Result, rules: Definitions) -> None:
        if result.status == MISSED:
            self.missed += 1
        elif result.status == OPEN:
            self.open += 1
        elif result.status == ANSWERED:
            self.answered += 1
            baseline, score = course.baseline, result.score
            if baseline is not None and score is not None:
                self.changes.append(score - baseline)
                self.responders += rules.responds(baseline, score)
                self.remitters += bool(rules.remits(score))

    def figures(self, day: int, rules: Definitions) -> Day:
        scored = len(self.changes)
        return Day(
            day=day,
            due=self.answered + self.missed,
            answered=self.answered,
            missed=self.missed,
            open=self.open,
            change=mean_with_interval(self.changes),
            response=Share(self.responders, scored),
            remission=None if rules.remission_below is None else Share(self.remitters, scored),
        )


def day_figures(courses: Iterable[Course], rules: Definitions) -> list[Day]:
    """Each follow-up day any course has, earliest first."""
    tallies: dict[int, _Tally] = {}
    for course in courses:
        for result in course.results:
            tally = tallies.get(result.day)
            if tally is None:
                tally = tallies[result.day] = _Tally()
            tally.add(course, result, rules)
    return [tallies[day].figures(day, rules) for day in sorted(tallies)]


def durability(courses: list[Course], rules: Definitions) -> list[Durability]:
    """Among those responding at the first day, how many still respond at each later day
    (of those who answered then)."""
    start = rules.durability_from_day
    responders = []
    for course in courses:
        first = course.result(start)
        if (
            course.baseline is not None
            and first is not None
            and first.score is not None
            and rules.responds(course.baseline, first.score)
        ):
            responders.append(course)
    found = []
    for day in rules.durability_days:
        later = [c.result(day) for c in responders]
        answered = [r for r in later if r is not None and r.status == ANSWERED]
        still = sum(
            1
            for c, r in zip(responders, later, strict=True)
            if r is not None and r.score is not None and rules.responds(c.baseline or 0, r.score)
        )
        found.append(Durability(start, day, len(responders), len(answered), still))
    return found


def summarise(instrument: str, courses: list[Course], rules: Definitions) -> Summary:
    baselines = [c.baseline for c in courses if c.baseline is not None]
    return Summary(
        instrument=instrument,
        infusions=len(courses),
        with_baseline=len(baselines),
        baseline=mean_with_interval([float(b) for b in baselines]),
        days=day_figures(courses, rules),
        durability=durability(courses, rules),
    )


# --- Who: the same figures for groups of patients -----------------------------------------------

POSTPARTUM_WEEKS = ((0, 4), (4, 12), (12, 26), (26, 52))


def postpartum_group(course: Course) -> str:
    weeks = course.weeks_postpartum
    if weeks is None:
        return "not known"
    for low, high in POSTPARTUM_WEEKS:
        if low <= weeks < high:
            return f"{low} to {high} weeks"
    return "52 weeks or more" if weeks >= 52 else "not known"


def breastfeeding_group(course: Course) -> str:
    if course.breastfeeding is None:
        return "not known"
    return "breastfeeding" if course.breastfeeding else "not breastfeeding"


def band_group(course: Course) -> str:
    return course.baseline_band or "no baseline"


SPLITS: dict[str, Callable[[Course], str]] = {
    "weeks postpartum at infusion": postpartum_group,
    "breastfeeding": breastfeeding_group,
    "baseline severity": band_group,
}


def split(
    instrument: str, courses: list[Course], rules: Definitions, by: Callable[[Course], str]
) -> dict[str, Summary]:
    groups: dict[str, list[Course]] = {}
    for course in courses:
        groups.setdefault(by(course), []).append(course)
    return {
        name: summarise(instrument, groups[name], rules) for name in sorted(groups, key=_in_order)
    }


def _in_order(label: str) -> tuple[int, float, str]:
    """Groups that start with a number in its order ("4 to 12 weeks" before "12 to 26 weeks"), then
    named ones, then the unknown."""
    if label in ("not known", "no baseline"):
        return (2, 0, label)
    number = label.split(" ")[0]
    return (0, float(number), label) if number.isdigit() else (1, 0, label)


# --- Side effects -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Effect:
    session: str  # the infusion's public id
    name: str
    minutes: float | None = None  # how long it lasted, when recorded on the day
    lasted: str = ""  # how long she said it lasted, the next day


@dataclass(frozen=True)
class EffectFigures:
    name: str
    sessions: Share  # infusions with it, of all infusions in the range
    median_minutes: float | None
    lasted: dict[str, int]  # her answers the next day: how long, and how many said so


def side_effects(effects: Iterable[Effect], infusions: int) -> list[EffectFigures]:
    """Each side effect, most frequent first: on how many infusions it was recorded (on the day
    or the next), how long it lasted on the day (median minutes, resolved ones), and how long
    she said it lasted."""
    by_name: dict[str, list[Effect]] = {}
    for effect in effects:
        by_name.setdefault(effect.name, []).append(effect)
    found = []
    for name, seen in by_name.items():
        minutes = sorted(e.minutes for e in seen if e.minutes is not None)
        lasted: dict[str, int] = {}
        for e in seen:
            if e.lasted:
                lasted[e.lasted] = lasted.get(e.lasted, 0) + 1
        found.append(
            EffectFigures(
                name=name,
                sessions=Share(len({e.session for e in seen}), infusions),
                median_minutes=_median(minutes),
                lasted=lasted,
            )
        )
    return sorted(found, key=lambda f: (-f.sessions.count, f.name))


def _median(values: list[float]) -> float | None:
    if not values:
        return None
    middle = len(values) // 2
    return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2
