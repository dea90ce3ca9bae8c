"""Counters for the numbers people read (household numbers, application numbers)."""

from __future__ import annotations

from collections.abc import Callable

from django.db import IntegrityError, models, transaction


class Counter(models.Model):
    """The last number handed out under a name (e.g. ``household`` or
    ``application:DB:120115001:2025``).
    Taken under a row lock inside the caller's transaction: two clerks registering at once get
    two numbers, and a rolled-back registration gives its number back."""

    name = models.CharField(max_length=60, unique=True)
    value = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


def next_number(name: str, start: Callable[[], int] = lambda: 0) -> int:
    """The next number under ``name`` (``start()`` gives the last one used before the counter
    existed, e.g. the highest number already in the table). Call inside a transaction."""
    return reserve_numbers(name, 1, start)


def reserve_numbers(name: str, count: int, start: Callable[[], int] = lambda: 0) -> int:
    """Take ``count`` consecutive numbers under ``name`` and return the first (an import numbers
    its households in one go). The counter row stays locked until the caller's transaction
    ends: a concurrent caller waits, then continues after the block; a rollback gives the block
    back. Call inside a transaction."""
    try:
        with transaction.atomic():
            counter = Counter.objects.select_for_update().get(name=name)
    except Counter.DoesNotExist:
        try:
            with transaction.atomic():
                counter = Counter.objects.create(name=name, value=start())
        except IntegrityError:
            pass  # created by a concurrent caller a moment ago: lock theirs
        counter = Counter.objects.select_for_update().get(name=name)
    first = counter.value + 1
    counter.value += count
    counter.save(update_fields=["value"])
    return first
