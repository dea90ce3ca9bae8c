"""Batch pipelines over files and frames (assess; later verify, discover, payroll, simulate).
No Django here (import-linter contract)."""
