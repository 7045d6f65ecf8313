from django.urls import path

from clerks import views

app_name = "clerks"
urlpatterns = [
    path("benutzer/", views.user_list, name="list"),
    path("berechtigungen/", views.overview, name="overview"),
    path("protokoll/", views.protocol, name="protocol"),
    path("einstellungen/", views.notice_settings, name="settings"),
    path("benutzer/neu/", views.create, name="create"),
    path("benutzer/neu/abrechnungsstellen/", views.create_units, name="create_units"),
    path("benutzer/<int:pk>/angelegt/", views.created, name="created"),
    path("benutzer/<int:pk>/", views.detail, name="detail"),
    path("benutzer/<int:pk>/handlungsbedarf/", views.attention_mark, name="attention_mark"),
    path("benutzer/<int:pk>/persoenliche-daten/", views.personal_data, name="personal_data"),
    path("benutzer/<int:pk>/zuordnen/", views.assign, name="assign"),
    path("benutzer/<int:pk>/einmalpasswort/", views.reset_otp, name="reset_otp"),
    path("benutzer/<int:pk>/uebergabeblatt/", views.handover_slip, name="handover_slip"),
    path("benutzer/<int:pk>/zweiter-faktor/", views.reset_factor, name="reset_factor"),
    path("benutzer/<int:pk>/sperren/", views.lock, name="lock"),
    path("benutzer/<int:pk>/sperren/<int:lock_pk>/aufheben/", views.unlock, name="unlock"),
    path("administratoren/<int:pk>/", views.administrator, name="administrator"),
    path("administratoren/<int:pk>/sperren/", views.lock_administrator, name="lock_administrator"),
    path("berechtigungen-bestaetigen/<int:member_pk>/", views.review, name="review"),
    path("berechtigungen-bestaetigen/<int:member_pk>/seite/", views.review_confirm_page, name="review_confirm_page"),
    path("berechtigungen-bestaetigen/<int:member_pk>/<int:pk>/", views.review_confirm, name="review_confirm"),
    path(
        "administratoren/<int:pk>/sperren/bestaetigen/",
        views.lock_administrator_confirm,
        name="lock_administrator_confirm",
    ),
]
