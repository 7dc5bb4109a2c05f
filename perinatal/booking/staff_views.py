from django.http import HttpResponse


def appointment(request, pk):
    return HttpResponse(status=501)
