"""The README's main command seeds the demo through the platform's own actions: one user per
role, applications at several steps, decisions confirmed with their entitlements, a payroll
waiting for its check, the low-income register and a discovery run with alerts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from jiuzhu.web.accounts.models import Role, User
from jiuzhu.web.cases.models import Application
from jiuzhu.web.discovery.models import Alert, DiscoveryRun, RegisterEntry
from jiuzhu.web.entitlements.models import Entitlement
from jiuzhu.web.payments.models import PayrollRun, RunStatus
from jiuzhu.web.plan.models import Facility


@pytest.mark.django_db
def test_the_demo_seeds_every_part_of_the_platform(
    settings: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, district_folder: Path
) -> None:
    # The demo reads the district it generated from DATA_DIR/district; the test database
    # already holds the session's district, so the demo reuses it (and its files).
    (tmp_path / "district").symlink_to(district_folder)
    settings.DATA_DIR = tmp_path
    monkeypatch.setenv("JIUZHU_TODAY", "2025-10-15")
    call_command("demo", "--no-serve", stdout=open(tmp_path / "out.txt", "w"))  # noqa: SIM115
    output = (tmp_path / "out.txt").read_text()
    assert "数据库已有数据" in output and "jiuzhu-demo" in output
    assert "第二认证因素已关闭" in output  # issue 12: on with JIUZHU_SECOND_FACTOR=1
    assert {u.role for u in User.objects.filter(username__in=["jingban", "quke", "shenji"])} == {
        Role.TOWNSHIP_CASEWORKER,
        Role.DISTRICT_OFFICER,
        Role.AUDITOR,
    }
    # Some applications wait at their steps, the others were decided in September.
    assert Application.objects.filter(accepted_on="2025-10-15").exists()
    confirmed = Entitlement.objects.filter(program="dibao", start_month="2025-10")
    assert confirmed.exists()
    assert all(e.application.decided_on.isoformat() == "2025-09-16" for e in confirmed)
    run = PayrollRun.objects.get(month="2025-10", program="dibao")
    assert run.status == RunStatus.DRAFT and run.payments.count() == confirmed.count()
    assert RegisterEntry.objects.exists()
    assert DiscoveryRun.objects.get().month == "2025-10" and Alert.objects.exists()
    # The plan registers: fictitious, marked as the demo's (issue 14).
    assert Facility.objects.exists() and not Facility.objects.filter(demo=False).exists()
    # Run again on the seeded database: nothing is seeded twice.
    call_command("demo", "--no-serve", stdout=open(tmp_path / "again.txt", "w"))  # noqa: SIM115
    assert PayrollRun.objects.count() == 1 and DiscoveryRun.objects.count() == 1
    assert Entitlement.objects.count() == confirmed.count()
    assert "示例养老服务机构" not in (tmp_path / "again.txt").read_text()
