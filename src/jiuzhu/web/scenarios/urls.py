from django.urls import path

from jiuzhu.web.scenarios import views

app_name = "scenarios"
urlpatterns = [
    path("", views.scenario_list_view, name="list"),
    path("<int:pk>/", views.scenario_view, name="detail"),
    path("<int:pk>/<str:step>/", views.scenario_step_view, name="step"),
]
