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
    *(
        entry
        for notice, base in (
            ("termination", "entitlements/<int:pk>/termination"),
            ("penalty_notice", "recoveries/<int:pk>/penalty-notice"),
            ("fraud_decision", "recoveries/<int:pk>/fraud-decision"),
        )
        for entry in (
            path(f"{base}/", views.subject_notice_view, {"notice": notice}, name=notice),
            path(
                f"{base}.pdf",
                views.subject_notice_pdf_view,
                {"notice": notice},
                name=f"{notice}_pdf",
            ),
            path(
                f"{base}/issue/",
                views.subject_notice_issue_view,
                {"notice": notice},
                name=f"{notice}_issue",
            ),
        )
    ),
    path("public-notice/", views.public_notices_view, name="public_notices"),
    path("public-notice/<slug:code>/", views.public_notice_view, name="public_notice"),
    path("public-notice/<slug:code>.pdf", views.public_notice_pdf_view, name="public_notice_pdf"),
]
