"""External data formats: resident ID numbers, tabular files (CSV, xlsx) and, later, one module
per department feed. No Django here (import-linter contract)."""
