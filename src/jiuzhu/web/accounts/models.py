"""Users with a role and a division (their jurisdiction).

Every user is scoped to one division: a community (村/居, 12-digit NBS code), a township
(乡镇/街道, 9 digits) or the district (宝坻区, ``120115``). A user sees the households whose
division code starts with theirs; district users see the whole district.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

DISTRICT_CODE = "120115"
"""宝坻区 (NBS and GB/T 2260)."""


class Role(models.TextChoices):
    """Roles of DESIGN.md §1 and issue 4."""

    COMMUNITY_WORKER = "community_worker", _("村（居）协理员")
    TOWNSHIP_CASEWORKER = "township_caseworker", _("乡镇（街道）经办人")
    TOWNSHIP_HEAD = "township_head", _("乡镇（街道）负责人")
    DISTRICT_OFFICER = "district_officer", _("区民政局经办人")
    DISTRICT_DIRECTOR = "district_director", _("区民政局负责人")
    AUDITOR = "auditor", _("审计监督")
    ADMINISTRATOR = "administrator", _("系统管理员")


TOWNSHIP_ROLES = frozenset({Role.COMMUNITY_WORKER, Role.TOWNSHIP_CASEWORKER, Role.TOWNSHIP_HEAD})
DISTRICT_ROLES = frozenset({Role.DISTRICT_OFFICER, Role.DISTRICT_DIRECTOR})


class User(AbstractUser):
    """A staff member: a role and the division it is exercised in."""

    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    division_code = models.CharField(
        _("所属区划代码"),
        max_length=12,
        help_text=_("村（居）12位、乡镇（街道）9位或区 120115"),
    )
    full_name = models.CharField(_("姓名"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def is_auditor(self) -> bool:
        return self.role == Role.AUDITOR

    @property
    def scope_level(self) -> str:
        """``community``, ``township`` or ``district``."""
        return {12: "community", 9: "township"}.get(len(self.division_code), "district")

    def covers(self, division_code: str) -> bool:
        """Whether a record of ``division_code`` is inside this user's jurisdiction."""
        return bool(self.division_code) and division_code.startswith(self.division_code)
