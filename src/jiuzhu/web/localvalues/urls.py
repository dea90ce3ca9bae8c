from django.urls import path

from jiuzhu.web.localvalues import views

app_name = "localvalues"
urlpatterns = [
    path("", views.local_values_view, name="list"),
    path("<int:pk>/check/", views.check_view, name="check"),
    path("<int:pk>/reject/", views.reject_view, name="reject"),
]
