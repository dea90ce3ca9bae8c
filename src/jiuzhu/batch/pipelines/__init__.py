"""One module per pipeline."""
