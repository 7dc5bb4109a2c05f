from django.urls import path

from perinatal.pathway import views

app_name = "pathway"
urlpatterns = [
    path("plans/<int:pk>/sign/", views.sign_plan, name="sign_plan"),
    path("plans/<int:pk>/book/", views.book_infusion, name="book_infusion"),
    path("appointments/<uuid:public_id>/reconfirm/", views.reconfirm, name="reconfirm_infusion"),
]
