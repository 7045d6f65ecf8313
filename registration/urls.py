from django.urls import path

from registration import views

app_name = "registration"
urlpatterns = [
    path("registrierung/", views.apply, name="apply"),
    path("registrierung/eingegangen/", views.done, name="done"),
]
