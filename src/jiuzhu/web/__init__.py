"""The case platform (Django): registry, verification, the statutory workflow and the workbench.

Layout as DESIGN.md §3: one app per domain, each with ``models``, ``actions`` (the one write
path: a transaction, the permission check, the audit trail, the state machine), ``queries``
(every read filtered by the user's jurisdiction), ``forms``, ``views`` and ``urls``.
"""
