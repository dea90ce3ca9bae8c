from django.urls import path

from jiuzhu.web.discovery import alert_views, views

app_name = "discovery"
urlpatterns = [
    path("", views.inbox_view, name="inbox"),
    path("alerts/<int:pk>/", alert_views.alert_view, name="alert"),
    path("alerts/<int:pk>/<slug:step>/", alert_views.step_view, name="step"),
    path("register/", views.register_view, name="register"),
    path("register/export.xlsx", views.register_export_view, name="register_export"),
    path("runs/", views.run_list_view, name="runs"),
    path("runs/start/", views.start_run_view, name="start_run"),
    path("runs/<int:pk>/", views.run_view, name="run"),
    path("statistics/", views.statistics_view, name="statistics"),
]
