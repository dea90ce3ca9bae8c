"""What verification needs of the application it verifies.

The application is ``cases.Application``, but cases sits above verification in the web layering
(``pyproject.toml``): cases calls verification (``cases.actions.verify``, the application page's
report), never the reverse, so verification names only the fields it reads.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Protocol, cast

from django.db import models

if TYPE_CHECKING:
    from django.db.models.fields.related_descriptors import RelatedManager

    from jiuzhu.web.verification.models import VerificationRun


class Subject(Protocol):
    """An application to verify (``cases.Application``): read-only, as verification never
    changes the application."""

    @property
    def pk(self) -> int: ...
    @property
    def number(self) -> str: ...
    @property
    def household_id(self) -> int: ...
    @property
    def division_code(self) -> str: ...
    @property
    def accepted_on(self) -> dt.date | None: ...
    @property
    def created_at(self) -> dt.datetime: ...
    @property
    def verification_runs(self) -> RelatedManager[VerificationRun]:
        """The application's ``VerificationRun`` rows, newest first (the related manager)."""


def as_model(subject: Subject) -> models.Model:
    """The subject as the model instance it is (``cases.Application``), for Django's object
    permissions, which take a model."""
    return cast(models.Model, subject)
