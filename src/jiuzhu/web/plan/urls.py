from django.urls import path

from jiuzhu.web.plan import views

app_name = "plan"
urlpatterns = [
    path("", views.dashboard_view, name="dashboard"),
    path("facilities/", views.facilities_view, name="facilities"),
    path("facilities/new/", views.facility_new_view, name="facility_new"),
    path("facilities/<int:pk>/", views.facility_view, name="facility"),
    path("facilities/<int:pk>/edit/", views.facility_edit_view, name="facility_edit"),
    path("facilities/<int:pk>/inspections/", views.inspect_view, name="inspect"),
    path("counselling/", views.counselling_view, name="counselling"),
    path("counselling/<int:pk>/", views.counselling_point_view, name="counselling_point"),
]
