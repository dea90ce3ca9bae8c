"""Entitlements: what a confirmed decision grants, as effective-dated versions, and their
dynamic management (reviews, change reports, suspension, gradual exit, termination)."""
