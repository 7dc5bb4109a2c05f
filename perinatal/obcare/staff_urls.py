from django.urls import path

from perinatal.obcare import views

app_name = "obcare"
urlpatterns = [
    path("obs/", views.directory, name="directory"),
    path("obs/new/", views.ob_new, name="ob_new"),
    path("obs/<uuid:public_id>/", views.ob_edit, name="ob_edit"),
    path("patients/<uuid:public_id>/ob/", views.link_ob, name="link_ob"),
    path("patients/<uuid:public_id>/ob/new/", views.link_new_ob, name="link_new_ob"),
    path("patients/<uuid:public_id>/ob/edit/", views.edit_ob, name="edit_ob"),
    path("patients/<uuid:public_id>/ob-letters/new/", views.letter_new, name="letter_new"),
    path("ob-letters/<uuid:public_id>/", views.letter, name="letter"),
    path("ob-letters/<uuid:public_id>/edit/", views.letter_edit, name="letter_edit"),
    path("ob-letters/<uuid:public_id>/send/", views.letter_send, name="letter_send"),
    path("ob-letters/<uuid:public_id>/review/", views.letter_review, name="letter_review"),
    path("ob-letters/<uuid:public_id>/print/", views.letter_print, name="letter_print"),
    path("ob-letters/<uuid:public_id>/letter.pdf", views.letter_pdf, name="letter_pdf"),
]
