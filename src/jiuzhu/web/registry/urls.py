from django.urls import path

from jiuzhu.web.registry import upkeep_views, views

app_name = "registry"
urlpatterns = [
    path("", views.search_view, name="search"),
    path("export.xlsx", views.export_view, name="export"),
    path("households/new/", upkeep_views.new_household_view, name="new_household"),
    path("households/<int:pk>/", views.household_view, name="household"),
    path("households/<int:pk>/edit/", upkeep_views.edit_household_view, name="edit_household"),
    path("households/<int:pk>/members/new/", upkeep_views.add_member_view, name="add_member"),
    path(
        "households/<int:pk>/applicant/",
        upkeep_views.change_applicant_view,
        name="change_applicant",
    ),
    path(
        "households/<int:pk>/members/<int:membership_pk>/edit/",
        upkeep_views.edit_member_view,
        name="edit_member",
    ),
    path(
        "households/<int:pk>/members/<int:membership_pk>/merge/",
        upkeep_views.merge_view,
        name="merge",
    ),
    path(
        "households/<int:pk>/members/<int:membership_pk>/<slug:event>/",
        upkeep_views.member_event_view,
        name="member_event",
    ),
    path("households/<int:pk>/declaration/", views.declaration_view, name="declaration"),
    path(
        "households/<int:pk>/persons/<int:person_pk>/unmask/",
        views.unmask_view,
        name="unmask",
    ),
]
