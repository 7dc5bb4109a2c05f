"""Her progress, opened from her follow-up link after she has answered: every score since her
first screen on one chart with its bands, her infusion marked, in plain words.

Nothing about her mental health is shown before she gives a date only she knows (her date of
birth or her baby's); wrong dates are counted on the link and enough of them lock it. The page
is no-store and noindex, and the check holds for this browser for a short while only."""

from collections import defaultdict

from django import forms
from django.shortcuts import redirect
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from perinatal.audit.log import record
from perinatal.audit.models import Action
from perinatal.clinic.pagecache import private_page
from perinatal.followup import services
from perinatal.followup.views import _closed, _respond
from perinatal.infusion.models import InfusionSession
from perinatal.lib.ratelimit import rate_limited
from perinatal.screening.charts import Result, score_charts
from perinatal.screening.content import crisis_resources
from perinatal.screening.instruments import definition
from perinatal.screening.models import Screening

SESSION_KEY = "followup:progress"
HOLD_SECONDS = 15 * 60  # the check holds this long in this browser


class DateForm(forms.Form):
    said = forms.DateField(
        label=_("Your date of birth, or your baby's"),
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}),
        error_messages={
            "required": _("Enter the date."),
            "invalid": _("Enter the date as year, month and day."),
        },
    )


def _checked(request, follow_up) -> bool:
    held = request.session.get(SESSION_KEY) or {}
    return held.get("id") == follow_up.pk and held.get("until", 0) > timezone.now().timestamp()


@private_page
@require_http_methods(["GET", "HEAD", "POST"])
@rate_limited("manage")
def progress(request, token):
    try:
        follow_up = services.progress_link(token)
    except services.LinkClosed:
        return _closed(request)
    with translation.override(follow_up.language):
        if _checked(request, follow_up):
            return _page(request, follow_up)
        form = DateForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            if services.is_her(follow_up, form.cleaned_data["said"]):
                request.session.cycle_key()
                request.session[SESSION_KEY] = {
                    "id": follow_up.pk,
                    "until": timezone.now().timestamp() + HOLD_SECONDS,
                }
                return redirect("followup:progress", token=token)
            follow_up.refresh_from_db(fields=["progress_failures"])
            if follow_up.progress_failures >= services.PROGRESS_TRIES:
                return _closed(request)
            form.add_error("said", _("That date does not match. Please try again."))
        return _respond(
            request,
            "followup/progress_check.html",
            {"form": form},
            status=400 if form.is_bound else 200,
        )


def _page(request, follow_up):
    """Her scores, oldest first, one chart per questionnaire, her infusions marked."""
    patient = follow_up.patient
    by_code: dict[str, list[Result]] = defaultdict(list)
    for code, total, band, alert, at in (
        Screening.objects.filter(patient=patient)
        .order_by("created_at")
        .values_list("instrument", "total", "band", "safety_alert", "created_at")
    ):
        by_code[code].append(Result(at=at, total=total, band=band, safety_alert=alert))
    infusions = list(
        InfusionSession.objects.filter(patient=patient, started_at__isnull=False)
        .order_by("started_at")
        .values_list("started_at", flat=True)
    )
    marks = [(at, str(_("Your infusion"))) for at in infusions]
    story = []
    for code, results in sorted(by_code.items()):
        found = definition(code)
        labels = {b.code: b.label for b in found.bands} if found else {}
        first, last = results[0], results[-1]
        story.append(
            {
                "name": found.abbreviation if found else code.upper(),
                "first": first,
                "last": last,
                "first_band": labels.get(first.band, first.band),
                "last_band": labels.get(last.band, last.band),
                "lower": last.total < first.total,
            }
        )
    record(Action.VIEW, follow_up, patient=patient.pk, detail={"by": "patient", "page": "progress"})
    return _respond(
        request,
        "followup/progress.html",
        {
            "charts": score_charts(by_code, marks),
            "story": story,
            "infusions": infusions,
            "crisis_resources": crisis_resources(follow_up.language),
        },
    )
