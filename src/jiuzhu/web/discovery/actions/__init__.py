"""Writing the register, discovery runs and the alert workflow (the one write path).

Every action checks the user's permission on the object (role and jurisdiction, deny by
default), re-reads an alert under a row lock, writes in one transaction and records an audit
event; a refused action writes nothing. ``user=None`` is the system (the management command,
the scheduled job, the demo).

An alert never changes an entitlement or a payment (issue 6; DESIGN.md §6): an *adverse* alert (a
vehicle, a property or a business registered, a death in a recipient household …) opens a
verification task (``ReviewTask`` of kind ``discovery_check``) on each of the household's
entitlements, due on the alert's deadline; a person completes that task (reassessment) and any
change follows the entitlements' own procedure.

The package holds one module per subject: ``register`` (the low-income population register),
``runs`` (a month's run and the alerts it writes) and ``alerts`` (the alert workflow); the names
other apps and commands use are available here.
"""

from jiuzhu.web.discovery.actions.alerts import (
    HANDLERS,
    Prefill,
    assign,
    conclude,
    link,
    link_application,
    link_registered,
    prefill_for,
    record_visit,
)
from jiuzhu.web.discovery.actions.register import (
    RegisterRefresh,
    import_register,
    refresh_register,
    register_frame,
)
from jiuzhu.web.discovery.actions.runs import (
    build_inputs,
    feeds_folder_for,
    read_month_feeds,
    run_discovery,
    start_discovery,
    write_alerts,
)

__all__ = [
    "HANDLERS",
    "Prefill",
    "RegisterRefresh",
    "assign",
    "build_inputs",
    "conclude",
    "feeds_folder_for",
    "import_register",
    "link",
    "link_application",
    "link_registered",
    "prefill_for",
    "read_month_feeds",
    "record_visit",
    "refresh_register",
    "register_frame",
    "run_discovery",
    "start_discovery",
    "write_alerts",
]
