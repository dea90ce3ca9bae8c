from django.urls import path

from jiuzhu.web.entitlements import views

app_name = "entitlements"
urlpatterns = [
    path("", views.entitlement_list_view, name="list"),
    path("export.xlsx", views.export_view, name="export"),
    path("<int:pk>/", views.entitlement_view, name="detail"),
    path("<int:pk>/<slug:step>/", views.step_view, name="step"),
    path("tasks/", views.task_queue_view, name="tasks"),
    path("tasks/run-checks/", views.run_checks_view, name="run_checks"),
    path("tasks/<int:pk>/", views.task_view, name="task"),
    path("tasks/<int:pk>/<slug:step>/", views.task_step_view, name="task_step"),
    path("standard-changes/", views.run_list_view, name="runs"),
    path("standard-changes/<int:pk>/", views.run_view, name="run"),
    path("standard-changes/<int:pk>/<slug:step>/", views.run_step_view, name="run_step"),
]
