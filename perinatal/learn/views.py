from django.shortcuts import render
from django.utils.translation import get_language

from perinatal.screening.content import risk_factors
from perinatal.screening.services import public_instrument


def home(request):
    return render(
        request,
        "learn/home.html",
        {
            "risk_factors": risk_factors(get_language()),
            "self_screen": public_instrument(get_language()),
        },
    )


def programme(request):
    return render(
        request, "learn/programme.html", {"self_screen": public_instrument(get_language())}
    )
