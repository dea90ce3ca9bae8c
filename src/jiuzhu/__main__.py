"""The ``jiuzhu`` console script (and ``python -m jiuzhu``).

The command needs the ``cli`` extra (Typer, Rich, and the excel and synth extras its commands
use); without it, the script says in one line what to install instead of a traceback.
"""

from __future__ import annotations

import sys

from jiuzhu.extras import MissingExtraError, missing_extra


def main() -> None:
    """Run the ``jiuzhu`` command, or exit with a one-line message naming the missing extra."""
    try:
        # Imported here, not at the top: this is the one place that tells a bare install that
        # the command needs the cli extra (a top-level import would fail before it could).
        from jiuzhu.cli import app  # noqa: PLC0415
    except ModuleNotFoundError as exc:
        if missing_extra(exc) is None:
            raise
        sys.exit(
            f"jiuzhu 命令需要安装 cli 扩展 (the jiuzhu command needs the cli extra; missing "
            f"module {exc.name}): pip install 'jiuzhu[cli]'"
        )
    try:
        app()
    except MissingExtraError as exc:
        sys.exit(str(exc))


if __name__ == "__main__":
    main()
