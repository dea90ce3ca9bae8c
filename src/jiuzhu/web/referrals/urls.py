from django.urls import path

from jiuzhu.web.referrals import views

app_name = "referrals"
urlpatterns = [
    path("households/<int:household_pk>/", views.list_view, name="list"),
    path("households/<int:household_pk>/new/", views.new_view, name="new"),
    path("<int:pk>/letter/", views.letter_view, name="letter"),
]
