from django.urls import path

from jiuzhu.web.cases import views

app_name = "cases"
urlpatterns = [
    path("applications/", views.application_list_view, name="application_list"),
    path("applications/export.xlsx", views.export_view, name="export"),
    path("applications/<int:pk>/", views.application_view, name="application"),
    path("applications/<int:pk>/<slug:step>/", views.step_view, name="step"),
    path(
        "households/<int:household_pk>/apply/", views.new_application_view, name="new_application"
    ),
]
