from django.urls import path

from jiuzhu.web.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.audit_log_view, name="log"),
    path("export.xlsx", views.export_view, name="export"),
]
