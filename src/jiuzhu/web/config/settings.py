"""Settings of the case platform.

SQLite is the embedded default (``var/jiuzhu.sqlite3`` under ``JIUZHU_DATA_DIR``, default the
current directory); PostgreSQL is used when ``DATABASE_URL`` is set
(``postgresql://user:password@host:port/name``).

Security (issue 12). The settings are production's unless ``JIUZHU_DEBUG=1``, which only the
demo and the commands that write catalogs and migrations (``web/manage.py``), the tests
(pyproject's pytest ``env``) and the Makefile's developer targets set. Flags are ``1``/``0``; lists are comma-separated (``config.environment``).

- ``JIUZHU_DEBUG`` (0): development mode (debug pages, the development secret key, no TLS).
- ``JIUZHU_SECRET_KEY``: required without DEBUG (50 or more random characters, e.g.
  ``python -c "import secrets; print(secrets.token_urlsafe(50))"``); signs sessions and CSRF
  tokens. Without DEBUG, a missing key or host list stops the start with one line.
- ``JIUZHU_ALLOWED_HOSTS``: required without DEBUG, the host names the site answers to.
- ``JIUZHU_CSRF_TRUSTED_ORIGINS`` (none): other origins allowed to post forms
  (``https://host``), only when a proxy changes the host name.
- ``JIUZHU_TLS`` (1 without DEBUG): the site is served over HTTPS; sets the defaults of the
  next four. ``JIUZHU_TLS=0`` only for a plain-HTTP test server (e.g. a local load test).
- ``JIUZHU_SECURE_COOKIES`` (``JIUZHU_TLS``): session, CSRF and language cookies sent only
  over HTTPS.
- ``JIUZHU_SSL_REDIRECT`` (``JIUZHU_TLS``): plain HTTP is redirected to HTTPS (0 when the
  proxy redirects itself).
- ``JIUZHU_HSTS_SECONDS`` (31536000, one year, with ``JIUZHU_TLS``; else 0): browsers use
  HTTPS only for that long (Strict-Transport-Security).
- ``JIUZHU_HSTS_INCLUDE_SUBDOMAINS`` (1) and ``JIUZHU_HSTS_PRELOAD`` (0): HSTS's
  ``includeSubDomains`` and ``preload`` (preloading is the domain owner's decision).
- ``JIUZHU_BEHIND_PROXY`` (0): a reverse proxy terminates TLS and sets ``X-Forwarded-Proto``;
  only then is the header trusted (``SECURE_PROXY_SSL_HEADER``).
- ``JIUZHU_X_FRAME_OPTIONS`` (DENY), ``JIUZHU_REFERRER_POLICY`` (same-origin),
  ``JIUZHU_CROSS_ORIGIN_OPENER_POLICY`` (same-origin): the response headers of those names.
- Fixed, not configurable: ``X-Content-Type-Options: nosniff``; the Content-Security-Policy
  of pages (only the site's own scripts, styles and images; no inline script or style; no
  plugins, no framing; forms post to the site only) and of files (no framing:
  ``core.middleware.FILE_POLICY``); ``Cache-Control: no-store`` on every response to a
  signed-in user (``core.middleware.NoStoreMiddleware``).

Other settings from the environment: ``JIUZHU_CONN_MAX_AGE``, ``JIUZHU_FEEDS_DIR``,
``JIUZHU_DELEGATED``, ``JIUZHU_MATERIAL_MAX_MB``, ``JIUZHU_TODAY`` and the jobs' ``JIUZHU_JOB_…``
(see ``JIUZHU`` below).
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote, urlparse

import django_stubs_ext
from csp.constants import NONE, SELF
from django.utils.log import DEFAULT_LOGGING
from django.utils.translation import gettext_lazy as _

from jiuzhu.web.config import environment
from jiuzhu.web.core import crypto as _crypto  # crypto (issue 12): keys, below

# Django's generic classes (ModelAdmin[Household], QuerySet[Person]) are generic in django-stubs
# only; this makes them subscriptable at run time too, so the admin needs no TYPE_CHECKING aliases.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("JIUZHU_DATA_DIR", Path.cwd() / "var"))

# ---- Security (issue 12, hardening): secure unless the environment says otherwise ----------
# Production is the default: DEBUG is off unless JIUZHU_DEBUG=1 (the demo, the tests and the
# Makefile's developer commands set it). Every variable is listed in the module docstring.
DEBUG = environment.flag("JIUZHU_DEBUG", default=False)
if not DEBUG:
    environment.required(
        ["JIUZHU_SECRET_KEY", "JIUZHU_ALLOWED_HOSTS"],
        "生产环境必须设置 (production needs them; JIUZHU_DEBUG=1 only for development)",
    )
SECRET_KEY = environment.text(
    "JIUZHU_SECRET_KEY",
    # Only ever used with JIUZHU_DEBUG=1 (the demo, the tests): production must set its own.
    "jiuzhu-insecure-development-key-do-not-use-in-production",
)
# --- crypto (issue 12): keys of the personal data encrypted at rest (core.crypto, docs/keys.md).
# From the environment only; the fixed development keys with DEBUG and none set; otherwise a
# missing key stops the start with one line.
try:
    JIUZHU_KEYRING = _crypto.keyring_from_environment(os.environ, debug=DEBUG)
except _crypto.KeyConfigError as _exc:
    # One line from jiuzhu-web, as for the other settings production cannot do without.
    raise environment.SettingsError(f"个人信息加密密钥 (encryption keys): {_exc}") from None
# --- end crypto
ALLOWED_HOSTS = environment.listing(
    "JIUZHU_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"]
)
CSRF_TRUSTED_ORIGINS = environment.listing("JIUZHU_CSRF_TRUSTED_ORIGINS", [])
# Served over HTTPS (by default in production): cookies only over TLS, plain HTTP redirected,
# and browsers told to use HTTPS only (HSTS) for a year, subdomains included.
TLS = environment.flag("JIUZHU_TLS", default=not DEBUG)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = environment.flag(
    "JIUZHU_SECURE_COOKIES", default=TLS
)
SECURE_SSL_REDIRECT = environment.flag("JIUZHU_SSL_REDIRECT", default=TLS)
SECURE_HSTS_SECONDS = environment.integer("JIUZHU_HSTS_SECONDS", 365 * 24 * 3600 if TLS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = environment.flag("JIUZHU_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = environment.flag("JIUZHU_HSTS_PRELOAD", default=False)
# Only behind a reverse proxy that terminates TLS and sets X-Forwarded-Proto itself (trusting
# the header without one would let any client claim HTTPS).
if environment.flag("JIUZHU_BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = environment.text("JIUZHU_X_FRAME_OPTIONS", "DENY")
SECURE_REFERRER_POLICY = environment.text("JIUZHU_REFERRER_POLICY", "same-origin")
SECURE_CROSS_ORIGIN_OPENER_POLICY = environment.text(
    "JIUZHU_CROSS_ORIGIN_OPENER_POLICY", "same-origin"
)
SECURE_CONTENT_TYPE_NOSNIFF = True  # never off: a file must not be read as another type
# Preloading HSTS commits the whole registered domain, which is the bureau's network
# administrators' decision (JIUZHU_HSTS_PRELOAD=1 once they submit it), not the application's;
# check --deploy's reminder of it (W021) is silenced only while preload is off.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
# Content-Security-Policy (django-csp 4): only the site's own files; no inline script or style,
# no eval, no plugin, no framing, forms post only to the site. Every asset is vendored.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
# ---- end of the security block -------------------------------------------------------------

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    # Before django_tasks_db: its ``db_worker`` command is replaced by the jobs app's, which
    # keeps running jobs' heartbeats, recovers the jobs of a dead worker and outlives a
    # database outage (jiuzhu.web.jobs.worker).
    "jiuzhu.web.jobs",
    "django_tasks",
    "django_tasks_db",
    "rules.apps.AutodiscoverRulesConfig",
    "jiuzhu.web.core",
    "jiuzhu.web.accounts",
    "jiuzhu.web.audit",
    "jiuzhu.web.localvalues",
    "jiuzhu.web.registry",
    "jiuzhu.web.verification",
    "jiuzhu.web.cases",
    # Before discovery: a confirmed decision grants the entitlement (entitlements.receivers)
    # before the low-income register, which reads it, is refreshed (discovery.receivers).
    "jiuzhu.web.entitlements",
    "jiuzhu.web.payments",
    "jiuzhu.web.discovery",
    "jiuzhu.web.scenarios",
    "jiuzhu.web.documents",
    "jiuzhu.web.statistics",
    "jiuzhu.web.relief",
    "jiuzhu.web.referrals",
    "jiuzhu.web.plan",
    "jiuzhu.web.workcalendar",
    "jiuzhu.web.workbench",
    "jiuzhu.web.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The Content-Security-Policy header (CONTENT_SECURITY_POLICY above) on every page, and
    # a file's own (core.middleware.FILE_POLICY: Chrome's PDF viewer needs it) on a file.
    "jiuzhu.web.core.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Nothing shown to a signed-in user is kept by a browser or a proxy (Cache-Control: no-store).
    "jiuzhu.web.core.middleware.NoStoreMiddleware",
    # Deny by default: every view needs a signed-in user unless marked @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Every refused access to a record (403, and the 404 of another jurisdiction's record) is
    # an audit event: who, what, when, from which address.
    "jiuzhu.web.audit.middleware.DeniedAccessMiddleware",
    # A conflict with someone acting at the same instant answers 409, an outage 503 (not 500).
    "jiuzhu.web.core.middleware.DatabaseTroubleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "jiuzhu.web.config.urls"
WSGI_APPLICATION = "jiuzhu.web.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "jiuzhu.web.accounts.context.jurisdiction",
            ],
            "builtins": ["jiuzhu.web.templatetags.jiuzhu"],
        },
    }
]


def _database() -> dict[str, object]:
    url = os.environ.get("DATABASE_URL")
    if not url:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "jiuzhu.sqlite3",
            # WAL lets the workbench read while a background job writes.
            # synchronous=NORMAL is durable in WAL mode and spares an fsync per transaction.
            # IMMEDIATE: every transaction takes the write lock at BEGIN, so two writers take
            # turns (waiting up to ``timeout`` s) instead of the second failing with "database
            # is locked" when the first changed what it had read (core.locks).
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
            },
        }
    parsed = urlparse(url)
    if parsed.scheme not in ("postgres", "postgresql"):
        raise RuntimeError(f"DATABASE_URL: only postgresql:// is supported, got {parsed.scheme}")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parsed.path.lstrip("/")),
        "USER": unquote(parsed.username or ""),
        "PASSWORD": unquote(parsed.password or ""),
        "HOST": parsed.hostname or "",
        "PORT": str(parsed.port or ""),
        # Persistent connections are for production (JIUZHU_CONN_MAX_AGE); tests need none.
        "CONN_MAX_AGE": int(os.environ.get("JIUZHU_CONN_MAX_AGE", "0")),
        # A persistent connection is checked before a request uses it: after a database
        # restart each web worker reconnects instead of answering one 500 on the dead one.
        "CONN_HEALTH_CHECKS": True,
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication (issue 12, login): lockout, password policy, session expiry --------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username or address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
INSTALLED_APPS.append("axes")
# Session expiry (idle, end of the working day) right after the user is known; axes last, as
# its documentation requires (it turns a lockout into the locked-out page).
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "jiuzhu.web.accounts.expiry.SessionExpiryMiddleware",
)
MIDDLEWARE.append("axes.middleware.AxesMiddleware")
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "workbench:home"
LOGOUT_REDIRECT_URL = "accounts:login"
# Staff passwords (accounts.passwords): 12 characters, three of four character classes, not
# like the user's names, not common, not all digits. The admin's forms apply them too.
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "jiuzhu.web.accounts.passwords.CharacterClassesValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "full_name", "first_name", "last_name")},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Failed log-ins (django-axes): after AXES_FAILURE_LIMIT failures within the cool-off, the
# username is locked (from every address) until the cool-off has passed since the failure that
# locked it; attempts during a lockout do not extend it (the page can say when to retry). An
# administrator unlocks a user in the admin (audited). The address is locked too (for every
# username) only where each client has an address of its own (JIUZHU_LOGIN_LOCK_ADDRESS=1): a
# township office reaches the server through one NAT address, and five typos of its staff
# would otherwise lock the whole office out.
AXES_FAILURE_LIMIT = int(os.environ.get("JIUZHU_LOGIN_FAILURES", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("JIUZHU_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username"] + (
    ["ip_address"] if os.environ.get("JIUZHU_LOGIN_LOCK_ADDRESS", "0") == "1" else []
)
if "ip_address" not in AXES_LOCKOUT_PARAMETERS:
    # axes warns that without the address, rotating user agents or cookies evades the limit: that
    # holds for locks keyed on those, not on the username, which no rotation changes.
    SILENCED_SYSTEM_CHECKS.append("axes.W006")
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# The address the audit records (REMOTE_ADDR: behind a proxy, the proxy must set it).
AXES_CLIENT_IP_CALLABLE = "jiuzhu.web.audit.actions.client_address"
AXES_LOCKOUT_CALLABLE = "jiuzhu.web.accounts.lockout.locked_out_page"
AXES_USERNAME_CALLABLE = "jiuzhu.web.accounts.lockout.username_tried"  # cut to 150 characters
# The audit log is the record of log-ins; axes keeps only its counters, and its admin pages
# stay off so that an unlock goes through the audited admin action.
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ADMIN = False
# A log-in ends after JIUZHU_IDLE_MINUTES without a request and at the end of the working day
# (JIUZHU_DAY_END, Beijing time), and never lasts longer than SESSION_COOKIE_AGE.
JIUZHU_IDLE_MINUTES = int(os.environ.get("JIUZHU_IDLE_MINUTES", "30"))
JIUZHU_DAY_END = os.environ.get("JIUZHU_DAY_END", "20:00")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600  # one working day
# Closing the browser ends the log-in (a counter's shared computer); the idle limit ends it
# where a browser restores its cookies.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# --- end of authentication -------------------------------------------------------------------
CSRF_COOKIE_HTTPONLY = False  # htmx reads it from the page's hx-headers, not the cookie

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]  # the site's CSS and the vendored htmx
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns about a missing root
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True  # the demo serves the package's static files without collectstatic

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

JIUZHU = {
    # Folder of the department feeds that verification reads (the synthetic district's feeds/).
    "FEEDS_DIR": os.environ.get("JIUZHU_FEEDS_DIR", str(DATA_DIR / "district" / "feeds")),
    # Confirmation delegated to the township (《最低生活保障审核确认办法》, 民发〔2021〕57号: the
    # township confirms in 20 working days instead of the district's 30).
    "CONFIRMATION_DELEGATED_TO_TOWNSHIP": os.environ.get("JIUZHU_DELEGATED", "0") == "1",
    # The largest scanned material accepted, in MB (documents.storage; default 10).
    "MATERIAL_MAX_MB": int(os.environ.get("JIUZHU_MATERIAL_MAX_MB", "10")),
    # A fixed "today" for demonstrations (the synthetic district's date); never set in production.
    "TODAY": os.environ.get("JIUZHU_TODAY", ""),
    # Background jobs (jobs.recovery): a running job's worker beats every N seconds; a job
    # without a beat for M seconds lost its worker and is retried (at most K runs) or failed.
    "JOB_HEARTBEAT_SECONDS": float(os.environ.get("JIUZHU_JOB_HEARTBEAT_SECONDS", "10")),
    "JOB_STALE_SECONDS": float(os.environ.get("JIUZHU_JOB_STALE_SECONDS", "60")),
    "JOB_MAX_ATTEMPTS": int(os.environ.get("JIUZHU_JOB_MAX_ATTEMPTS", "3")),
}

# --- Second factor (issue 12, totp): TOTP for district roles and administrators -------------
# django-otp's TOTP devices (RFC 6238) and single-use backup codes (its static devices), before
# accounts so that accounts' admin replaces their admin pages with the audited reset. After the
# password, OTPMiddleware finds the device the session was verified with, and TwoFactorMiddleware
# sends whoever needs a second factor and has not given it to the two-factor pages
# (accounts.twofactor_middleware).
_ACCOUNTS = INSTALLED_APPS.index("jiuzhu.web.accounts")
INSTALLED_APPS[_ACCOUNTS:_ACCOUNTS] = [
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "django_otp.middleware.OTPMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.LoginRequiredMiddleware") + 1,
    "jiuzhu.web.accounts.twofactor_middleware.TwoFactorMiddleware",
)
OTP_TOTP_ISSUER = "宝坻区社会救助"  # the name the authenticator app shows beside the account
# After n wrong codes in a row a device refuses every code for 2^(n-1) seconds (1, 2, 4 … s).
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# On unless JIUZHU_SECOND_FACTOR=0 (the demo turns it off unless asked; the web tests turn it
# off except where they test it: tests/web/conftest.py).
JIUZHU["SECOND_FACTOR_REQUIRED"] = os.environ.get("JIUZHU_SECOND_FACTOR", "1") == "1"
# --- end of the second factor ----------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# ---- privacy (issue 12): no ID or account number in a log, an error report or the admin ----
# Every handler masks ID and account numbers in the message, its arguments and the traceback
# (core.logmasking). Django's own loggers get their handlers from here too: its defaults
# (django.utils.log.DEFAULT_LOGGING) would print the "django" records unfiltered in DEBUG.
_LOG_HANDLERS: dict[str, dict[str, object]] = {
    **LOGGING["handlers"],  # type: ignore[dict-item]
    "django.server": dict(DEFAULT_LOGGING["handlers"]["django.server"]),
    "mail_admins": dict(DEFAULT_LOGGING["handlers"]["mail_admins"]),
}
for _handler in _LOG_HANDLERS.values():
    _handler["filters"] = [*_handler.get("filters", []), "mask_personal_data"]  # type: ignore[misc]
LOGGING = {
    **LOGGING,
    "filters": {
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
        "mask_personal_data": {"()": "jiuzhu.web.core.logmasking.MaskingLogFilter"},
    },
    "formatters": {"django.server": DEFAULT_LOGGING["formatters"]["django.server"]},
    "handlers": _LOG_HANDLERS,
    "loggers": {
        "django": {"handlers": ["mail_admins"], "level": "INFO"},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
}
DEFAULT_EXCEPTION_REPORTER_FILTER = "jiuzhu.web.core.logmasking.MaskingExceptionReporterFilter"
DEFAULT_EXCEPTION_REPORTER = "jiuzhu.web.core.logmasking.MaskingExceptionReporter"
# The admin site masks personal data (privacy.admin_site); the privacy app holds the retention
# rules and a resident's request for their data (docs/retention.md).
INSTALLED_APPS[INSTALLED_APPS.index("django.contrib.admin")] = (
    "jiuzhu.web.privacy.apps.MaskedAdminConfig"
)
INSTALLED_APPS.append("jiuzhu.web.privacy")
# ---- end privacy ---------------------------------------------------------------------------

# Short human titles of the site, translated.
SITE_TITLE = _("宝坻区社会救助综合管理信息平台")
