"""What the cases app announces to the apps above it (entitlements, discovery), which it must
not import (the web layering, ``pyproject.toml``): they receive these in their ``receivers``.

* ``application_registered(sender=Application, user, application, alert)``: an application was
  registered at the counter, ``alert`` the pk of the discovery alert whose page opened it (None
  if none). Sent after the registration's transaction.
* ``decision_confirmed(sender=Application, user, application, approved, today)``: the district
  confirmed an approval or a rejection. Sent inside the confirmation's transaction, so that the
  entitlement and the register change with the decision or not at all. Receivers run in the
  order of ``INSTALLED_APPS``: entitlements grants first, then discovery refreshes the
  low-income register, which reads the new entitlement.
"""

from __future__ import annotations

from django.dispatch import Signal

application_registered = Signal()
decision_confirmed = Signal()
