"""The registry: households (the assistance unit), persons, memberships, incomes, assets and
support obligors (DESIGN.md §5)."""
