from django.urls import path

from jiuzhu.web.payments import (
    account_views,
    emergency_views,
    oneoff_views,
    penalty_views,
    recovery_views,
    views,
)

app_name = "payments"
urlpatterns = [
    path("", views.run_list_view, name="run_list"),
    path("draft/", views.draft_view, name="draft"),
    path("summary/", views.summary_view, name="summary"),
    path("runs/<int:pk>/", views.run_view, name="run"),
    path("runs/<int:pk>/export/", views.export_view, name="export"),
    path("runs/<int:pk>/reconcile/", views.reconcile_view, name="reconcile"),
    path("runs/<int:pk>/payments.xlsx", views.run_workbook_view, name="run_workbook"),
    path("runs/<int:pk>/files/<int:file_pk>/", views.bank_file_view, name="bank_file"),
    path("runs/<int:pk>/<slug:step>/", views.step_view, name="step"),
    path("payments/<int:payment_pk>/reissue/", views.reissue_view, name="reissue"),
    path("households/<int:household_pk>/", views.household_ledger_view, name="household_ledger"),
    path(
        "households/<int:household_pk>/recoveries/new/",
        recovery_views.recovery_new_view,
        name="recovery_new",
    ),
    path("recoveries/<int:pk>/", recovery_views.recovery_redirect_view, name="recovery_redirect"),
    path("recoveries/<int:pk>/penalty/", penalty_views.penalty_view, name="penalty"),
    path("recoveries/<int:pk>/repay/", views.repayment_view, name="repayment"),
    path("accounts/", account_views.account_work_view, name="account_work"),
    path("reserve-funds/", oneoff_views.reserve_funds_view, name="reserve_funds"),
    path("emergency/", emergency_views.emergency_view, name="emergency"),
    path("applications/<int:pk>/pay-once/", oneoff_views.pay_once_view, name="pay_once"),
    path(
        "households/<int:household_pk>/help-first/",
        oneoff_views.help_first_view,
        name="help_first",
    ),
    path(
        "households/<int:household_pk>/accounts/",
        account_views.accounts_view,
        name="accounts",
    ),
    path(
        "households/<int:household_pk>/accounts/record/",
        account_views.record_view,
        name="record_account",
    ),
    path(
        "households/<int:household_pk>/accounts/<int:pk>/",
        account_views.account_view,
        name="account",
    ),
    path(
        "households/<int:household_pk>/accounts/<int:pk>/unmask/",
        account_views.unmask_view,
        name="unmask_account",
    ),
    path(
        "households/<int:household_pk>/accounts/<int:pk>/<slug:step>/",
        account_views.account_step_view,
        name="account_step",
    ),
]
