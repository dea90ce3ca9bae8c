"""Every change to an application: one function per statutory step.

Each action checks the user's permission on the application (role and jurisdiction), checks the
workflow allows the move, writes in one transaction, records an ``ApplicationEvent`` and an audit
event, and returns the application. Nothing is written when a check fails.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from jiuzhu.rules import registry
from jiuzhu.rules.engine.units import format_yuan
from jiuzhu.rules.procedure import TEKUN_SPOT_CHECK_SHARE, rule
from jiuzhu.web.audit.actions import record, snapshot
from jiuzhu.web.audit.texts import record_language
from jiuzhu.web.cases.assessment import assess, offers_single_person_unit, program_result
from jiuzhu.web.cases.inputs import normalise
from jiuzhu.web.cases.materials import MATERIALS, required_materials
from jiuzhu.web.cases.models import (
    OPEN_STAGES,
    Application,
    ApplicationEvent,
    Channel,
    HomeVisit,
    Objection,
    Opinion,
    SinglePersonChoice,
    Stage,
)
from jiuzhu.web.cases.signals import decision_confirmed
from jiuzhu.web.cases.workflow import (
    APPLICATION,
    TransitionError,
    next_month,
    next_stage,
    public_notice,
)
from jiuzhu.web.core import clock
from jiuzhu.web.core.locks import locked
from jiuzhu.web.core.models import next_number
from jiuzhu.web.core.programs import Program, number_prefix
from jiuzhu.web.core.require import require
from jiuzhu.web.core.users import Staff
from jiuzhu.web.registry.models import Household, Membership, Person, Source
from jiuzhu.web.verification.actions import run_verification


def _yuan(fen: int | None) -> str:
    return "—" if fen is None else format_yuan(int(fen))


def _check(user: Staff, application: Application, move: str) -> None:
    """The transition table's verdict on the (locked) application: raises ``Refused`` or
    ``NotPermitted`` with the reason."""
    APPLICATION.check(user, application, move, clock.today())


def _move(
    user: Staff, application: Application, action: str, note: str = "", **detail: Any
) -> None:
    before = application.stage
    application.stage = next_stage(application, action)
    application.save()
    ApplicationEvent.objects.create(
        application=application,
        user=user,
        action=action,
        from_stage=before,
        to_stage=application.stage,
        note=note,
    )
    record(
        user,
        f"cases.{action}",
        application,
        before={"stage": before},
        after={"stage": application.stage},
        **detail,
    )


def application_number(program: str, township_code: str, year: int) -> str:
    """The next number of the township's applications of ``program`` in ``year``:
    ``DB2025-120115001-00017``, the 17th dibao application the township registered in 2025
    (the letters are the program's ``number_prefix`` in the rules' registry).

    The number comes from a counter row (``core.models.Counter``, one per program, township and
    year) locked until the registration's transaction ends: two clerks registering at the same
    instant get consecutive numbers, and a registration rolled back gives its number back, so
    the township's numbers have no gaps. (Counting the applications and adding one gave two
    clerks the same number, and one of them a server error.)

    Raises:
        KeyError: the program has no application numbers (none registered of that name).
    """
    prefix = f"{number_prefix(program)}{year}-{township_code}-"

    def highest() -> int:
        # Numbers already given under this prefix before the counter existed (none on a new
        # deployment; a restored database keeps its counter with its applications).
        numbers = Application.objects.filter(number__startswith=prefix).values_list(
            "number", flat=True
        )
        return max(
            (int(n[len(prefix) :]) for n in numbers if n[len(prefix) :].isdigit()), default=0
        )

    sequence = next_number(f"application:{prefix}", highest)
    return f"{prefix}{sequence:05d}"


def _missing_materials(
    program: str,
    channel: str,
    members: QuerySet[Membership],
    materials: Sequence[str],
    accept_incomplete: bool,
) -> list[str]:
    """The required materials not handed in (refused unless ``accept_incomplete``)."""
    # The disease is sealed at rest (core.crypto): compared here, not in SQL.
    illnesses = members.values_list("person__serious_illness", flat=True)
    ill = any(code != "none" for code in illnesses)
    missing = [m for m in required_materials(program, channel, ill) if m not in materials]
    if missing and not accept_incomplete:
        raise ValidationError(
            {
                "materials": _("缺少以下材料（一次性告知）：%(list)s")
                % {"list": "、".join(str(MATERIALS[m]) for m in missing)}
            }
        )
    return missing


def submit_application(
    user: Staff,
    household: Household,
    *,
    program: str,
    applicant: Person,
    channel: str,
    materials: Sequence[str],
    relative_of_staff: bool = False,
    relative_note: str = "",
    accept_incomplete: bool = True,
    inputs: Mapping[str, object] | None = None,
    handled_in: str = "",
) -> Application:
    """Register an application at the counter (or on behalf of the household), with the facts
    it gives the rules itself (``inputs``, by input name: ``cases.inputs``).

    ``handled_in``: the township of an emergency elsewhere (``_handling_division``).

    Accepted at once if every required material is there; otherwise it waits for the materials,
    and the notice lists **everything** missing at once (一次性告知, Art. 10). An application
    where a member is a close relative of a caseworker or a village cadre is registered
    separately and needs a home visit (Art. 11, 20). With ``accept_incomplete`` false, missing
    materials refuse the registration instead (the counter asks before registering).

    Raises:
        PermissionDenied: the user may not take applications for this household (or, with
            ``handled_in``, in that township).
        ValidationError: the applicant is not a current member; an open application of the same
            program exists for the household; an unknown program, channel or material; an
            input blank where required or not of its kind (keyed by the input's name); a
            program other than temporary assistance handled outside the household's township.
    """
    division_code = _handling_division(user, household, program, handled_in)
    if program not in Program.values or channel not in Channel.values:
        raise ValidationError(_("未知的救助项目或申请方式"))
    program_inputs = normalise(program, inputs or {})
    unknown = sorted(set(materials) - set(MATERIALS))
    if unknown:
        raise ValidationError(_("未知的材料：%(codes)s") % {"codes": "、".join(unknown)})
    today = clock.today()
    with transaction.atomic():
        # The household's row locked: two clerks (or two browser tabs) registering for the
        # same household at the same instant take turns, and the second sees the first's
        # application below.
        household = Household.objects.select_for_update().get(pk=household.pk)
        members = household.memberships.filter(valid_to__isnull=True)
        if not members.filter(person=applicant).exists():
            raise ValidationError(_("申请人不是该家庭的现有成员"))
        _refuse_second_open(household, program)
        missing = _missing_materials(program, channel, members, materials, accept_incomplete)
        try:
            # A savepoint: a duplicate refused by the database gives its number back too.
            with transaction.atomic():
                application = Application.objects.create(
                    number=application_number(program, division_code[:9], today.year),
                    program=program,
                    household=household,
                    applicant=applicant,
                    division_code=division_code,
                    channel=channel,
                    stage=Stage.AWAITING_MATERIALS if missing else Stage.ACCEPTED,
                    authorisation_signed="verification_authorisation" in materials,
                    undertaking_signed="truthfulness_undertaking" in materials,
                    materials=list(materials),
                    missing_materials=missing,
                    separately_registered=relative_of_staff,
                    relative_note=relative_note,
                    created_by=user,
                    accepted_on=None if missing else today,
                    program_inputs=program_inputs,
                )
        except IntegrityError:
            # The constraint ``one_open_application_per_program`` (a writer that took no lock).
            _refuse_second_open(household, program)
            raise
        _record_submission(user, application, missing)
    return application


def _handling_division(user: Staff, household: Household, program: str, handled_in: str) -> str:
    """The division an application is registered in: the household's, or for temporary
    assistance the township where the emergency happened (``handled_in``, one the user covers):
    Tianjin lifted the hukou restriction on applying and has the township of the emergency give
    the aid (取消户籍地申请限制，全面推行由急难发生地实施临时救助, Tianjin's 2024 plan; 国发〔2014〕47号
    《国务院关于全面建立临时救助制度的通知》). That township numbers, handles and pays it; the
    household's own township sees it listed on the household. Raises PermissionDenied or
    ValidationError as ``submit_application`` says."""
    if not handled_in or household.division_code.startswith(handled_in):
        require(user, "cases.apply", household)
        return household.division_code
    if program != Program.TEMPORARY_ASSISTANCE:
        raise ValidationError(_("只有临时救助可以由急难发生地受理"))
    if len(handled_in) != 9:
        raise ValidationError(_("急难发生地应为乡镇（街道）"))
    require(user, "cases.apply", Application(division_code=handled_in))
    return handled_in


def _refuse_second_open(household: Household, program: str) -> None:
    """Raises ValidationError naming the household's open application of ``program``, if any
    (one open application per household and program: a database constraint too)."""
    found = (
        Application.objects.filter(household=household, program=program, stage__in=OPEN_STAGES)
        .values_list("number", flat=True)
        .first()
    )
    if found is not None:
        raise ValidationError(
            _("该家庭已有同一项目的在办申请（%(number)s），不能重复登记") % {"number": found}
        )


def _record_submission(user: Staff, application: Application, missing: list[str]) -> None:
    with record_language():
        note = (
            _("一次性告知缺少：%(list)s") % {"list": "、".join(str(MATERIALS[m]) for m in missing)}
            if missing
            else ""
        )
    ApplicationEvent.objects.create(
        application=application, user=user, action="submit", to_stage=application.stage, note=note
    )
    record(
        user,
        "cases.submit",
        application,
        after=snapshot(application, ["program", "stage", "channel", "separately_registered"]),
    )


def complete_materials(
    user: Staff, application: Application, materials: Sequence[str]
) -> Application:
    """Record materials handed in later. Partial deliveries are recorded too; the application is
    accepted (and its deadlines start) when nothing is missing any more.

    Raises:
        PermissionDenied, TransitionError.
    """
    with transaction.atomic():
        application = locked(application)
        _check(user, application, "complete_materials")
        given = sorted(set(application.materials) | set(materials))
        missing = [m for m in application.missing_materials if m not in given]
        application.materials = given
        application.missing_materials = missing
        application.authorisation_signed = "verification_authorisation" in given
        application.undertaking_signed = "truthfulness_undertaking" in given
        if missing:
            application.save()
            record(user, "cases.materials", application, received=list(materials), missing=missing)
            return application
        application.accepted_on = clock.today()
        _move(user, application, "complete_materials")
    return application


def verify(user: Staff, application: Application) -> Application:
    """Query the departments for every member (家庭经济状况核对), store the answers, and assess
    the household on the verified data; the application moves on to the home visit. A program
    that is not means-tested (``Program.means_tested``: funeral assistance, child welfare) asks
    the departments nothing: it is assessed on the register.

    Raises:
        PermissionDenied; TransitionError; ValidationError: the authorisation is not signed.
    """
    with transaction.atomic():
        application = locked(application)
        _check(user, application, "verify")
        if registry.program(application.program).means_tested:
            run_verification(user, application)
            assess(application, clock.today(), Source.VERIFIED)
        else:
            assess(application, clock.today(), Source.DECLARED)
        _move(user, application, "verify")
    return application


def reassess(user: Staff, application: Application) -> Application:
    """Assess the household again on today's registry data after a change (on the verified
    data where verification ran, else the declaration); the application then goes on.

    Raises:
        Refused: nothing changed since the assessment, or not an assessed stage;
        NotPermitted: not the township caseworker.
    """
    with transaction.atomic():
        application = locked(application)
        _check(user, application, "reassess")
        basis = Source.VERIFIED if application.verification_runs.exists() else Source.DECLARED
        assess(application, clock.today(), basis)
        note = application.reassessment_note
        application.reassessment_due = False
        application.reassessment_note = ""
        application.save(update_fields=["reassessment_due", "reassessment_note", "updated_at"])
        with record_language():
            text = _("登记信息变更后重新评估：%(changes)s") % {"changes": note}
        ApplicationEvent.objects.create(
            application=application,
            user=user,
            action="reassess",
            from_stage=application.stage,
            to_stage=application.stage,
            note=text,
        )
        record(user, "cases.reassess", application, changes=note)
    return application


def record_home_visit(
    user: Staff,
    application: Application,
    *,
    visited_on: dt.date,
    staff: Sequence[str],
    findings: str,
    applicant_signed: bool,
    living_conditions_match: bool = True,
) -> Application:
    """入户调查 by at least two staff, signed by them and the applicant (Art. 16).

    Raises:
        PermissionDenied; TransitionError; ValidationError: fewer than two staff, no findings,
            not signed, or a date in the future or before acceptance.
    """
    names = [s.strip() for s in staff if s.strip()]
    errors = {}
    if len(set(names)) < 2:
        errors["staff_2"] = _("入户调查人员不得少于2人")
    if not findings.strip():
        errors["findings"] = _("请填写调查情况")
    if not applicant_signed:
        errors["applicant_signed"] = _("调查表须由申请人签字")
    if visited_on > clock.today() or (
        application.accepted_on and visited_on < application.accepted_on
    ):
        errors["visited_on"] = _("调查日期应在受理日期和今天之间")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        application = locked(application)
        _check(user, application, "home_visit")
        HomeVisit.objects.create(
            application=application,
            visited_on=visited_on,
            staff=names,
            applicant_signed=applicant_signed,
            findings=findings,
            living_conditions_match=living_conditions_match,
            recorded_by=user,
        )
        _move(user, application, "home_visit", note=findings)
    return application


def give_township_opinion(
    user: Staff,
    application: Application,
    *,
    opinion: str,
    note: str,
    single_person_choice: str = "",
) -> Application:
    """The township's initial opinion. *Approve* publishes it in the community for 7 days
    (Art. 19; minors are never published), or sends it straight to the district for a program
    with no public notice (``Program.public_notice``: child welfare); *reject* goes to the
    district with the reasons.

    The household's single-person-unit choice (单人户 or the household's near-dibao assistance,
    never both) is recorded when the assessment offers it.

    Raises:
        PermissionDenied; TransitionError; ValidationError: no reasons for a rejection, or a
            choice that is not offered.
    """
    if opinion not in Opinion.values:
        raise ValidationError({"opinion": _("请选择审核意见")})
    if opinion == Opinion.REJECT and not note.strip():
        raise ValidationError({"note": _("拟不同意须写明理由")})
    if single_person_choice and single_person_choice not in SinglePersonChoice.values:
        raise ValidationError({"single_person_choice": _("未知的单人户选择")})
    published = registry.program(application.program).public_notice
    move = "approve_unpublished" if opinion == Opinion.APPROVE and not published else opinion
    with transaction.atomic():
        application = locked(application)
        _check(user, application, move)
        latest = application.assessments.first()
        offered = offers_single_person_unit(latest)
        if single_person_choice and not offered:
            raise ValidationError({"single_person_choice": _("评估结果未提供单人户选项")})
        if offered and not single_person_choice:
            raise ValidationError({"single_person_choice": _("请记录家庭对单人户的选择")})
        assessed = program_result(latest, application) if latest else None
        if opinion == Opinion.APPROVE and not (assessed and assessed.status) and not note.strip():
            # Approving against (or without) the rules' result is possible — the township may
            # know what the data do not — but never silently.
            raise ValidationError({"note": _("评估结果为不符合或待定，拟同意须写明理由")})
        application.opinion = opinion
        application.opinion_note = note
        application.single_person_choice = single_person_choice
        today = clock.today()
        if move == Opinion.APPROVE:
            # 7 calendar days, ending on a working day (provisional while its year's calendar
            # is missing: counted again when the year is entered, and not closed before).
            notice = public_notice(today)
            application.notice_starts_on = notice.starts_on
            application.notice_ends_on = notice.ends_on
        else:
            application.district_received_on = today
        if move == "approve_unpublished":
            _move(user, application, "approve_unpublished", note=note)
        else:
            _move(user, application, opinion, note=note)
    return application


def record_objection(
    user: Staff, application: Application, *, content: str, received_on: dt.date
) -> Objection:
    """An objection raised during the public notice: the application goes back for
    re-investigation or a community review (Art. 19).

    Raises:
        PermissionDenied; TransitionError; ValidationError: no content, or a date outside the
            notice period.
    """
    if not content.strip():
        raise ValidationError({"content": _("请填写异议内容")})
    with transaction.atomic():
        application = locked(application)
        _check(user, application, "objection")
        if not (
            application.notice_starts_on
            and application.notice_starts_on
            <= received_on
            <= (application.notice_ends_on or received_on)
        ):
            raise ValidationError({"received_on": _("异议应在公示期内提出")})
        objection = Objection.objects.create(
            application=application, received_on=received_on, content=content
        )
        _move(user, application, "objection", note=content)
    return objection


def resolve_objection(
    user: Staff, objection: Objection, *, method: str, upheld: bool, outcome: str
) -> Application:
    """Record how the objection was handled (re-investigation or 民主评议); the township then
    gives a new opinion, which is published again if it approves.

    Raises:
        PermissionDenied; TransitionError; ValidationError: no method or outcome.
    """
    application = objection.application
    if method not in Objection.Method.values:
        raise ValidationError({"method": _("请选择处理方式")})
    if not outcome.strip():
        raise ValidationError({"outcome": _("请填写处理结果")})
    with transaction.atomic():
        application = locked(application)
        _check(user, application, "resolve_objection")
        objection.method = method
        objection.upheld = upheld
        objection.outcome = outcome
        objection.resolved_on = clock.today()
        objection.save()
        _move(user, application, "resolve_objection", note=outcome)
    return application


def close_public_notice(user: Staff, application: Application) -> Application:
    """End a notice that ran its 7 days without an open objection; the file goes to the
    district, whose decision deadline counts from today.

    Raises:
        PermissionDenied; TransitionError; ValidationError: the notice has not yet run 7 days.
    """
    today = clock.today()
    with transaction.atomic():
        # Every check on the locked row: the page the user acted on may be out of date.
        application = locked(application)
        _check(user, application, "close_notice")
        application.district_received_on = today
        if application.program == Program.TEKUN:
            application.spot_check_selected = _spot_check(application)
        _move(user, application, "close_notice")
    return application


def _spot_check(application: Application) -> bool:
    """Whether the district spot-checks this tekun application: at least 30 % of each
    township's applications, chosen by a hash of the number (reproducible, not guessable from
    the order of arrival)."""
    # 《特困人员认定办法》第十六条: at least 30 % (``procedure.application.tekun_spot_check_share``).
    share = float(rule(TEKUN_SPOT_CHECK_SHARE).share(clock.today()))
    township = application.division_code[:9]
    total = Application.objects.filter(
        program=Program.TEKUN,
        division_code__startswith=township,
        district_received_on__isnull=False,
    ).exclude(pk=application.pk)
    checked = total.filter(spot_check_selected=True).count()
    if checked < share * (total.count() + 1):
        return True
    digest = hashlib.sha256(application.number.encode()).digest()[0]
    return digest < 256 * share


def record_spot_check(user: Staff, application: Application, *, note: str) -> Application:
    """The district's spot-check of a tekun application (特困人员认定办法 Art. 16)."""
    if not note.strip():
        raise ValidationError({"note": _("请填写抽查核实情况")})
    with transaction.atomic():
        application = locked(application)
        _check(user, application, "spot_check")
        application.spot_check_note = note
        application.save()
        record(user, "cases.spot_check", application, note=note)
    return application


def propose_decision(
    user: Staff, application: Application, *, outcome: str, monthly_amount: int | None, reasons: str
) -> Application:
    """A district officer's proposed confirmation (the maker of maker–checker).

    ``monthly_amount`` is in fen per month; one other than ``default_amount`` (the latest
    assessment's for the program) needs reasons.

    Raises:
        PermissionDenied; TransitionError (not at the district); ValidationError: an approval
            without a positive amount, a rejection without reasons.
    """
    if outcome not in Opinion.values:
        raise ValidationError({"outcome": _("请选择拟确认结果")})
    if (
        outcome == Opinion.APPROVE
        and application.program != Program.RIGID_EXPENDITURE
        and not (monthly_amount and monthly_amount > 0)
    ):
        raise ValidationError({"monthly_amount": _("确认同意须有大于0的月救助金")})
    if outcome == Opinion.REJECT and not reasons.strip():
        raise ValidationError({"reasons": _("不予确认须写明理由")})
    with transaction.atomic():
        application = locked(application)
        _check(user, application, "propose")
        assessed = default_amount(application)
        if outcome == Opinion.APPROVE and monthly_amount != assessed and not reasons.strip():
            # A different amount than the rules' is possible, never silently.
            raise ValidationError(
                {
                    "reasons": _("拟确认金额与评估结果（%(amount)s 元）不同，须写明理由")
                    % {"amount": _yuan(assessed)}
                }
            )
        application.proposed_outcome = outcome
        application.proposed_amount = monthly_amount if outcome == Opinion.APPROVE else None
        application.proposed_reasons = reasons
        application.proposed_by = user
        application.save()
        # The history keeps the amount proposed, not only the reasons.
        with record_language():
            summary = (
                _("拟同意，月救助金 %(amount)s 元（评估 %(assessed)s 元）")
                % {"amount": _yuan(monthly_amount), "assessed": _yuan(assessed)}
                if outcome == Opinion.APPROVE
                else _("拟不予确认")
            )
        ApplicationEvent.objects.create(
            application=application,
            user=user,
            action="propose",
            from_stage=application.stage,
            to_stage=application.stage,
            note=f"{summary}；{reasons}" if reasons.strip() else summary,
        )
        record(user, "cases.propose", application, outcome=outcome, amount=monthly_amount)
    return application


def confirm_decision(user: Staff, application: Application) -> Application:
    """Confirm the proposal (the checker: never the person who proposed it). An approval pays
    from the month after the decision; a rejection must be notified in writing within 3 working
    days (Art. 21).

    Raises:
        PermissionDenied: not a district role, or the proposer confirming their own proposal;
        ValidationError: nothing proposed, or a selected tekun spot-check not recorded.
    """
    today = clock.today()
    with transaction.atomic():
        # Checked on the locked row: the proposal may have been made since the page was read.
        application = locked(application)
        approve = application.proposed_outcome == Opinion.APPROVE
        _check(user, application, "confirm_approve" if approve else "confirm_reject")
        application.decided_on = today
        application.decided_by = user
        application.decision_reasons = application.proposed_reasons
        if approve:
            application.monthly_amount = application.proposed_amount
            application.first_paid_month = next_month(today)
        _move(user, application, "confirm_approve" if approve else "confirm_reject")
        # An approval grants the entitlement; the low-income register follows the decision
        # (entitlements' and discovery's receivers, cases.signals).
        decision_confirmed.send(
            Application, user=user, application=application, approved=approve, today=today
        )
    return application


def return_proposal(user: Staff, application: Application, *, reason: str) -> Application:
    """The checker sends a proposed confirmation back to be proposed again (the maker–checker's
    "no"), with the reason; the proposal is cleared and the history keeps it.

    Raises:
        Refused: no proposal; NotPermitted: not a confirming role, or the proposer;
        ValidationError: no reason.
    """
    if not reason.strip():
        raise ValidationError({"reason": _("请写明退回理由")})
    with transaction.atomic():
        application = locked(application)
        _check(user, application, "return_proposal")
        before = snapshot(application, ["proposed_outcome", "proposed_amount", "proposed_reasons"])
        application.proposed_outcome = ""
        application.proposed_amount = None
        application.proposed_reasons = ""
        application.proposed_by = None
        application.save()
        ApplicationEvent.objects.create(
            application=application,
            user=user,
            action="return_proposal",
            from_stage=application.stage,
            to_stage=application.stage,
            note=reason,
        )
        record(
            user,
            "cases.return_proposal",
            application,
            before=before,
            after=snapshot(
                application, ["proposed_outcome", "proposed_amount", "proposed_reasons"]
            ),
            reason=reason,
        )
    return application


def issue_decision_notice(
    user: Staff, application: Application, *, issued_on: dt.date
) -> Application:
    """Record that the decision notice was delivered (for a rejection, with the reasons)."""
    if application.decided_on and issued_on < application.decided_on:
        raise ValidationError({"issued_on": _("送达日期不能早于决定日期")})
    with transaction.atomic():
        application = locked(application)
        _check(user, application, "notice")
        application.notice_issued_on = issued_on
        application.save()
        record(user, "cases.notice_issued", application, issued_on=issued_on.isoformat())
    return application


def extend_deadline(user: Staff, application: Application, *, reason: str) -> Application:
    """Extend the procedure to 45 working days for a special reason (Art. 22)."""
    if not reason.strip():
        raise ValidationError({"reason": _("请写明延长理由")})
    with transaction.atomic():
        application = locked(application)
        _check(user, application, "extend")
        application.extended = True
        application.extension_reason = reason
        application.save()
        record(user, "cases.extend", application, reason=reason)
    return application


def terminate(user: Staff, application: Application, *, reason: str) -> Application:
    """Stop an application (the household withdrew or did not cooperate, Art. 29)."""
    if not reason.strip():
        raise ValidationError({"reason": _("请写明终止理由")})
    with transaction.atomic():
        application = locked(application)
        _check(user, application, "terminate")
        _move(user, application, "terminate", note=reason)
    return application


def default_amount(application: Application) -> int | None:
    """The latest assessment's monthly amount (fen) for the application's program and choice;
    for help given first (先行救助), the amount given."""
    if application.helped_amount is not None:
        return application.helped_amount
    latest = application.assessments.first()
    if latest is None:
        return None
    result = program_result(latest, application)
    return None if result is None else result.amount


__all__ = [
    "TransitionError",
    "close_public_notice",
    "complete_materials",
    "confirm_decision",
    "default_amount",
    "extend_deadline",
    "give_township_opinion",
    "issue_decision_notice",
    "propose_decision",
    "reassess",
    "record_home_visit",
    "record_objection",
    "record_spot_check",
    "resolve_objection",
    "return_proposal",
    "submit_application",
    "terminate",
    "verify",
]
