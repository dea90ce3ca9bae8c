"""URL map. Every view requires a signed-in user (LoginRequiredMiddleware) unless it is
explicitly public (the log-in page, the language switch); views then check role and
jurisdiction."""

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

urlpatterns = [
    path("admin/", admin.site.urls),
    # The language switch is on the log-in page too.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("accounts/", include("jiuzhu.web.accounts.urls")),
    path("registry/", include("jiuzhu.web.registry.urls")),
    path("verification/", include("jiuzhu.web.verification.urls")),
    path("jobs/", include("jiuzhu.web.jobs.urls")),
    path("audit/", include("jiuzhu.web.audit.urls")),
    path("entitlements/", include("jiuzhu.web.entitlements.urls")),
    path("payments/", include("jiuzhu.web.payments.urls")),
    path("discovery/", include("jiuzhu.web.discovery.urls")),
    path("documents/", include("jiuzhu.web.documents.urls")),
    path("privacy/", include("jiuzhu.web.privacy.urls")),
    path("local-values/", include("jiuzhu.web.localvalues.urls")),
    path("scenarios/", include("jiuzhu.web.scenarios.urls")),
    path("relief/", include("jiuzhu.web.relief.urls")),
    path("referrals/", include("jiuzhu.web.referrals.urls")),
    path("plan/", include("jiuzhu.web.plan.urls")),
    path("statistics/", include("jiuzhu.web.statistics.urls")),
    path("", include("jiuzhu.web.workbench.urls")),
    path("", include("jiuzhu.web.cases.urls")),
]

handler403 = "jiuzhu.web.core.errors.permission_denied"
handler404 = "jiuzhu.web.core.errors.page_not_found"
handler500 = "jiuzhu.web.core.errors.server_error"
