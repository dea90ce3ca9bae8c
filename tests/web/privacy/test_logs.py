"""No ID number or account number in a log, an error report or a stored job message (issue 12,
point 6): each is masked where it is written."""

from __future__ import annotations

import io
import logging
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.views.debug import get_exception_reporter_class

from jiuzhu.web.accounts.models import User
from jiuzhu.web.core.logmasking import MaskingLogFilter
from jiuzhu.web.core.redaction import mask_data, mask_text
from jiuzhu.web.jobs.models import Job
from jiuzhu.web.jobs.tasks import import_feeds_task

RESIDENT_ID = "12022419800101123X"
MASKED_ID = "120224********123X"
ACCOUNT = "6222021234567890123"
MASKED_ACCOUNT = "6222***********0123"


def test_text_keeps_short_numbers_and_masks_ids_and_accounts() -> None:
    text = f"户120115001001 身份证号{RESIDENT_ID}，账号 {ACCOUNT}，金额 100000 分"
    assert mask_text(text) == (
        f"户120115001001 身份证号{MASKED_ID}，账号 {MASKED_ACCOUNT}，金额 100000 分"
    )
    # A disability certificate number is the ID followed by two digits: still masked.
    assert RESIDENT_ID not in mask_text(f"残疾证号 {RESIDENT_ID}11")
    assert mask_data({"id": RESIDENT_ID, "n": [int(ACCOUNT), 12]}) == {
        "id": MASKED_ID,
        "n": [MASKED_ACCOUNT, 12],
    }


def _masking_handlers() -> list[logging.Handler]:
    return [
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, MaskingLogFilter) for f in h.filters)
    ]


def test_every_handler_of_the_settings_masks_its_records() -> None:
    handlers = settings.LOGGING["handlers"]
    assert handlers and all("mask_personal_data" in h["filters"] for h in handlers.values())
    assert _masking_handlers(), "the root logger's handler of the settings"
    for name in ("django", "django.server"):
        assert all(
            any(isinstance(f, MaskingLogFilter) for f in h.filters)
            for h in logging.getLogger(name).handlers
            if not type(h).__module__.startswith("_pytest")  # pytest's capture
        )


def test_a_log_record_with_an_id_is_emitted_masked() -> None:
    handler = _masking_handlers()[0]
    assert isinstance(handler, logging.StreamHandler)
    out = io.StringIO()
    previous = handler.setStream(out)
    try:
        try:
            raise ValueError(f"账号 {ACCOUNT} 无效")
        except ValueError:
            logging.getLogger("jiuzhu.web.test_privacy").exception(
                "人员 %s 的账号有误", RESIDENT_ID
            )
    finally:
        handler.setStream(previous)
    emitted = out.getvalue()
    assert MASKED_ID in emitted and MASKED_ACCOUNT in emitted
    assert RESIDENT_ID not in emitted and ACCOUNT not in emitted


def test_a_500_report_shows_post_get_and_locals_masked() -> None:
    request = RequestFactory().post(
        f"/registry/?q={RESIDENT_ID}", {"resident_id": RESIDENT_ID, "account_number": ACCOUNT}
    )
    local_value = {"holder": RESIDENT_ID}  # noqa: F841 — a local variable of the failing frame
    try:
        raise RuntimeError(f"no person {RESIDENT_ID}")
    except RuntimeError:
        reporter = get_exception_reporter_class(request)(request, *sys.exc_info())
    for report in (reporter.get_traceback_html(), reporter.get_traceback_text()):
        assert RESIDENT_ID not in report and ACCOUNT not in report
        assert MASKED_ID in report
    assert MASKED_ACCOUNT in reporter.get_traceback_html()
    # The filter alone already masks POST and the frames' variables.
    data = reporter.filter.get_post_parameters(request)
    assert data["resident_id"] == MASKED_ID and data["account_number"] == MASKED_ACCOUNT


@pytest.mark.django_db
def test_a_feed_job_with_a_bad_id_stores_its_message_masked(
    users: dict[str, User], tmp_path: Path, settings: Any
) -> None:
    bad_id = "120224195502110131"  # a wrong check digit (…0130 is valid)
    (tmp_path / "medical_insurance.csv").write_text(
        "参保人身份证号,参保人姓名,结算日期,医疗类别,医疗费用总额,统筹基金支付,大病保险支付,"
        "医疗救助支付,个人负担,病种\n"
        f"{bad_id},曾华帅,2024-10-01,住院,117534.26,66964.04,12676.86,0.00,37893.36,心脏瓣膜置换\n",
        encoding="utf-8",
    )
    director = users["director"]
    job = Job.objects.create(
        kind=Job.Kind.FEED_IMPORT, division_code=director.division_code, created_by=director
    )
    import_feeds_task.call(job.pk, str(tmp_path))
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert bad_id not in job.message
    assert "120224********0131" in job.message


@pytest.mark.django_db
def test_a_failed_tasks_stored_traceback_is_masked(users: dict[str, User], tmp_path: Path) -> None:
    from django_tasks_db.models import DBTaskResult

    from jiuzhu.web.jobs.recovery import mask_traceback

    director = users["director"]
    job = Job.objects.create(
        kind=Job.Kind.FEED_IMPORT, division_code=director.division_code, created_by=director
    )
    result = import_feeds_task.enqueue(job.pk, str(tmp_path))
    DBTaskResult.objects.filter(id=result.id).update(
        traceback=f"Traceback …\nValueError: 人员 {RESIDENT_ID} 账号 {ACCOUNT}"
    )
    mask_traceback(str(result.id))
    stored = DBTaskResult.objects.get(id=result.id).traceback
    assert RESIDENT_ID not in stored and MASKED_ID in stored and MASKED_ACCOUNT in stored
