from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods

from perinatal.clinic.pagecache import private_page
from perinatal.lib.ratelimit import rate_limited
from perinatal.screening.content import crisis_resources, risk_factor_sources, risk_factors
from perinatal.screening.forms import CallbackForm, ScreeningForm
from perinatal.screening.instruments import get_instrument
from perinatal.screening.models import Screening
from perinatal.screening.services import public_instrument, request_callback, save_screening

SESSION_KEY = "screening"


def session_screening(request) -> Screening | None:
    public_id = request.session.get(SESSION_KEY)
    if not public_id:
        return None
    return Screening.objects.filter(public_id=public_id).first()


@private_page
@require_http_methods(["GET", "HEAD", "POST"])
@rate_limited("screening")
def check(request):
    language = get_language()
    instrument = public_instrument(language)
    if instrument is None:
        return render(request, "screening/unavailable.html", status=200)

    previous = session_screening(request)
    if request.method == "POST":
        form = ScreeningForm(request.POST, instrument=instrument, language=language)
        if form.is_valid():
            screening = save_screening(
                scored=instrument.score(form.positions()),
                risk_factors=form.cleaned_data["risk_factors"],
                channel=Screening.Channel.WEB,
                replaces=str(previous.public_id) if previous else None,
            )
            request.session[SESSION_KEY] = str(screening.public_id)
            return redirect("screening:result")
    else:
        initial = {}
        if previous and previous.instrument == instrument.code:
            initial = {f"q{a['item']}": str(a["position"]) for a in previous.answers}
            initial["risk_factors"] = previous.risk_factors
        form = ScreeningForm(initial=initial, instrument=instrument, language=language)
    return render(request, "screening/check.html", {"form": form, "instrument": instrument})


@private_page
def result(request):
    screening = session_screening(request)
    if screening is None:
        return redirect("screening:check")
    instrument = get_instrument(screening.instrument, screening.language)
    language = get_language()
    chosen = set(screening.risk_factors)
    return render(
        request,
        "screening/result.html",
        {
            "screening": screening,
            "instrument": instrument,
            "band": instrument.band_for(screening.total) if instrument else None,
            "risk_factors": [f for f in risk_factors(language) if f.code in chosen],
            "risk_factor_sources": risk_factor_sources(),
            "crisis_resources": crisis_resources(language),
            "callback_form": CallbackForm(),
        },
    )


@private_page
@require_http_methods(["GET", "HEAD", "POST"])
@rate_limited("callback")
def callback(request):
    """Urgent call-back: first name and phone only. Offered with the crisis lines, never instead."""
    screening = session_screening(request)
    if request.method == "POST":
        form = CallbackForm(request.POST)
        if form.is_valid():
            request_callback(
                first_name=form.cleaned_data["first_name"],
                phone=form.cleaned_data["phone"],
                language=get_language(),
                screening=screening,
                urgent=True,
            )
            return redirect("screening:callback_thanks")
    else:
        form = CallbackForm()
    return render(
        request,
        "screening/callback.html",
        {"callback_form": form, "crisis_resources": crisis_resources(get_language())},
    )


@private_page
def callback_thanks(request):
    return render(
        request,
        "screening/callback_thanks.html",
        {"crisis_resources": crisis_resources(get_language())},
    )


def help_now(request):
    return render(
        request,
        "screening/help_now.html",
        {"crisis_resources": crisis_resources(get_language()), "callback_form": CallbackForm()},
    )
