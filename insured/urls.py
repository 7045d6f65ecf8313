from django.urls import path

from insured.views import reports, workspace

app_name = "insured"
urlpatterns = [
    path("versicherte/", workspace.persons, name="persons"),
    path("versicherte/<int:pk>/", workspace.person, name="person"),
    path("versicherte/<int:pk>/meldung/neu/", reports.new, name="report_new"),
    path("versicherte/<int:pk>/meldung/neu/<slug:kind>/", reports.create, name="report_create"),
    path("meldungen/", workspace.reports, name="reports"),
    path("meldungen/neu/", reports.find_person, name="report_find"),
    path("meldungen/uebermitteln/", reports.submit, name="report_submit"),
    path("meldungen/<int:pk>/", reports.detail, name="report"),
    path("meldungen/<int:pk>/bearbeiten/", reports.edit, name="report_edit"),
    path("meldungen/<int:pk>/loeschen/", reports.delete, name="report_delete"),
]
