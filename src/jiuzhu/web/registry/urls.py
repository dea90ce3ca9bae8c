from django.urls import path

from jiuzhu.web.registry import views

app_name = "registry"
urlpatterns = [
    path("", views.search_view, name="search"),
    path("households/<int:pk>/", views.household_view, name="household"),
    path("households/<int:pk>/members/new/", views.add_member_view, name="add_member"),
    path("households/<int:pk>/declaration/", views.declaration_view, name="declaration"),
    path(
        "households/<int:pk>/persons/<int:person_pk>/unmask/",
        views.unmask_view,
        name="unmask",
    ),
]
