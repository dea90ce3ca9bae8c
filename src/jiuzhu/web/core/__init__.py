"""What every web app shares and no domain owns (DESIGN.md §3): the clock (``clock.today``),
months and ages (``months``), masking of personal data (``masking``), the acting user's type
(``users.Staff``), permission checks that raise (``require``), row and advisory locks
(``locks``), the transition tables' machinery (``transitions``), the work items of the
workbench (``workitems``), form fields and view helpers (``forms``; ``views.add_errors`` and
``report_errors`` put an action's refusal on the form), code-list choices, jurisdiction
filters, counters and error pages. It imports no app of the platform but ``accounts`` (roles
and the user model), so every app may use it (the web layering, ``pyproject.toml``)."""
