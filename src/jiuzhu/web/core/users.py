"""The acting user's type.

Every action takes the member of staff who acts as ``user: Staff`` (``Staff | None`` where the
system acts too: a scheduled task, an import at start-up, the demo). ``Staff`` is the project's
user model (``accounts.User``: a role and the division it is exercised in), named here so that
signatures say who acts without each app importing the accounts app's model.
"""

from __future__ import annotations

from typing import TypeAlias

from jiuzhu.web.accounts.models import User

Staff: TypeAlias = User
"""A member of staff: ``role``, ``division_code``, ``full_name`` (``accounts.models.User``)."""
