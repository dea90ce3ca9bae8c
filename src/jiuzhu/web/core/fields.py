"""Model fields for personal data encrypted at rest (``core.crypto``), their searchable
companions, and the one way to look a record up by such a value (``sealed_match``).

- ``SealedCharField`` / ``SealedBooleanField``: stored sealed (a text column), plaintext in
  Python — ``from_db_value`` opens them, so instances, ``.values()``/``values_list()`` and the
  frames built from them see the plaintext. Every lookup but ``isnull`` raises
  ``SealedLookupError``: a forgotten ``filter(resident_id=…)`` fails loudly instead of finding
  nothing.
- ``SearchHashField(source=…)``: the keyed hash of the source field (exact lookup);
  ``EndingHashField(source=…)``: the keyed hash of its last six characters (search by the end
  of an ID, six characters or more); ``TailField(source=…)``: its last four characters (search
  by a shorter end). All are set from the source on every write: ``save()`` and ``bulk_create`` (``pre_save``),
  ``save(update_fields=…)``, ``bulk_update`` and ``update()`` (``SealedModel`` and
  ``SealedQuerySet``). A writer in raw SQL (the feed import) computes them itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models
from django.db.models import Q

from jiuzhu.web.core import crypto


class SealedLookupError(TypeError):
    """A query compares an encrypted column: look it up by its hash (``sealed_match``)."""


class Sealed:
    """The behaviour shared by the sealed fields (mixed in before the Django field)."""

    name: str
    model: type[models.Model]

    def get_internal_type(self) -> str:
        return "TextField"  # the ciphertext is longer than the value and of no fixed length

    def encode(self, value: Any) -> str:
        return str(value)

    def decode(self, text: str) -> Any:
        return text

    def from_db_value(self, value: str | None, expression: object, connection: object) -> Any:
        return None if value is None else self.decode(crypto.open_sealed(value))

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        if not prepared:
            value = self.get_prep_value(value)  # type: ignore[attr-defined]
        return None if value is None else crypto.seal(self.encode(value))

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)  # type: ignore[misc]
        raise SealedLookupError(
            f"{self.model.__name__}.{self.name} is encrypted: no {lookup_name!r} lookup; "
            "match its hash with core.fields.sealed_match"
        )

    def get_transform(self, lookup_name: str) -> Any:
        raise SealedLookupError(f"{self.model.__name__}.{self.name} is encrypted")


class SealedCharField(Sealed, models.CharField[Any, Any]):
    """A text value (an ID, an account number, a disease code) sealed at rest; ``max_length``
    bounds the plaintext (validation), the column is text."""


class SealedBooleanField(Sealed, models.BooleanField[Any, Any]):
    """A yes/no (a health flag) sealed at rest: "1" or "0" inside the seal."""

    def encode(self, value: Any) -> str:
        return "1" if value else "0"

    def decode(self, text: str) -> Any:
        return text == "1"


class Companion(models.CharField[Any, Any]):
    """A plain column derived from a sealed one (``source``) and set whenever it is written."""

    def __init__(self, *args: Any, source: str, **kwargs: Any) -> None:
        self.source = source
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        return name, path, args, kwargs

    kind = ""
    """What it keeps: ``derive(kind, …)``; the sealing migrations name it too."""

    def derive(self, value: str | None, key: bytes | None = None) -> str:
        """The column's value for the source's plaintext ``value`` (a keyed hash under ``key``,
        default the search key)."""
        return derive(self.kind, value or "", key)

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        value = self.derive(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value


class SearchHashField(Companion):
    """``crypto.search_hash`` of the source (64 hex characters; "" when it is empty)."""

    kind = "hash"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 64)
        super().__init__(*args, **kwargs)


class EndingHashField(Companion):
    """``crypto.search_hash`` of the source's last ``ENDING`` characters (64 hex characters; ""
    when it is shorter). Equal endings hash equal, so a search by the end of an ID is one index
    lookup and nothing is opened when the ending typed is six characters; the six are no more
    readable than the whole ID's hash without the search key."""

    kind = "ending"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 64)
        super().__init__(*args, **kwargs)


class TailField(Companion):
    """The last four characters of the source (the search by a shorter end of an ID)."""

    kind = "tail"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 4)
        super().__init__(*args, **kwargs)


ENDING = 6
"""The characters of an ID's end kept as a keyed hash (``EndingHashField``)."""


def derive(kind: str, value: str, key: bytes | None = None) -> str:
    """A companion's value of ``kind`` ("hash", "ending" or "tail") for the plaintext ``value``,
    keyed hashes under ``key`` (default the search key).

    Raises:
        ValueError: an unknown kind.
    """
    if kind == "hash":
        return crypto.search_hash(value, key)
    if kind == "ending":
        return crypto.search_hash(value[-ENDING:], key) if len(value) >= ENDING else ""
    if kind == "tail":
        return value[-4:]
    raise ValueError(f"unknown companion kind {kind!r}")


def sealed_fields(model: type[models.Model]) -> list[str]:
    """The names of ``model``'s sealed fields (to defer where only other fields are read: each
    value loaded is opened, about 12 µs)."""
    return [f.name for f in model._meta.concrete_fields if isinstance(f, Sealed)]


def companions(model: type[models.Model], names: Iterable[str]) -> list[Companion]:
    """The companion fields of ``model`` derived from any of ``names``."""
    wanted = set(names)
    return [
        f for f in model._meta.concrete_fields if isinstance(f, Companion) and f.source in wanted
    ]


class SealedQuerySet(models.QuerySet):  # type: ignore[type-arg]
    """Keeps the companions in step on ``update()`` and ``bulk_update()``."""

    def update(self, **kwargs: Any) -> int:
        for companion in companions(self.model, kwargs):
            if companion.name in kwargs:
                continue  # given by the caller (bulk_update's CASE expressions)
            value = kwargs[companion.source]
            if value is not None and not isinstance(value, str):
                raise SealedLookupError(f"{companion.source} is encrypted: update it with a value")
            kwargs[companion.name] = companion.derive(value)
        return super().update(**kwargs)

    def bulk_update(
        self, objs: Iterable[Any], fields: Iterable[str], batch_size: int | None = None
    ) -> int:
        objs, fields = list(objs), list(fields)
        extra = companions(self.model, fields)
        for obj in objs:
            for companion in extra:
                companion.pre_save(obj, False)
        return super().bulk_update(objs, [*fields, *(c.name for c in extra)], batch_size)


class SealedModel(models.Model):
    """A model with sealed fields: ``save(update_fields=…)`` writes their companions too."""

    objects = SealedQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        fields = kwargs.get("update_fields")
        if fields is not None:
            kwargs["update_fields"] = [
                *fields,
                *(c.name for c in companions(type(self), fields) if c.name not in fields),
            ]
        super().save(*args, **kwargs)


def sealed_match(path: str, *values: str) -> Q:
    """The condition "``path`` is one of ``values``" for a sealed field with a hash companion
    named ``<path>_hash`` (``path`` may cross relations: ``person__resident_id``). Empty values
    never match."""
    hashes = [h for value in values if value for h in crypto.search_hashes(value)]
    return Q(**{f"{path}_hash__in": hashes})


def ending_match(path: str, value: str) -> Q:
    """The condition "``path`` ends with the last ``ENDING`` characters of ``value``" for a
    sealed field with an ending companion named ``<path>_ending``.

    Raises:
        ValueError: ``value`` is shorter than ``ENDING``.
    """
    if len(value) < ENDING:
        raise ValueError(f"an ending of at least {ENDING} characters is needed")
    hashes = crypto.search_hashes(value[-ENDING:])
    return Q(**{f"{path}_ending__in": hashes})
