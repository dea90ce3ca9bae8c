"""The append-only audit trail: every write, every workflow transition and every view of
unmasked personal data (DESIGN.md §9)."""
