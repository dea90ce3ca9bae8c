"""The platform's own error pages, in the user's language: 404 for what is missing or outside
the jurisdiction, 403 with the reason where there is one people can read, 500 without anything
that could itself fail."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, RequestFactory
from django.utils import translation

from jiuzhu.web.accounts.models import User
from jiuzhu.web.core.errors import server_error
from jiuzhu.web.core.transitions import NotPermitted
from tests.web.conftest import PASSWORD


def _client(username: str, language: str = "zh-hans") -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    client.cookies.load({"django_language": language})
    return client


@pytest.mark.django_db
def test_not_found_is_the_platforms_page_in_both_languages(users: dict[str, User]) -> None:
    page = _client("caseworker").get("/no-such-page/")
    assert page.status_code == 404
    text = page.content.decode()
    assert "未找到" in text and "返回工作台" in text and "Traceback" not in text
    english = _client("caseworker", "en").get("/applications/999999/")
    assert english.status_code == 404 and "Not found" in english.content.decode()


@pytest.mark.django_db
def test_forbidden_says_the_reason_when_there_is_one(
    users: dict[str, User], rf: RequestFactory
) -> None:
    page = _client("caseworker").get("/audit/")
    assert page.status_code == 403 and "无权操作" in page.content.decode()
    from jiuzhu.web.core.errors import permission_denied

    request = rf.get("/")
    request.user = users["officer"]
    with translation.override("zh-hans"):
        response = permission_denied(request, NotPermitted("拟确认人不能确认自己的意见"))
    assert response.status_code == 403
    assert "拟确认人不能确认自己的意见" in response.content.decode()
    # A permission code is never shown as a reason.
    from django.core.exceptions import PermissionDenied

    with translation.override("zh-hans"):
        coded = permission_denied(request, PermissionDenied("cases.confirm"))
    assert "cases.confirm" not in coded.content.decode()


def test_the_server_error_page_needs_nothing_that_might_have_failed(rf: RequestFactory) -> None:
    request: Any = rf.get("/")
    for language, words in (("zh-hans", "系统出错"), ("en", "System error")):
        with translation.override(language):
            response = server_error(request)
        assert response.status_code == 500 and words in response.content.decode()
