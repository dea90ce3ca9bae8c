from django.urls import path

from jiuzhu.web.privacy import views

app_name = "privacy"
urlpatterns = [
    path("households/<int:pk>/", views.household_view, name="household"),
    path(
        "households/<int:pk>/persons/<int:person_pk>/export/",
        views.export_view,
        name="export",
    ),
]
