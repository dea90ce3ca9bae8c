"""Entitlements: what a confirmed decision grants, as effective-dated versions, and their
dynamic management (reviews, change reports, suspension, gradual exit, termination).

The write path is the ``actions`` package, one module per responsibility: ``granting`` (the entitlement an approval
creates), ``reassessment`` (the rules engine on current registry data), ``reviews`` (review
tasks, deaths, change reports), ``suspension``, ``termination`` (gradual exit, tekun notice,
dibao termination), ``employment`` (the employment sanction) and ``standard_change_runs``
(start, approve, discard a standard-change run); ``writes`` holds their shared steps.
"""
