from django.urls import path

from jiuzhu.web.documents import views

app_name = "documents"
urlpatterns = [
    path("applications/<int:pk>/materials/", views.materials_view, name="materials"),
    path("applications/<int:pk>/materials/upload/", views.upload_view, name="upload"),
    path("materials/<int:pk>/", views.scan_view, name="scan"),
    path("materials/<int:pk>/replace/", views.replace_view, name="replace"),
    path("materials/<int:pk>/withdraw/", views.withdraw_view, name="withdraw"),
    path(
        "applications/<int:pk>/<slug:kind>/",
        views.application_document_view,
        name="application_document",
    ),
    path(
        "applications/<int:pk>/<slug:kind>.pdf", views.application_pdf_view, name="application_pdf"
    ),
    path("applications/<int:pk>/<slug:kind>/issue/", views.issue_view, name="issue"),
    path("entitlements/<int:pk>/termination/", views.termination_view, name="termination"),
    path(
        "entitlements/<int:pk>/termination.pdf",
        views.termination_pdf_view,
        name="termination_pdf",
    ),
    path(
        "entitlements/<int:pk>/termination/issue/",
        views.termination_issue_view,
        name="termination_issue",
    ),
    path("recoveries/<int:pk>/fraud-decision/", views.fraud_decision_view, name="fraud_decision"),
    path(
        "recoveries/<int:pk>/fraud-decision.pdf",
        views.fraud_decision_pdf_view,
        name="fraud_decision_pdf",
    ),
    path(
        "recoveries/<int:pk>/fraud-decision/issue/",
        views.fraud_decision_issue_view,
        name="fraud_decision_issue",
    ),
    path("public-notice/", views.public_notices_view, name="public_notices"),
    path("public-notice/<slug:code>/", views.public_notice_view, name="public_notice"),
    path("public-notice/<slug:code>.pdf", views.public_notice_pdf_view, name="public_notice_pdf"),
]
