from django.urls import path

from perinatal.booking import views

app_name = "booking"

urlpatterns = [
    path("book/", views.choose, name="choose"),
    path("book/<slug:slug>/", views.times, name="times"),
    path("book/<slug:slug>/details/", views.details, name="details"),
    path("book/<slug:slug>/<uuid:location>/", views.times, name="times"),
    path("book/<slug:slug>/<uuid:location>/details/", views.details, name="details"),
    path("appointment/<str:token>/", views.manage, name="manage"),
    path("appointment/<str:token>/calendar.ics", views.calendar_file, name="calendar"),
    path("appointment/<str:token>/change/", views.change, name="change"),
    path("appointment/<str:token>/cancel/", views.cancel, name="cancel"),
]
