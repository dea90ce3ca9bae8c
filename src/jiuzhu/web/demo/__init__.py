"""The demonstration: ``jiuzhu-web demo`` seeds a synthetic Baodi through the platform's own
actions. The only web app that imports the synthetic generator (``jiuzhu.synth``): the rest of
the platform never sees generated data but through the imports a real office uses too
(``pyproject.toml``, the import-linter contracts)."""
