from django.urls import path

from perinatal.pathway import views

app_name = "pathway"
urlpatterns = [
    path("plans/<uuid:public_id>/sign/", views.sign_plan, name="sign_plan"),
    path("plans/<uuid:public_id>/book/", views.book_infusion, name="book_infusion"),
    path("appointments/<uuid:public_id>/reconfirm/", views.reconfirm, name="reconfirm_infusion"),
]
