from django.urls import path

from jiuzhu.web.statistics import views

app_name = "statistics"
urlpatterns = [
    path("", views.report_view, name="report"),
    path("export/", views.export_view, name="export"),
]
