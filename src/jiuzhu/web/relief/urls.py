from django.urls import path

from jiuzhu.web.relief import views

app_name = "relief"
urlpatterns = [
    path("", views.list_view, name="list"),
    path("admit/", views.admit_view, name="admit"),
    path("stays/<int:pk>/", views.stay_view, name="stay"),
    path("stays/<int:pk>/letter/", views.letter_view, name="letter"),
]
