from django.urls import path

from jiuzhu.web.workbench import views

app_name = "workbench"
urlpatterns = [
    path("", views.workbench_view, name="home"),
    path("help/", views.help_view, name="help"),
]
