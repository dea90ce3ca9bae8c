"""``jiuzhu-web``: Django's management commands for the case platform (``jiuzhu-web demo``,
``jiuzhu-web migrate``, ``jiuzhu-web runserver``, ``jiuzhu-web db_worker``)."""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiuzhu.web.config.settings")
    from django.core.management import execute_from_command_line  # noqa: PLC0415

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
