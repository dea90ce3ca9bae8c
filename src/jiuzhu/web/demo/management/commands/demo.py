"""``jiuzhu-web demo``: a Baodi demonstration on the embedded SQLite database.

Generates a reduced synthetic district (``jiuzhu synth``), migrates, seeds the holiday calendar,
imports the district and its department feeds, creates one user per role (printing their log-in
details) and serves on http://127.0.0.1:8000. Everything is synthetic: no real person's data.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import TypedDict, Unpack

import polars as pl
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.db.models import Count

from jiuzhu.rules import load_system
from jiuzhu.synth.run import synthesise
from jiuzhu.web.accounts.models import DISTRICT_CODE, Role, User
from jiuzhu.web.cases import actions
from jiuzhu.web.cases.assessment import offers_single_person_unit
from jiuzhu.web.cases.models import Application, Channel
from jiuzhu.web.core.programs import Program
from jiuzhu.web.demo.plan import seed_plan
from jiuzhu.web.discovery.actions import import_register, run_discovery
from jiuzhu.web.discovery.models import DiscoveryRun
from jiuzhu.web.documents.actions import fill_example_offices
from jiuzhu.web.payments import actions as payments
from jiuzhu.web.payments import oneoff
from jiuzhu.web.payments.models import ReserveFund
from jiuzhu.web.payments.validation import luhn_check_digit
from jiuzhu.web.registry.actions import import_district
from jiuzhu.web.registry.frames import engine_frames
from jiuzhu.web.registry.models import Household, Membership
from jiuzhu.web.scenarios.actions import create_scenario
from jiuzhu.web.scenarios.models import Scenario
from jiuzhu.web.verification.actions import import_feeds

DEMO_DATE = dt.date(2025, 10, 15)
"""The synthetic district's assessment date, used as the demo's today (see below)."""
DEMO_PASSWORD = "jiuzhu-demo"
"""The demo users' password: a local demonstration only (printed on start)."""


def demo_users(township: str, community: str) -> list[dict[str, str]]:
    """One user per role: community and township staff in the first township, district staff."""
    return [
        {
            "username": "xieliyuan",
            "full_name": "刘协理",
            "role": Role.COMMUNITY_WORKER,
            "division_code": community,
        },
        {
            "username": "jingban",
            "full_name": "王经办",
            "role": Role.TOWNSHIP_CASEWORKER,
            "division_code": township,
        },
        {
            "username": "zhenzhang",
            "full_name": "赵镇长",
            "role": Role.TOWNSHIP_HEAD,
            "division_code": township,
        },
        {
            "username": "quke",
            "full_name": "陈科员",
            "role": Role.DISTRICT_OFFICER,
            "division_code": DISTRICT_CODE,
        },
        {
            "username": "quke2",
            "full_name": "周科员",
            "role": Role.DISTRICT_OFFICER,
            "division_code": DISTRICT_CODE,
        },
        {
            "username": "juzhang",
            "full_name": "孙局长",
            "role": Role.DISTRICT_DIRECTOR,
            "division_code": DISTRICT_CODE,
        },
        {
            "username": "shenji",
            "full_name": "钱审计",
            "role": Role.AUDITOR,
            "division_code": DISTRICT_CODE,
        },
        {
            "username": "admin",
            "full_name": "吴管理",
            "role": Role.ADMINISTRATOR,
            "division_code": DISTRICT_CODE,
        },
    ]


def _second_factor() -> str:
    """Turn the second factor (TOTP) of district staff and administrators off for the demo, so
    that anyone can try every role, unless ``JIUZHU_SECOND_FACTOR=1``; the line that says so."""
    on = os.environ.get("JIUZHU_SECOND_FACTOR", "0") == "1"
    settings.JIUZHU["SECOND_FACTOR_REQUIRED"] = on
    if on:
        return (
            "第二认证因素已开启：区级用户和系统管理员首次登录时用手机验证器启用"
            " (second factor on: district staff and administrators enrol an authenticator app)"
        )
    return (
        "第二认证因素已关闭（演示）；JIUZHU_SECOND_FACTOR=1 开启"
        " (second factor off for the demo; JIUZHU_SECOND_FACTOR=1 turns it on)"
    )


DEMO_MATERIALS = [
    "application_form",
    "income_asset_declaration",
    "verification_authorisation",
    "truthfulness_undertaking",
    "diagnosis",
]


class Options(TypedDict):
    """The parsed arguments (Django adds its common ones, not read here)."""

    scale: float
    seed: int
    no_serve: bool
    port: str


class Command(BaseCommand):
    help = "Seed a synthetic Baodi demo into the database, create demo users and serve."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale", type=float, default=0.02, help="Share of Baodi (0.02 ≈ 14,000 residents)."
        )
        parser.add_argument("--seed", type=int, default=20251015)
        parser.add_argument(
            "--no-serve", action="store_true", help="Seed only; do not start the server."
        )
        parser.add_argument("--port", default="127.0.0.1:8000")

    def handle(self, *args: object, **options: Unpack[Options]) -> None:
        started = time.perf_counter()
        # The demo runs on the district's date: its data describe 2025-10-15, and the holiday
        # table has no year the State Council has not yet published.
        today = os.environ.get("JIUZHU_TODAY") or DEMO_DATE.isoformat()
        os.environ["JIUZHU_TODAY"] = today
        settings.JIUZHU["TODAY"] = today
        second_factor = _second_factor()
        call_command("migrate", verbosity=0, interactive=False)
        call_command("seed_calendar", verbosity=0)
        # The issuing offices printed on the documents: example values, marked as such.

        fill_example_offices()
        if Household.objects.exists():
            self.stdout.write("数据库已有数据，跳过生成与导入 (the database already holds data)")
        else:
            folder = Path(settings.DATA_DIR) / "district"
            self.stdout.write(
                f"生成合成宝坻区（scale {options['scale']}）… (generating the district)"
            )
            synthesise(folder, options["scale"], options["seed"], DEMO_DATE)
            with transaction.atomic():
                run = import_district(None, folder)
            self.stdout.write(f"导入 {run.households:,} 户、{run.persons:,} 人 (imported)")
            imports = import_feeds(None, folder / "feeds")
            self.stdout.write(f"导入部门数据 {len(imports)} 个文件 (department feeds imported)")
        first = (
            Household.objects.order_by("division_code")
            .values_list("division_code", flat=True)
            .first()
            or DISTRICT_CODE
        )
        township, community = first[:9], first
        self.stdout.write(f"\n演示用户 Demo users（密码 password: {DEMO_PASSWORD}）:")
        for spec in demo_users(township, community):
            user, created = User.objects.get_or_create(username=spec["username"], defaults=spec)
            if created:
                user.set_password(DEMO_PASSWORD)
                user.is_staff = spec["role"] == Role.ADMINISTRATOR
                user.is_superuser = spec["role"] == Role.ADMINISTRATOR
                user.save()
            self.stdout.write(
                f"  {user.username:<10} {user.get_role_display():<14} {user.division_code}  {user.full_name}"
            )
        # Households the rules find eligible on their declared data: up to half of them (at
        # most three) go through the whole procedure, the rest wait at different steps.
        # (Once: a database that holds applications is not seeded again.)
        if not Application.objects.exists():
            eligible = _likely_eligible(township, 12)
            decided = min(3, (len(eligible) + 1) // 2)
            self._demo_decisions(eligible[:decided], today)
            self._demo_applications(eligible[decided:][:4])
        self._demo_discovery(Path(settings.DATA_DIR) / "district")
        self._demo_reserve_funds(today)
        self._demo_decision_tools(today)
        self.stdout.write(f"\n就绪，用时 {time.perf_counter() - started:.1f} 秒 (ready)")
        self.stdout.write(f"演示日期 Demo date: {today}（JIUZHU_TODAY）")
        self.stdout.write(second_factor)
        if not options["no_serve"]:
            # The background worker runs the jobs (batch assessment, feed import).
            worker = subprocess.Popen(
                [sys.executable, "-m", "jiuzhu.web.manage", "db_worker"], env=os.environ.copy()
            )
            self.stdout.write(f"打开 Open http://{options['port']}/ （Ctrl+C 退出）")
            # A SIGTERM (kill, a supervisor) stops the worker too, as Ctrl+C does.
            signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
            # The product's own 403/404/500 pages, as users meet them, not Django's debug pages
            # (static files are served by WhiteNoise whatever DEBUG says).
            settings.DEBUG = False
            try:
                call_command("runserver", options["port"], use_reloader=False)
            finally:
                worker.terminate()

    def _demo_plan(self) -> None:
        """The plan registers (care facilities, counselling places): fictitious, marked so."""
        facilities = seed_plan(User.objects.get(username="quke"))
        if facilities:
            self.stdout.write(
                f"示例养老服务机构 {facilities} 家（虚构） (plan registers, fictitious)"
            )

    def _demo_reserve_funds(self, today: str) -> None:
        """Each township's temporary-assistance reserve fund of the demo year at its floor (1
        yuan per resident of the synthetic registry), recorded by the district officer, so
        that help first (先行救助) draws on a fund."""
        if ReserveFund.objects.exists():
            return
        officer = User.objects.get(username="quke")
        year = dt.date.fromisoformat(today).year
        residents = (
            Membership.objects.filter(valid_to__isnull=True)
            .values("household__township_code")
            .annotate(count=Count("pk"))
        )
        for row in residents:
            count = row["count"]
            oneoff.set_reserve_fund(
                officer,
                row["household__township_code"],
                year,
                amount=count * 100,
                registered_residents=count,
            )
        self.stdout.write(f"临时救助备用金 {len(residents)} 个乡镇（每人1元） (reserve funds)")

    def _demo_decision_tools(self, today: str) -> None:
        """The bureau's decision tools (issue 14): a scenario waiting for its decision and the
        plan indicators' register."""
        self._demo_scenario(today)
        self._demo_plan()

    def _demo_scenario(self, today: str) -> None:
        """A scenario raising the dibao standard from the next month, measured by ``quke`` and
        waiting for ``quke2``'s decision (示例: not a real proposal)."""
        if Scenario.objects.exists():
            return
        effective = (dt.date.fromisoformat(today).replace(day=1) + dt.timedelta(days=32)).replace(
            day=1
        )
        scenario = create_scenario(
            User.objects.get(username="quke"),
            label="低保标准提高到1,100元（示例）",
            effective=effective,
            reference="区民政局局务会测算（示例）",
            changes={"dibao.standard": 1100},
        )
        self.stdout.write(f"测算方案 {scenario.households} 户，待 quke2 审批 (scenario)")

    def _demo_discovery(self, folder: Path) -> None:
        """The low-income population register from the synthetic district's
        ``register.parquet``, then proactive discovery on the demo month, so that the alert
        inbox has alerts to show."""
        if DiscoveryRun.objects.exists():
            return
        if (folder / "register.parquet").exists():
            imported = import_register(None, folder / "register.parquet")
            self.stdout.write(f"低收入人口库 {imported.current:,} 人 (low-income register)")
        run = run_discovery(None, f"{DEMO_DATE:%Y-%m}", folder=folder / "feeds")
        self.stdout.write(
            f"主动发现 {run.month}：新增预警 {run.created:,} 条，核查任务 {run.tasks_opened:,} 个"
            f"（{run.seconds:.1f} 秒） (proactive discovery: alerts, verification tasks)"
        )

    def _demo_applications(self, households: list[Household]) -> None:
        """A few applications at different steps, so the workbench has work to show: two just
        accepted, one verified and waiting for the home visit, one in its public notice."""
        caseworker = User.objects.get(username="jingban")
        for index, household in enumerate(households):
            application = _submit(household)
            if index >= 2:
                actions.verify(caseworker, application)
            if index >= 3:
                application.refresh_from_db()
                _visit_and_approve(application)
        self.stdout.write(f"演示申请 {len(households)} 件 (demo applications)")

    def _demo_decisions(self, households: list[Household], today: str) -> None:
        """Households taken through the whole procedure in September (the demo's clock
        moved day by day, every step through the actions), so that entitlements exist from
        October, with bank accounts; then October's dibao payroll drafted by one district
        officer and left for another to check (the maker–checker steps are the visitor's)."""

        def card_number(body: str) -> str:
            """A synthetic UnionPay card number: ``body`` and its Luhn check digit."""
            return body + luhn_check_digit(body)

        caseworker = User.objects.get(username="jingban")
        head = User.objects.get(username="zhenzhang")
        officer = User.objects.get(username="quke")
        director = User.objects.get(username="juzhang")
        # Eligible on declared data; verification may find otherwise (such an application
        # stays at its home visit, one more item of work).

        def on(day: str) -> None:
            settings.JIUZHU["TODAY"] = day

        applications = []
        try:
            on("2025-09-01")
            for household in households:
                application = _submit(household)
                actions.verify(caseworker, application)
                application.refresh_from_db()
                if not actions.default_amount(application):
                    continue
                _visit_and_approve(application)
                applications.append(application)
            on("2025-09-12")
            for application in applications:
                actions.close_public_notice(caseworker, application)
            on("2025-09-15")
            for application in applications:
                actions.propose_decision(
                    officer,
                    application,
                    outcome="approve",
                    monthly_amount=actions.default_amount(application),
                    reasons="",
                )
            on("2025-09-16")
            for application in applications:
                actions.confirm_decision(director, application)
                # The caseworker records the applicant's account, the township head checks it.
                account = payments.record_account(
                    caseworker,
                    application.household,
                    bank_name="天津农村商业银行宝坻支行",
                    account_number=card_number(f"6223100{application.household_id:011d}"),
                    holder_name=application.applicant.name,
                    holder_id=application.applicant.resident_id,
                )
                payments.check_account(head, account)
        finally:
            on(today)
        if not applications:
            return
        run = payments.draft_run(officer, f"{DEMO_DATE:%Y-%m}", Program.DIBAO)
        # One household changed its bank since: the new account waits for the head's check.
        changed = applications[0]
        payments.record_account(
            caseworker,
            changed.household,
            bank_name="中国邮政储蓄银行宝坻支行",
            account_number=card_number(f"6221000{changed.household_id:011d}"),
            holder_name=changed.applicant.name,
            holder_id=changed.applicant.resident_id,
        )
        self.stdout.write(
            f"审核确认 {len(applications)} 户，{run.month} 低保发放名册待复核，"
            "1 户更换的银行账户待复核 "
            "(decisions confirmed; the payroll and a changed bank account wait for their check)"
        )


def _submit(household: Household) -> Application:
    """A dibao application of the household at the counter, with every material, by the demo's
    township caseworker; the household's applicant (relation 01) applies."""
    applicant = household.memberships.get(relation="01", valid_to__isnull=True).person
    return actions.submit_application(
        User.objects.get(username="jingban"),
        household,
        program=Program.DIBAO,
        applicant=applicant,
        channel=Channel.COUNTER,
        materials=DEMO_MATERIALS,
    )


def _visit_and_approve(application: Application) -> None:
    """The verified application's home visit on its day of acceptance (two staff), then the
    township head's approving opinion, which publishes the notice."""
    actions.record_home_visit(
        User.objects.get(username="jingban"),
        application,
        visited_on=application.accepted_on or DEMO_DATE,
        staff=["王经办", "刘协理"],
        findings="入户查看住房、家电和生活状况，与申报基本相符",
        applicant_signed=True,
    )
    actions.give_township_opinion(
        User.objects.get(username="zhenzhang"),
        application,
        opinion="approve",
        note="经调查核实，拟同意",
        single_person_choice=_single_person_choice(application),
    )


def _single_person_choice(application: Application) -> str:
    """The household's near-dibao assistance where the assessment offers the single-person
    unit (a choice the township records with its opinion)."""
    latest = application.assessments.first()
    return "household_near_dibao" if offers_single_person_unit(latest) else ""


def _likely_eligible(township: str, count: int) -> list[Household]:
    """Households of the township the rules find eligible for dibao on their declared data, so
    the demo's applications show a realistic path (an applicant of each)."""
    system = load_system("tianjin")
    ids = list(Household.objects.filter(township_code=township).values_list("pk", flat=True))
    frames = engine_frames(system, ids, DEMO_DATE, basis="declared")
    result = system.simulate(
        frames["household"], frames["person"], frames["obligor"], outputs=["dibao_eligible"]
    )
    chosen = result.households.filter(pl.col("dibao_eligible").fill_null(False))["household_id"]
    return list(Household.objects.filter(pk__in=chosen.to_list()[:count]).order_by("pk"))
