"""The staff password policy's own rule (the others are Django's, configured in
``AUTH_PASSWORD_VALIDATORS``: at least 12 characters, not like the username or the name, not a
common password, not all digits).

A password mixes at least three of the four classes of characters: lower-case letters,
upper-case letters, digits, and anything else (punctuation, spaces, Chinese characters).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def character_classes(password: str) -> int:
    """How many of the four classes (lower, upper, digit, other) ``password`` uses."""
    return sum(
        (
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not (c.isascii() and c.isalnum()) for c in password),
        )
    )


class CharacterClassesValidator:
    """At least ``classes`` (default 3) of the four classes of characters."""

    def __init__(self, classes: int = 3) -> None:
        self.classes = classes

    def validate(self, password: str, user: object = None) -> None:
        if character_classes(password) < self.classes:
            raise ValidationError(
                _("密码须包含小写字母、大写字母、数字、符号四类中的至少%(classes)d类。"),
                code="password_too_simple",
                params={"classes": self.classes},
            )

    def get_help_text(self) -> str:
        return _("密码须包含小写字母、大写字母、数字、符号四类中的至少%(classes)d类。") % {
            "classes": self.classes
        }
