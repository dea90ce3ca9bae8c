"""Settings of the case platform.

SQLite is the embedded default (``var/jiuzhu.sqlite3`` under ``JIUZHU_DATA_DIR``, default the
current directory); PostgreSQL is used when ``DATABASE_URL`` is set
(``postgresql://user:password@host:port/name``). Secrets and hosts come from the environment in
production (``JIUZHU_SECRET_KEY``, ``JIUZHU_ALLOWED_HOSTS``, ``JIUZHU_DEBUG=0``).
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlparse

import django_stubs_ext
from django.utils.translation import gettext_lazy as _

from jiuzhu.web.core import crypto as _crypto  # crypto (issue 12): keys, below

# Django's generic classes (ModelAdmin[Household], QuerySet[Person]) are generic in django-stubs
# only; this makes them subscriptable at run time too, so the admin needs no TYPE_CHECKING aliases.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("JIUZHU_DATA_DIR", Path.cwd() / "var"))

DEBUG = os.environ.get("JIUZHU_DEBUG", "1") == "1"
SECRET_KEY = os.environ.get(
    "JIUZHU_SECRET_KEY",
    # Only for the local demo and tests: production sets JIUZHU_SECRET_KEY (checked below).
    "jiuzhu-insecure-development-key-do-not-use-in-production",
)
if not DEBUG and SECRET_KEY.startswith("jiuzhu-insecure"):
    raise RuntimeError("JIUZHU_SECRET_KEY must be set when JIUZHU_DEBUG=0")
# --- crypto (issue 12): keys of the personal data encrypted at rest (core.crypto, docs/keys.md).
# From the environment only; the fixed development keys with DEBUG and none set; otherwise a
# missing key stops the start with one line.
try:
    JIUZHU_KEYRING = _crypto.keyring_from_environment(os.environ, debug=DEBUG)
except _crypto.KeyConfigError as _exc:
    raise SystemExit(f"jiuzhu: {_exc}") from None
# --- end crypto
ALLOWED_HOSTS = os.environ.get("JIUZHU_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

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
    "jiuzhu.web.registry",
    "jiuzhu.web.verification",
    "jiuzhu.web.cases",
    # Before discovery: a confirmed decision grants the entitlement (entitlements.receivers)
    # before the low-income register, which reads it, is refreshed (discovery.receivers).
    "jiuzhu.web.entitlements",
    "jiuzhu.web.payments",
    "jiuzhu.web.discovery",
    "jiuzhu.web.documents",
    "jiuzhu.web.workcalendar",
    "jiuzhu.web.workbench",
    "jiuzhu.web.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
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

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "workbench:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600  # one working day
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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# Short human titles of the site, translated.
SITE_TITLE = _("宝坻区社会救助综合管理信息平台")
