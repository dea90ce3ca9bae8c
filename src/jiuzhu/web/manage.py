"""``jiuzhu-web``: Django's management commands for the case platform (``jiuzhu-web demo``,
``jiuzhu-web migrate``, ``jiuzhu-web runserver``, ``jiuzhu-web db_worker``).

A command that cannot reach the database says so in one line (the database and the driver's
reason, no password) and exits with status 1, instead of a page of traceback; so does a setting
that production needs and the environment lacks (``config.environment``).

The settings are production's unless ``JIUZHU_DEBUG=1``: ``jiuzhu-web demo`` sets it (a local
demonstration on synthetic data), and so do the commands that write the catalogs and the
migrations (``DEVELOPMENT_COMMANDS``), as the tests and the Makefile's developer commands do.
"""

from __future__ import annotations

import os
import sys

DEVELOPMENT_COMMANDS = frozenset({"demo", "makemessages", "compilemessages", "makemigrations"})
"""Commands that run in development mode (``JIUZHU_DEBUG=1``) unless the environment says
otherwise: the demo (synthetic data on a local server) and a developer's commands that write
source files (catalogs, migrations) and serve nothing."""


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiuzhu.web.config.settings")
    if sys.argv[1:2] and sys.argv[1] in DEVELOPMENT_COMMANDS:
        os.environ.setdefault("JIUZHU_DEBUG", "1")
    from django.core.management import execute_from_command_line  # noqa: PLC0415
    from django.db import InterfaceError, OperationalError  # noqa: PLC0415

    # As in Django's manage.py, nothing of Django or the platform loads before the settings
    # module is named.
    from jiuzhu.web.config.environment import SettingsError  # noqa: PLC0415
    from jiuzhu.web.core.middleware import is_outage  # noqa: PLC0415

    try:
        execute_from_command_line(sys.argv)
    except SettingsError as exc:
        sys.stderr.write(f"配置错误 (configuration error): {exc}\n")
        sys.exit(1)
    except (InterfaceError, OperationalError) as exc:
        if not is_outage(exc):
            raise
        sys.stderr.write(outage_message(exc) + "\n")
        sys.exit(1)


def outage_message(exc: BaseException) -> str:
    """``数据库无法连接 (database unreachable): 127.0.0.1:5432/jiuzhu — connection failed: …``
    (the driver's first line)."""
    from django.conf import settings  # noqa: PLC0415

    database = settings.DATABASES["default"]
    where = (
        f"{database.get('HOST') or 'localhost'}:{database.get('PORT') or 5432}/{database['NAME']}"
        if "postgresql" in str(database["ENGINE"])
        else str(database["NAME"])
    )
    reasons = [line.strip() for line in str(exc).splitlines() if line.strip()]
    reason = reasons[0] if reasons else type(exc).__name__
    return f"数据库无法连接 (database unreachable): {where} — {reason}"


if __name__ == "__main__":
    main()
