"""The records behind the outcome figures, read in a fixed number of queries whatever the size
of the cohort: the infusions given in a date range (their start, her delivery date, her plan's
breastfeeding), her baseline score before each, the follow-up questionnaires the schedule asked
for, and the side effects recorded on the day and the next day."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import DateTimeField, ExpressionWrapper, F, OuterRef, Subquery
from django.utils import timezone

from perinatal.followup.models import FollowUp
from perinatal.infusion.models import AdverseEvent, InfusionSession, NextDayCheck
from perinatal.outcomes.compute import ANSWERED, MISSED, OPEN, Course, Effect, Result
from perinatal.plans.models import TreatmentPlan
from perinatal.screening.instruments import definition
from perinatal.screening.models import Screening

STATUS: dict[str, str] = {
    FollowUp.Status.ANSWERED.value: ANSWERED,
    FollowUp.Status.MISSED.value: MISSED,
    FollowUp.Status.DUE.value: OPEN,
    FollowUp.Status.SENT.value: OPEN,
}  # a withdrawn follow-up (its infusion cancelled or redone) is not counted at all


@dataclass(frozen=True)
class Window:
    start: date
    end: date  # both days included, in the clinic's time zone

    def instants(self) -> tuple[datetime, datetime]:
        first = timezone.make_aware(datetime.combine(self.start, datetime.min.time()))
        after = timezone.make_aware(
            datetime.combine(self.end + timedelta(days=1), datetime.min.time())
        )
        return first, after


def infusions(window: Window):
    """The infusions given in the window: started, whatever came after."""
    first, after = window.instants()
    return InfusionSession.objects.filter(started_at__gte=first, started_at__lt=after)


def courses(window: Window, instrument: str, baseline_days: int) -> list[Course]:
    """One course per infusion in the window, seen through ``instrument``. Three queries."""
    found = definition(instrument)
    bands = found.bands if found else ()
    earliest = ExpressionWrapper(
        OuterRef("started_at") - timedelta(days=baseline_days), output_field=DateTimeField()
    )
    baseline = (
        Screening.objects.filter(
            patient=OuterRef("patient"),
            instrument=instrument,
            created_at__lt=OuterRef("started_at"),
            created_at__gte=earliest,
        )
        .order_by("-created_at")
        .values("total")[:1]
    )
    rows = (
        infusions(window)
        .annotate(baseline=Subquery(baseline), delivered=F("patient__delivery_date"))
        .values_list("pk", "public_id", "started_at", "baseline", "delivered", "plan__lactation")
    )
    results: dict[int, list[Result]] = {}
    first, after = window.instants()
    now = timezone.now()
    for session_id, day, status, total, opens_at in (
        FollowUp.objects.filter(
            session__started_at__gte=first,
            session__started_at__lt=after,
            anchor=FollowUp.Anchor.INFUSION,
            instrument=instrument,
            status__in=list(STATUS),
        )
        .values_list("session_id", "day", "status", "screening__total", "opens_at")
        .order_by("session_id", "day")
    ):
        if STATUS[status] == OPEN and opens_at > now:
            continue  # not asked yet: counted nowhere
        results.setdefault(session_id, []).append(Result(day, STATUS[status], total))
    found_courses = []
    for pk, public_id, started_at, score, delivered, lactation in rows:
        started = timezone.localdate(started_at)
        band = next((b.label for b in bands if score is not None and b.min <= score <= b.max), "")
        found_courses.append(
            Course(
                key=str(public_id),
                instrument=instrument,
                baseline=score,
                baseline_band=band,
                weeks_postpartum=(started - delivered).days / 7
                if delivered and delivered <= started
                else None,
                breastfeeding=None
                if not lactation
                else lactation != TreatmentPlan.Lactation.NOT_BREASTFEEDING,
                results=tuple(results.get(pk, ())),
            )
        )
    return found_courses


def effects(window: Window) -> list[Effect]:
    """Adverse events on the day (with how long each lasted, when resolved) and the side
    effects she named the next day (with how long she said). Two queries."""
    first, after = window.instants()
    in_window = {"session__started_at__gte": first, "session__started_at__lt": after}
    kinds = dict(AdverseEvent.Kind.choices)
    found = [
        Effect(
            session=str(session),
            name=str(kinds.get(kind, kind)),
            minutes=(resolved - at).total_seconds() / 60 if resolved else None,
        )
        for session, kind, at, resolved in AdverseEvent.objects.filter(**in_window).values_list(
            "session__public_id", "kind", "at", "resolved_at"
        )
    ]
    names = dict(NextDayCheck.SideEffect.choices)
    lasted = dict(NextDayCheck.Lasted.choices)
    for session, answers in NextDayCheck.objects.filter(
        **in_window, answered_at__isnull=False
    ).values_list("session__public_id", "side_effects"):
        for effect, how_long in (answers or {}).items():
            found.append(
                Effect(
                    session=str(session),
                    name=str(names.get(effect, effect)),
                    lasted=str(lasted.get(how_long, how_long)),
                )
            )
    return found
