"""Jiuzhu (救助): social assistance management platform.

Layers (DESIGN.md §2), dependencies pointing downwards only:

- ``jiuzhu.cli`` — the ``jiuzhu`` command;
- ``jiuzhu.batch`` — pipelines (assess, …) over files and frames;
- ``jiuzhu.feeds`` and ``jiuzhu.reference`` — external formats, ID numbers, code tables;
- ``jiuzhu.rules`` — the pure rules engine, programs and policy parameters.
"""

__version__ = "0.1.0"
