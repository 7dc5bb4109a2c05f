from django.urls import path

from perinatal.patients import views

app_name = "patients"
urlpatterns = [
    path("", views.home, name="home"),
    path("queue/", views.queue, name="queue"),
    path("callbacks/<int:pk>/", views.callback, name="callback"),
    path("patients/", views.search, name="search"),
    path("patients/<int:pk>/", views.chart, name="chart"),
    path("patients/<int:pk>/edit/", views.edit, name="edit"),
    path("merges/", views.merges, name="merges"),
    path("merges/<int:pk>/", views.merge, name="merge"),
]
