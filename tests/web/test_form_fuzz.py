"""No input to any form gives a server error.

Every view of the platform that takes a POST (found from the URL configuration; the admin and
the log-in aside) is posted to, with a record of the user's jurisdiction for each of its arguments and every step
its view takes, by the users who may use it: first once each with odd values (NaN, infinities,
exponents, digits of other scripts, zero-width characters, huge numbers, unknown primary
keys …) in every field any form of the platform has, then with arbitrary text drawn by
hypothesis. The answer is a page, a redirect, a refusal or a 404 — never a 500.

The records are the demo's (the README's main command: applications at many steps, decisions,
entitlements, a payroll, alerts, accounts), with a scanned material and a bank file added.
Bounded for CI: ``JIUZHU_FUZZ_EXAMPLES`` hypothesis examples (default 150) after the sweep.
"""

from __future__ import annotations

import inspect
import os
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django import forms
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiuzhu.web.accounts.models import User
from jiuzhu.web.core import forms as core_forms
from jiuzhu.web.core.views import post_only
from tests.web.test_page_scan import PASSWORD, demo  # noqa: F401 — the fixture

EXAMPLES = int(os.environ.get("JIUZHU_FUZZ_EXAMPLES", "150"))

ROLES = ("xieliyuan", "jingban", "zhenzhang", "quke", "quke2", "juzhang", "shenji")
"""The demo's users: community worker, township caseworker and head, two district officers,
the director, the auditor."""

SKIPPED = {"set_language", "accounts:login", "accounts:logout"}

ODD = [
    "NaN",
    "nan",
    "-Infinity",
    "inf",
    "1e400",
    "1E5",
    "-1",
    "0",
    "99999999999999999999999999",
    "١٢٣",
    "１２３４．５",
    "1_000",
    "",
    " ",
    "张\u200b三",
    "\x00",
    "<script>alert(1)</script>",
    "2025-13-45",
    "9999-12-31",
    "2025-10",
    "-1-01",
    "x" * 5000,
    "☃",
    "𠮷",
]


# --- The URLs and the records they take ------------------------------------------------------


def _patterns(
    resolver: URLResolver | None = None, prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str, Callable[..., Any]]]:
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            space = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _patterns(entry, prefix + str(entry.pattern), space)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), f"{namespace}{entry.name}", entry.callback


POST_ONLY = post_only("workbench:home")(lambda request: request).__code__


def accepts_post(view: Callable[..., Any]) -> bool:
    """A view that takes a POST: wrapped by ``post_only``, or reading ``request.POST`` (or the
    method) in its body or in a helper of its module that it calls."""
    if getattr(view, "__code__", None) is POST_ONLY:
        return True
    function = inspect.unwrap(view)
    module = inspect.getmodule(function)
    source = inspect.getsource(function)
    helpers = [
        getattr(module, called)
        for called in re.findall(r"\b(_\w+)\(", source)
        if inspect.isfunction(getattr(module, called, None))
    ]
    return any(
        "request.POST" in text or "request.method" in text
        for text in [source, *(inspect.getsource(h) for h in helpers)]
    )


MODELS: dict[str, str] = {
    "registry:": "registry.Household",
    "jobs:": "jobs.Job",
    "entitlements:detail": "entitlements.Entitlement",
    "entitlements:step": "entitlements.Entitlement",
    "entitlements:task": "entitlements.ReviewTask",
    "entitlements:task_step": "entitlements.ReviewTask",
    "entitlements:run": "entitlements.StandardChangeRun",
    "entitlements:run_step": "entitlements.StandardChangeRun",
    "payments:account": "payments.BankAccount",
    "payments:unmask_account": "payments.BankAccount",
    "payments:account_step": "payments.BankAccount",
    "payments:pay_once": "cases.Application",
    "payments:recovery_redirect": "payments.Recovery",
    "payments:repayment": "payments.Recovery",
    "payments:": "payments.PayrollRun",
    "scenarios:": "scenarios.Scenario",
    "discovery:run": "discovery.DiscoveryRun",
    "discovery:": "discovery.Alert",
    "documents:scan": "documents.MaterialFile",
    "documents:replace": "documents.MaterialFile",
    "documents:withdraw": "documents.MaterialFile",
    "documents:termination": "entitlements.Entitlement",
    "documents:fraud_decision": "payments.Recovery",
    "documents:penalty_notice": "payments.Recovery",
    "documents:": "cases.Application",
    "cases:": "cases.Application",
    "accounts:twofactor_reset": "accounts.User",  # issue 12: a user's second factor
    "privacy:": "registry.Household",
    "localvalues:": "localvalues.LocalValue",
    "relief:": "relief.Stay",
    "referrals:": "referrals.Referral",
    "plan:counselling_point": "plan.CounsellingPoint",
    "plan:": "plan.Facility",
}
"""What ``pk`` is, by URL name (the first matching prefix)."""

JURISDICTION = {
    "registry.Household": "division_code",
    "entitlements.Entitlement": "division_code",
    "entitlements.ReviewTask": "division_code",
    "entitlements.StandardChangeRun": "",
    "scenarios.Scenario": "division_code",
    "payments.BankAccount": "household__division_code",
    "payments.PayrollRun": "division_code",
    "payments.Payment": "division_code",
    "payments.BankFile": "run__division_code",
    "payments.Recovery": "division_code",
    "discovery.DiscoveryRun": "",
    "discovery.Alert": "division_code",
    "documents.MaterialFile": "application__division_code",
    "cases.Application": "division_code",
    "jobs.Job": "",
    "registry.Membership": "household__division_code",
    "registry.Person": "memberships__household__division_code",
    "accounts.User": "division_code",
    "localvalues.LocalValue": "",
    "relief.Stay": "division_code",
    "referrals.Referral": "division_code",
    "plan.Facility": "division_code",
    "plan.CounsellingPoint": "division_code",
}


def _model_for(name: str) -> str:
    for prefix, model in MODELS.items():
        if name == prefix or (prefix.endswith(":") and name.startswith(prefix)):
            return model
        if name.startswith(prefix) and name[len(prefix) :].startswith("_"):
            return model
    raise AssertionError(f"{name}: which record does its pk name? (add it to MODELS)")


def _first(model: str, user: User, **filters: Any) -> int | None:
    field = JURISDICTION[model]
    records = apps.get_model(model).objects.filter(**filters)
    if field:
        records = records.filter(**{f"{field}__startswith": user.division_code})
    # The latest: the demo's records still in progress (applications at their steps).
    return records.order_by("-pk").values_list("pk", flat=True).first()


def _slugs() -> dict[str, tuple[str, ...]]:
    """Every step (or kind) the views of slugged URLs take, from the views themselves where
    they keep a table of them."""
    from jiuzhu.web.cases import views as cases
    from jiuzhu.web.discovery import alert_views
    from jiuzhu.web.documents.models import NUMBERED_KINDS
    from jiuzhu.web.entitlements import views as entitlements
    from jiuzhu.web.jobs.models import Job
    from jiuzhu.web.payments import views as payments

    return {
        "cases:step": (*cases.STEPS, "unknown"),
        "entitlements:step": (*entitlements.STEPS, "unknown"),
        "entitlements:task_step": ("complete", "close", "unknown"),
        "entitlements:run_step": ("approve", "discard", "unknown"),
        "scenarios:step": ("approve", "reject", "unknown"),
        "payments:step": (*payments.STEPS, "redraft", "return", "unknown"),
        "payments:account_step": ("check", "reject", "unknown"),
        "discovery:step": (*alert_views.STEPS, "unknown"),
        "documents:issue": (*sorted(NUMBERED_KINDS), "unknown"),
        "registry:member_event": ("move_out", "death", "absence", "return", "unknown"),
        "jobs:start": (*Job.Kind.values, "unknown"),
    }


def _arguments(name: str, pattern: str, user: User) -> dict[str, Any] | None:
    """A record of the user's jurisdiction for each argument of the URL (None: there is none
    for this user, e.g. a township user and a district record)."""
    values: dict[str, Any] = {}
    for argument in re.findall(r"<(?:int:)?(\w+)>", pattern):
        if argument == "pk":
            model = _model_for(name)
            filters = {"household_id": values["household_pk"]} if "household_pk" in values else {}
            found = _first(model, user, **filters)
        elif argument == "household_pk":
            found = (
                apps.get_model("payments.BankAccount")
                .objects.filter(household__division_code__startswith=user.division_code)
                .order_by("pk")
                .values_list("household_id", flat=True)
                .first()
            )
        elif argument == "membership_pk":
            found = _first("registry.Membership", user, household_id=values["pk"])
        elif argument == "person_pk":
            found = _first("registry.Person", user, memberships__household_id=values["pk"])
        elif argument == "payment_pk":
            found = _first("payments.Payment", user)
        elif argument == "file_pk":
            found = _first("payments.BankFile", user, run_id=values["pk"])
        else:
            raise AssertionError(f"{name}: unknown URL argument {argument}")
        if found is None:
            return None
        values[argument] = found
    return values


@dataclass(frozen=True)
class Target:
    username: str
    name: str
    path: str


def targets() -> list[Target]:
    """Every (user, URL) to post to: each URL with every step its view takes, for each role
    that has a record of its jurisdiction for the URL's arguments."""
    slugs = _slugs()
    found: list[Target] = []
    for pattern, name, view in _patterns():
        if name in SKIPPED or name.startswith("admin:") or not accepts_post(view):
            continue
        slug = re.search(r"<slug:\w+>", pattern)
        assert not slug or name in slugs, f"{name}: which steps does it take? (add to _slugs)"
        for username in ROLES:
            user = User.objects.get(username=username)
            values = _arguments(name, pattern, user)
            if values is None:
                continue
            filled = re.sub(r"<(?:int:)?(\w+)>", lambda m, v=values: str(v[m.group(1)]), pattern)
            for step in slugs.get(name, ("",)):
                found.append(Target(username, name, "/" + re.sub(r"<slug:\w+>", step, filled)))
    return found


# --- The fields ------------------------------------------------------------------------------


def _form_classes() -> Iterator[type[forms.Form]]:
    pending: list[type[Any]] = [forms.Form, forms.ModelForm]
    while pending:
        cls = pending.pop()
        pending += cls.__subclasses__()
        if cls.__module__.startswith("jiuzhu.web."):
            yield cls


def _plausible(field: forms.Field) -> list[Any]:
    """Values the field would accept, so that some examples get past the form to the action."""
    if isinstance(field, forms.BooleanField):
        return ["on", ""]
    if isinstance(field, forms.FileField):
        return []
    if isinstance(field, forms.ChoiceField):
        choices = [str(value) for value, _label in field.choices if value not in ("", None)]
        return choices[:12] or ["1"]
    if isinstance(field, forms.DateField):
        return ["2025-10-15", "2025-09-01"]
    if isinstance(field, core_forms.YuanField):
        return ["1045.00", "0"]
    if isinstance(field, core_forms.ResidentIdField):
        return ["11010519491231002X"]
    if isinstance(field, forms.IntegerField | forms.DecimalField):
        return ["1", "3", "100"]
    if isinstance(field, forms.RegexField):
        return ["2025-10", "2025-11"]
    return ["符合条件", "张三"]


def _formsets() -> Iterator[type[forms.BaseFormSet]]:
    """The formsets the platform's form modules build (``formset_factory``)."""
    for module in list(sys.modules.values()):
        if not getattr(module, "__name__", "").startswith("jiuzhu.web."):
            continue
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, forms.BaseFormSet)
                and hasattr(value, "form")
            ):
                yield value


def fields() -> dict[str, list[Any]]:
    """Every field name of every form of the platform, with the values it would accept; the
    fields of a formset's forms under their prefixed names (``form-0-…``), with its management
    fields."""
    import jiuzhu.web.config.urls  # noqa: F401 — every view module, and so every form, loaded

    names: dict[str, list[Any]] = {}

    def add(name: str, values: list[Any]) -> None:
        names.setdefault(name, [])
        names[name] += [v for v in values if v not in names[name]]

    for cls in _form_classes():
        for name, field in cls.base_fields.items():
            add(name, _plausible(field))
    for formset in _formsets():
        prefix = formset.get_default_prefix()
        add(f"{prefix}-TOTAL_FORMS", ["1", "2"])
        add(f"{prefix}-INITIAL_FORMS", ["0", "1"])
        for name, field in formset.form.base_fields.items():
            for index in (0, 1):
                add(f"{prefix}-{index}-{name}", _plausible(field))
    return names


FILE_NAMES = ("file",)


def _upload(content: bytes, name: str = "return.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


# --- The records the demo lacks --------------------------------------------------------------


@pytest.fixture
def records(demo: None) -> None:  # noqa: F811 — the fixture
    """A scanned material and a bank file of an exported run (the demo leaves the payroll for
    the visitor to check)."""
    from jiuzhu.web.cases.models import Application
    from jiuzhu.web.documents import actions as documents
    from jiuzhu.web.payments import actions as payments
    from jiuzhu.web.payments.models import PayrollRun

    caseworker = User.objects.get(username="jingban")
    application = (
        Application.objects.filter(division_code__startswith=caseworker.division_code)
        .order_by("-pk")
        .first()
    )
    documents.upload_material(
        caseworker,
        application,
        material="application_form",
        upload=_upload(b"%PDF-1.4\n%\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "scan.pdf"),
    )
    run = PayrollRun.objects.get()
    run = payments.check_run(User.objects.get(username="quke2"), run)
    run = payments.approve_run(User.objects.get(username="juzhang"), run)
    payments.export_run(User.objects.get(username="quke"), run)


def _records_as_choices() -> dict[str, list[str]]:
    """Primary keys of real records for the fields that choose one (the forms' choices are
    built per page): the members of a household of the first township, its staff, an open
    application."""
    caseworker = User.objects.get(username="jingban")
    household = _first("registry.Household", caseworker)
    persons = [
        str(pk)
        for pk in apps.get_model("registry.Membership")
        .objects.filter(household_id=household)
        .values_list("person_id", flat=True)
    ]
    users = [str(pk) for pk in User.objects.values_list("pk", flat=True)]
    application = str(_first("cases.Application", caseworker))
    return {
        "person_id": persons,
        "person": persons,
        "applicant": persons,
        "payee": persons,
        "assignee": users,
        "application": [application],
    }


# --- The test --------------------------------------------------------------------------------


def _post(clients: dict[str, Client], target: Target, data: dict[str, Any]) -> int:
    response = clients[target.username].post(target.path, data)
    return response.status_code


def _clients() -> dict[str, Client]:
    clients = {}
    for username in ROLES:
        client = Client(raise_request_exception=False)
        assert client.login(username=username, password=PASSWORD)
        clients[username] = client
    return clients


@pytest.mark.django_db
def test_no_input_to_any_form_gives_a_server_error(records: None) -> None:
    found = targets()
    names = fields()
    assert len({t.name for t in found}) >= 25 and len(names) >= 60
    for name, values in _records_as_choices().items():
        for key in names:
            if key == name or key.endswith(f"-{name}"):
                names[key] += values
    clients = _clients()
    failures: list[str] = []

    def check(target: Target, data: dict[str, Any]) -> None:
        status = _post(clients, target, data)
        if status >= 500:
            shown = {k: (v if isinstance(v, str) else "<file>")[:40] for k, v in data.items()}
            failures.append(f"{target.username} {target.name} {target.path}: {status} {shown}")

    # The sweep: every target once, every field an odd value (a different one per field).
    for number, target in enumerate(found):
        data: dict[str, Any] = {
            name: ODD[(number + position) % len(ODD)] for position, name in enumerate(names)
        }
        data["file"] = _upload(ODD[number % len(ODD)].encode("utf-8", "surrogatepass"))
        check(target, data)
    assert not failures, "\n".join(failures[:30])

    values = {
        name: st.one_of(st.sampled_from(ODD), st.text(max_size=30), st.sampled_from(plausible))
        if plausible
        else st.one_of(st.sampled_from(ODD), st.text(max_size=30))
        for name, plausible in names.items()
    }

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        target=st.sampled_from(found),
        data=st.fixed_dictionaries({}, optional=values),
        upload=st.binary(max_size=2000),
    )
    def fuzz(target: Target, data: dict[str, Any], upload: bytes) -> None:
        check(target, {**data, "file": _upload(upload)})
        assert not failures, failures[-1]

    fuzz()
