from django.shortcuts import render
from django.utils.translation import get_language

from perinatal.clinic.pagecache import public_page
from perinatal.screening.content import risk_factors
from perinatal.screening.services import public_instrument


@public_page
def home(request):
    return render(
        request,
        "learn/home.html",
        {
            "risk_factors": risk_factors(get_language()),
            "self_screen": public_instrument(get_language()),
        },
    )


@public_page
def programme(request):
    return render(
        request, "learn/programme.html", {"self_screen": public_instrument(get_language())}
    )
