from django.http import HttpResponse


def home(request):
    return HttpResponse(status=501)


def queue(request):
    return HttpResponse(status=501)


def search(request):
    return HttpResponse(status=501)
