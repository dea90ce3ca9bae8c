from django.urls import path

from jiuzhu.web.jobs import views

app_name = "jobs"
urlpatterns = [
    path("", views.job_list_view, name="list"),
    path("<int:pk>/", views.job_detail_view, name="detail"),
    path("<int:pk>/households.xlsx", views.job_workbook_view, name="workbook"),
    path("<int:pk>/status/", views.job_status_view, name="status"),
    path("start/<slug:kind>/", views.start_view, name="start"),
]
