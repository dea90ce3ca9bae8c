from django.contrib.auth import views as auth_views
from django.urls import path

from jiuzhu.web.accounts import twofactor_views, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    # The second factor (issue 12): the code after the password, enrolment, the backup codes
    # shown once, and the administrators' reset.
    path("two-factor/", twofactor_views.verify_view, name="twofactor_verify"),
    path("two-factor/enrol/", twofactor_views.enrol_view, name="twofactor_enrol"),
    path("two-factor/enrol/qr.svg", twofactor_views.qr_view, name="twofactor_qr"),
    path(
        "two-factor/backup-codes/",
        twofactor_views.backup_codes_view,
        name="twofactor_backup_codes",
    ),
    path("two-factor/users/", twofactor_views.users_view, name="twofactor_users"),
    path(
        "two-factor/users/<int:pk>/reset/",
        twofactor_views.reset_view,
        name="twofactor_reset",
    ),
]
