from django.urls import path

from perinatal.infusion import views

app_name = "infusion"

urlpatterns = [
    path("day/", views.board, name="board"),
    path("day/vials/", views.vials, name="vials"),
    path("infusions/<uuid:public_id>/", views.session_page, name="session"),
    path("infusions/<uuid:public_id>/record/", views.session_record, name="record"),
    path("infusions/<uuid:public_id>/record/addenda/", views.addendum, name="addendum"),
    path("infusions/<uuid:public_id>/record/ob-summary/", views.ob_summary, name="ob_summary"),
    path("infusions/<uuid:public_id>/instructions/", views.instructions, name="instructions"),
    path("infusions/<uuid:public_id>/questionnaire/", views.questionnaire, name="questionnaire"),
    path("infusions/<uuid:public_id>/check-in/", views.check_in, name="check_in"),
    path("infusions/<uuid:public_id>/dose/", views.prepare, name="prepare"),
    path("infusions/<uuid:public_id>/dose/check/", views.verify, name="verify"),
    path("infusions/<uuid:public_id>/vials/", views.open_vial, name="open_vial"),
    path("infusions/<uuid:public_id>/vials/close/", views.close_vial, name="close_vial"),
    path("infusions/<uuid:public_id>/go-ahead/", views.go_ahead, name="go_ahead"),
    path("infusions/<uuid:public_id>/start/", views.start, name="start"),
    path("infusions/<uuid:public_id>/change/", views.change, name="change"),
    path("infusions/<uuid:public_id>/observations/", views.observe, name="observe"),
    path("infusions/<uuid:public_id>/action/", views.act, name="act"),
    path("infusions/<uuid:public_id>/events/", views.adverse, name="adverse"),
    path("infusions/<uuid:public_id>/events/resolved/", views.resolve, name="resolve"),
    path("infusions/<uuid:public_id>/discharge/", views.discharge, name="discharge"),
    path(
        "infusions/<uuid:public_id>/next-day/handled/",
        views.next_day_handled,
        name="next_day_handled",
    ),
]
