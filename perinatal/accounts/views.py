"""Staff sign-in: password, then a second factor. (Being built: see issue 4.)"""

from django.http import HttpResponse


def sign_in(request):
    return HttpResponse(status=501)


def second_factor(request):
    return HttpResponse(status=501)


def sign_out(request):
    return HttpResponse(status=501)


def audit(request):
    return HttpResponse(status=501)
