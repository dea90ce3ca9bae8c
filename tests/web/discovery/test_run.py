"""The discovery run over the session district: the register and registry frames built from the
database, the month's feeds read from the folder, the batch half's ``discover`` called, the
alerts written once (a second run of the month creates none); the background job, the run
page and ``jiuzhu-web discover``."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import Client

from jiuzhu.batch.pipelines.discover import REGISTER_SCHEMA, DiscoveryInputs
from jiuzhu.web.accounts.models import User
from jiuzhu.web.discovery import actions
from jiuzhu.web.discovery.models import Alert, DiscoveryRun
from jiuzhu.web.jobs.models import Job
from jiuzhu.web.registry.models import Household, Person
from tests.web.conftest import PASSWORD
from tests.web.payments.conftest import grant

pytestmark = pytest.mark.django_db
MONTH = "2025-10"


@pytest.fixture(autouse=True)
def _run_tasks_at_once(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_the_inputs_are_built_from_the_database_and_the_feeds(
    district_folder: Path, townships: tuple[str, str]
) -> None:
    households = list(Household.objects.filter(township_code=townships[0]).order_by("pk")[:2])
    grant(households, start="2025-09", amount=104_500)
    actions.refresh_register(None)
    feeds, report = actions.read_month_feeds(
        actions.feeds_folder_for(MONTH, district_folder / "feeds")
    )
    assert feeds and all("error" not in info for info in report.values())
    inputs = actions.build_inputs(MONTH, townships[0], feeds)
    assert isinstance(inputs, DiscoveryInputs)
    assert inputs.households.height == Household.objects.filter(township_code=townships[0]).count()
    assert set(inputs.households["division_code"].str.slice(0, 9).to_list()) == {townships[0]}
    assert households[0].number in inputs.households["household_id"].to_list()
    person = households[0].memberships.filter(valid_to__isnull=True).first().person
    assert person.resident_id in inputs.persons["resident_id"].to_list()
    assert inputs.persons["household_id"].dtype.is_(inputs.households["household_id"].dtype)
    assert inputs.register.schema == REGISTER_SCHEMA
    assert set(inputs.register["household_id"].to_list()) == {h.number for h in households}


def test_a_month_runs_once_and_a_second_run_creates_nothing(
    district_folder: Path, users: dict[str, User]
) -> None:
    folder = district_folder / "feeds"
    first = actions.run_discovery(users["officer"], MONTH, folder=folder)
    assert first.status == DiscoveryRun.Status.DONE
    assert first.created == Alert.objects.count()
    assert first.created + first.out_of_scope <= first.found
    # Every alert is routed inside the district, linked to its household where it names one.
    for alert in Alert.objects.all()[:200]:
        assert alert.division_code.startswith("120115")
        if alert.household_key:
            assert alert.household_id is not None
        assert alert.explanation_zh
    second = actions.run_discovery(users["officer"], MONTH, folder=folder)
    assert second.created == 0 and second.tasks_opened == 0
    assert second.already_open == first.created
    assert Alert.objects.count() == first.created


def test_only_the_district_starts_a_run(users: dict[str, User]) -> None:
    for name in ("caseworker", "head", "auditor", "community"):
        with pytest.raises(PermissionDenied):
            actions.start_discovery(users[name], MONTH)
    with pytest.raises(ValidationError):
        actions.start_discovery(users["officer"], "2025-13")
    assert not DiscoveryRun.objects.exists()


def test_the_job_runs_and_the_run_page_shows_the_counts(
    district_folder: Path,
    users: dict[str, User],
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.JIUZHU = {**settings.JIUZHU, "FEEDS_DIR": str(district_folder / "feeds")}
    client = Client()
    assert client.login(username="officer", password=PASSWORD)
    assert 'id="run-form"' in client.get("/discovery/runs/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/discovery/runs/start/", {"month": MONTH})
    run = DiscoveryRun.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/discovery/runs/{run.pk}/"
    assert run.status == DiscoveryRun.Status.DONE, run.message
    assert run.job is not None and run.job.status == Job.Status.DONE
    page = client.get(f"/discovery/runs/{run.pk}/").content.decode()
    assert f'<dd id="created">{run.created}</dd>' in page
    assert f'<dd id="already-open">{run.already_open}</dd>' in page
    # A township caseworker sees no run form, and not the district's run.
    caseworker = Client()
    assert caseworker.login(username="caseworker", password=PASSWORD)
    assert 'id="run-form"' not in caseworker.get("/discovery/runs/").content.decode()
    assert caseworker.get(f"/discovery/runs/{run.pk}/").status_code == 404


def test_the_management_command(district_folder: Path) -> None:
    out = io.StringIO()
    call_command(
        "discover", "--month", MONTH, "--feeds", str(district_folder / "feeds"), stdout=out
    )
    assert out.getvalue().startswith(f"{MONTH}: ")
    created = Alert.objects.count()
    out = io.StringIO()
    call_command(
        "discover", "--month", MONTH, "--feeds", str(district_folder / "feeds"), stdout=out
    )
    assert Alert.objects.count() == created
    assert DiscoveryRun.objects.order_by("-pk").first().created == 0
    assert Person.objects.exists()


def test_a_months_feed_records_become_routed_alerts_and_verification_tasks(
    tmp_path: Path, users: dict[str, User], townships: tuple[str, str]
) -> None:
    """Hand-written department files for October 2025: an inpatient stay with a high own share
    for a resident not in the register (a discovery alert), and a car registered by a member of a
    dibao household (adverse: a verification task, the entitlement untouched)."""
    from jiuzhu.web.entitlements.models import Entitlement, ReviewTask, TaskKind

    patient_home, recipient_home = list(
        Household.objects.filter(township_code=townships[0]).order_by("pk")[:2]
    )
    (entitlement,) = grant([recipient_home], start="2025-09", amount=104_500)
    before = Entitlement.objects.filter(pk=entitlement.pk).values().get()
    patient = patient_home.memberships.filter(valid_to__isnull=True).first().person
    owner = recipient_home.memberships.filter(valid_to__isnull=True).first().person
    folder = tmp_path / "feeds" / MONTH
    folder.mkdir(parents=True)
    (folder / "medical_insurance.csv").write_text(
        "身份证号,姓名,结算日期,就诊类型,医疗费用总额,统筹基金支付,大病保险支付,医疗救助支付,个人自付\n"
        f"{patient.resident_id},{patient.name},2025-10-05,住院,30000.00,15000.00,3000.00,0.00,12000.00\n",
        encoding="utf-8",
    )
    (folder / "vehicles.csv").write_text(
        "所有人身份证号,所有人,号牌号码,车辆类型,使用性质,初次登记日期,注销日期\n"
        f"{owner.resident_id},{owner.name},津A12345,小型轿车,非营运,2025-10-09,\n",
        encoding="utf-8",
    )
    run = actions.run_discovery(users["officer"], MONTH, folder=tmp_path / "feeds")
    assert run.feeds_folder == str(folder)
    medical = Alert.objects.get(signal="MED_HIGH_OOP")
    assert medical.household == patient_home and medical.person == patient
    assert medical.division_code.startswith(townships[0]) and not medical.adverse
    assert "12,000" in medical.explanation_zh or "12000" in medical.explanation_zh
    assert medical.evidence  # source records, values, thresholds
    vehicle = Alert.objects.get(signal="ASSET_REGISTERED")
    assert vehicle.adverse and vehicle.household == recipient_home
    task = ReviewTask.objects.get(kind=TaskKind.DISCOVERY_CHECK, entitlement=entitlement)
    assert task.key == f"alert:{vehicle.pk}" and run.tasks_opened == 1
    assert Entitlement.objects.filter(pk=entitlement.pk).values().get() == before
    # The alert page shows the explanation in the UI language and the evidence.
    client = Client()
    assert client.login(username="caseworker", password=PASSWORD)
    page = client.get(f"/discovery/alerts/{medical.pk}/").content.decode()
    assert medical.explanation_zh in page and 'id="evidence"' in page
    assert "医疗个人负担过高" in page  # the catalogue's label
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get(f"/discovery/alerts/{medical.pk}/").content.decode()
    assert medical.explanation_en in page and "High medical out-of-pocket cost" in page
    # Again: nothing new.
    again = actions.run_discovery(users["officer"], MONTH, folder=tmp_path / "feeds")
    assert again.created == 0 and again.already_open == run.created
