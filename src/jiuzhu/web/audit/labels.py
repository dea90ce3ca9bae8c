"""How audit events read to people: the name of every action, and the label and kind of every
key an event keeps in ``before``, ``after`` and ``detail``.

A key's label comes, in this order, from ``ACTION_KEYS`` (a key whose meaning depends on the
action), the event's model field (its ``verbose_name``: "办理环节" for an application's
``stage``), ``KEYS`` (the detail keys, which are no model field), and the rules variable of that
name (``label``/``label_en``: "工资性收入（月均）"). A key found nowhere is never shown raw: it
reads "其他信息", and ``tests/web/audit`` fails for every key the code records without a label.

Money is identified explicitly, never guessed from a number: a key declared ``MONEY`` here, a
model field whose verbose name declares fen ("经营资本（分）"), or a rules variable whose unit is
money. Values are shown in yuan with two decimals.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from jiuzhu.rules import load_system
from jiuzhu.rules.engine import Variable
from jiuzhu.rules.engine.units import Unit
from jiuzhu.web.core.choices import label_of

ACTION_GROUPS: dict[str, tuple[Promise, dict[str, Promise]]] = {
    "registry": (
        _("家庭和人员登记"),
        {
            "registry.import": _("导入登记库"),
            "registry.import_workbook": _("导入工作簿"),
            "registry.convert_resident_id": _("15位身份证号升级为18位"),
            "registry.add_member": _("添加成员"),
            "registry.update_person": _("修改人员信息"),
            "registry.declare": _("申报收入和财产"),
            "registry.view_unmasked": _("查看完整身份证号"),
            "registry.register_household": _("登记新家庭"),
            "registry.update_member": _("修改成员信息"),
            "registry.update_household": _("修改家庭信息"),
            "registry.move_in": _("成员迁入"),
            "registry.move_out": _("成员迁出"),
            "registry.death": _("成员死亡"),
            "registry.absence": _("登记成员离家情形"),
            "registry.return": _("成员回家共同生活"),
            "registry.change_applicant": _("更换申请人"),
            "registry.merge_persons": _("合并重复登记的人员"),
        },
    ),
    "verification": (
        _("家庭经济状况核对"),
        {
            "verification.import_feed": _("导入部门数据文件"),
            "verification.run": _("家庭经济状况核对"),
            "verification.household_values": _("核对更新家庭财产"),
        },
    ),
    "cases": (
        _("申请审核确认"),
        {
            "cases.submit": _("登记申请"),
            "cases.materials": _("补交部分材料"),
            "cases.complete_materials": _("材料齐全，受理申请"),
            "cases.verify": _("发起核对"),
            "cases.home_visit": _("记录入户调查"),
            "cases.approve": _("乡镇审核同意，进入公示"),
            "cases.approve_unpublished": _("乡镇审核同意，报区级确认（不公示）"),
            "cases.reject": _("乡镇审核不同意，报区级确认"),
            "cases.close_notice": _("结束公示并报送"),
            "cases.objection": _("登记公示异议"),
            "cases.resolve_objection": _("记录异议处理结果"),
            "cases.spot_check": _("记录抽查核实情况"),
            "cases.propose": _("提出拟确认意见"),
            "cases.return_proposal": _("退回拟确认意见"),
            "cases.confirm_approve": _("审核确认：同意"),
            "cases.confirm_reject": _("审核确认：不同意"),
            "cases.notice": _("记录决定通知书送达"),
            "cases.notice_issued": _("决定通知书送达"),
            "cases.extend": _("延长办理期限"),
            "cases.terminate": _("终止办理"),
            "cases.reassessment_due": _("登记信息变更，待重新评估"),
            "cases.reassess": _("登记信息变更后重新评估"),
            "cases.recount_notice_ends": _("工作日历变更后重新计算公示期满日"),
        },
    ),
    "entitlements": (
        _("救助待遇"),
        {
            "entitlements.create": _("新增救助待遇"),
            "entitlements.version": _("调整月救助金额"),
            "entitlements.task": _("生成核查任务"),
            "entitlements.task_done": _("完成核查任务"),
            "entitlements.recount_deadlines": _("工作日历变更后重新计算核查期限和终止公示期"),
            "entitlements.change_report": _("处理家庭变化报告"),
            "entitlements.propose_termination": _("提出终止建议"),
            "entitlements.suspend": _("暂停发放"),
            "entitlements.resume": _("恢复发放"),
            "entitlements.gradual_exit": _("给予渐退期"),
            "entitlements.termination_notice": _("发布终止公示"),
            "entitlements.cancel_termination": _("撤销终止"),
            "entitlements.terminate": _("终止救助待遇"),
            "entitlements.lift_employment_sanction": _("解除就业减发"),
            "entitlements.standard_change.start": _("发起标准调整测算"),
            "entitlements.standard_change.approve": _("批准标准调整"),
            "entitlements.standard_change.discard": _("放弃标准调整"),
        },
    ),
    "documents": (
        _("材料与文书"),
        {
            "documents.upload": _("上传材料扫描件"),
            "documents.replace": _("替换材料扫描件"),
            "documents.withdraw": _("撤回材料扫描件"),
            "documents.view_material": _("查看材料扫描件"),
            "documents.issue": _("出具编号通知书"),
            "documents.example_office": _("填写示例发文机关"),
        },
    ),
    "payments": (
        _("资金发放"),
        {
            "payments.draft_start": _("开始生成发放名册"),
            "payments.draft": _("生成发放名册"),
            "payments.check": _("审核发放名册"),
            "payments.approve": _("审批发放名册"),
            "payments.close": _("关闭发放名册"),
            "payments.export": _("生成银行代发文件"),
            "payments.download_bank_file": _("下载银行代发文件"),
            "payments.reconcile": _("导入银行回盘文件"),
            "payments.bank_account": _("登记银行账户"),
            "payments.record_account": _("登记银行账户（待复核）"),
            "payments.check_account": _("复核银行账户"),
            "payments.reject_account": _("退回银行账户"),
            "payments.view_unmasked_account": _("查看完整银行账号"),
            "payments.return": _("退回发放名册"),
            "payments.reissue": _("重新发放"),
            "payments.recovery": _("决定追回"),
            "payments.settle_recovery": _("追回结清"),
            "payments.repayment": _("登记缴回"),
            "payments.penalty_notified": _("行政处罚事先告知"),
            "payments.penalty_statement": _("登记陈述、申辩及复核意见"),
            "payments.hearing_request": _("登记听证要求"),
            "payments.hearing_outcome": _("登记听证结果"),
            "payments.penalty_decided": _("作出处罚决定"),
            "payments.help_first": _("先行救助（一次性发放）"),
            "payments.emergency_lookup": _("按身份证号查询急难当事人户籍"),
            "payments.pay_once": _("一次性发放"),
            "payments.reserve_fund": _("登记临时救助备用金"),
        },
    ),
    "localvalues": (
        _("本地值"),
        {
            "localvalues.enter": _("录入本地值"),
            "localvalues.check": _("复核本地值"),
            "localvalues.reject": _("退回本地值"),
            "localvalues.adopt": _("施行本地调整（批准测算方案）"),
        },
    ),
    "scenarios": (
        _("标准测算"),
        {
            "scenarios.create": _("测算方案"),
            "scenarios.approve": _("批准测算方案"),
            "scenarios.reject": _("退回测算方案"),
        },
    ),
    "referrals": (
        _("法律援助和司法救助转介"),
        {
            "referrals.refer": _("登记转介"),
            "referrals.print": _("查看或打印转介函"),
        },
    ),
    "relief": (
        _("流浪乞讨人员救助"),
        {
            "relief.admit": _("登记入站"),
            "relief.update": _("记录救助服务和联系情况"),
            "relief.end": _("登记离站"),
            "relief.print": _("查看或打印转户籍地安置函"),
        },
    ),
    "discovery": (
        _("主动发现"),
        {
            "discovery.register_refresh": _("更新低收入人口库"),
            "discovery.register_import": _("导入低收入人口库"),
            "discovery.start": _("发起主动发现"),
            "discovery.alerts": _("生成预警"),
            "discovery.assign": _("分派预警"),
            "discovery.visit": _("记录预警入户核实"),
            "discovery.conclude": _("办结预警"),
            "discovery.link_application": _("预警关联申请"),
            "discovery.recount_deadlines": _("工作日历变更后重新计算预警期限"),
        },
    ),
    "jobs": (
        _("后台任务"),
        {
            "jobs.feed_import": _("提交部门数据导入任务"),
            "jobs.batch_assessment": _("提交批量评估任务"),
            "jobs.retried": _("后台进程中断，任务重新排队"),
            "jobs.failed": _("后台进程中断，任务失败"),
        },
    ),
    # Log-ins (issue 12, accounts.actions): kept together for the accounts owner.
    "accounts": (
        _("登录与账号"),
        {
            "accounts.login": _("登录"),
            "accounts.login_failed": _("登录失败"),
            "accounts.lockout": _("连续登录失败，锁定登录"),
            "accounts.logout": _("退出登录"),
            "accounts.session_expired": _("登录超时自动结束"),
            "accounts.unlock": _("解除登录锁定"),
            "accounts.password_changed": _("修改本人密码"),
            "accounts.password_set": _("管理员设置用户密码"),
        },
    ),
    # ---- privacy (issue 12) ----
    "privacy": (
        _("个人信息保护"),
        {
            "privacy.export_personal_data": _("导出个人信息副本（个人信息保护法第四十五条）"),
            "privacy.retention": _("超过保存期限的个人信息删除或匿名化"),
        },
    ),
    "audit": (
        _("审计"),
        {
            "audit.export": _("导出审计日志"),
            "audit.access_denied": _("拒绝访问"),
            # crypto (issue 12): jiuzhu-web rotate_keys
            "core.rotate_keys": _("轮换个人数据加密密钥"),
        },
    ),
    # Issue 12, the second factor (accounts.twofactor_actions).
    "twofactor": (
        _("第二认证因素"),
        {
            "accounts.twofactor_enrol": _("启用第二认证因素"),
            "accounts.twofactor_verify": _("动态验证码验证通过"),
            "accounts.twofactor_failure": _("第二认证因素验证失败"),
            "accounts.twofactor_backup_code": _("使用备用码登录"),
            "accounts.twofactor_reset": _("重置第二认证因素"),
        },
    ),
}
# --- issue 12, audit: exports and printed documents (every download or print is an event) ---
ACTION_GROUPS["documents"][1].update(
    {
        "documents.print": _("查看或打印文书"),
        "documents.download_pdf": _("下载文书 PDF"),
    }
)
ACTION_GROUPS["payments"][1].update(
    {
        "payments.export_run": _("导出发放明细"),
        "payments.export_summary": _("导出发放汇总"),
    }
)
ACTION_GROUPS["jobs"][1].update({"jobs.export_results": _("导出批量评估结果")})
ACTION_GROUPS["statistics"] = (_("统计报表"), {"statistics.export": _("导出统计表")})
# --- end of issue 12, audit ---
# Plan indicators (issue 14): the registers of care facilities and counselling places.
ACTION_GROUPS["plan"] = (
    _("规划指标"),
    {
        "plan.add_facility": _("登记养老服务机构"),
        "plan.change_facility": _("修改养老服务机构信息"),
        "plan.inspect": _("登记养老服务机构检查"),
        "plan.add_counselling": _("登记婚姻家庭辅导服务场所"),
        "plan.change_counselling": _("修改婚姻家庭辅导服务场所"),
    },
)
# Issue 14: the list pages' xlsx exports (``core.exports``).
ACTION_GROUPS["registry"][1]["registry.export_households"] = _("导出家庭名单")
ACTION_GROUPS["cases"][1]["cases.export_applications"] = _("导出申请列表")
ACTION_GROUPS["entitlements"][1]["entitlements.export"] = _("导出救助待遇列表")
ACTION_GROUPS["discovery"][1]["discovery.export_register"] = _("导出低收入人口库")
ACTIONS: dict[str, Promise] = {
    code: label for _group, actions in ACTION_GROUPS.values() for code, label in actions.items()
}
"""Every action code the platform records → its label (a test fails on a code missing here)."""


def action_label(code: str) -> str:
    """The action as people name it, in the user's language ("其他操作" for an unknown code)."""
    return str(ACTIONS.get(code, _("其他操作")))


def action_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The actions grouped by area, for a ``<select>`` with ``<optgroup>``s."""
    return [
        (str(group), [(code, str(label)) for code, label in actions.items()])
        for group, actions in ACTION_GROUPS.values()
    ]


class Kind(Enum):
    """How a value is shown."""

    TEXT = "text"
    COUNT = "count"  # an integer, with thousands separators
    MONEY = "money"  # integer fen, shown in yuan
    DATE = "date"  # YYYY-MM-DD (an ISO date or date-time)
    DATETIME = "datetime"
    MONTH = "month"  # YYYY-MM
    BOOL = "bool"
    CHOICE = "choice"  # a code, shown by its label (``choices``)
    USER = "user"  # a user's pk, shown by name
    FIELD = "field"  # the name of a field of the event's model, shown by its label
    LENGTH = "length"  # a list, shown by how many items it has
    OBJECT = "object"  # the pk of a record of model ``choices``, shown by its label
    MAPPING = "mapping"  # a dict, shown part by part (``parts``)
    HIDDEN = "hidden"  # bookkeeping a person did not change (a save's time stamp): not shown
    RESIDENT_ID = "resident_id"  # an ID number, always shown masked
    DIVISION = "division"  # a division code, shown by its name
    SNAPSHOT = "snapshot"  # a record's fields (``snapshot``), shown as the record (``choices``)
    PAIRS = "pairs"  # a dict of names to values (a household's relations), shown pair by pair


@dataclass(frozen=True)
class Key:
    """How one key reads. ``choices`` (for ``CHOICE``, ``OBJECT`` and lists of choices): a
    model field ``"app.model.field"`` whose choices label the codes, a code list
    ``"codes:<list>"`` of the rules, or an importable mapping ``"module.path.NAME"``; for
    ``OBJECT`` the model ``"app.model"``. ``many``: the value is a list of such values."""

    label: Promise | str | None = None
    kind: Kind = Kind.TEXT
    choices: str = ""
    many: bool = False
    parts: dict[str, Key] = field(default_factory=dict)


COUNT, MONEY, DATE, MONTH, BOOL = Kind.COUNT, Kind.MONEY, Kind.DATE, Kind.MONTH, Kind.BOOL
MATERIALS = "jiuzhu.web.cases.materials.MATERIALS"

KEYS: dict[str, Key] = {
    "accepted": Key(_("接收行数"), COUNT),
    "account": Key(_("银行账号")),
    "already_closed": Key(_("已办结预警"), COUNT),
    "already_open": Key(_("已有未办结预警"), COUNT),
    "amount": Key(_("金额"), MONEY),
    "absence_reason": Key(_("离家情形"), Kind.CHOICE, "registry.membership.absence_reason"),
    "absent_since": Key(_("离家日期"), DATE),
    "application": Key(_("申请编号")),
    "form": Key(_("救助方式"), Kind.CHOICE, "payments.oneoffpayment.form"),
    "applicant": Key(_("申请人")),
    "assigned_to": Key(_("分派给"), Kind.USER),
    "bank": Key(_("开户银行")),
    "basis": Key(_("依据")),
    "checksum": Key(_("校验值（SHA-256）")),
    "comparisons": Key(_("比对项数"), COUNT),
    "confidence": Key(_("取值可信度"), Kind.CHOICE, "jiuzhu.web.entitlements.confidence.LABELS"),
    "change": Key(_("登记变更"), Kind.CHOICE, "jiuzhu.web.audit.labels.REGISTRY_CHANGES"),
    "changes": Key(_("变更情况")),
    "count": Key(_("笔数"), COUNT),
    "created": Key(_("新增"), COUNT),
    "current": Key(_("现有"), COUNT),
    "died_on": Key(_("死亡日期"), DATE),
    "dropped": Key(_("合并时舍弃的重复记录"), Kind.LENGTH),
    "due": Key(_("办理期限"), DATE),
    "duplicate": Key(_("重复登记的人员"), Kind.SNAPSHOT, "registry.person"),
    "duplicates": Key(_("重复行数"), COUNT),
    "ended": Key(_("结束"), COUNT),
    "failed": Key(_("失败笔数"), COUNT),
    "field": Key(_("查看项目"), Kind.FIELD),
    "file": Key(_("文件")),
    "fine": Key(_("罚款金额"), MONEY),
    "folder": Key(_("目录")),
    "gradual_exit_possible": Key(_("可给予渐退期"), BOOL),
    "owed": Key(_("尚欠金额"), MONEY),
    "waived": Key(_("免予核查经济困难状况"), BOOL),
    "settled": Key(_("已结清"), BOOL),
    "grounds": Key(_("终止依据"), Kind.CHOICE, "entitlements.entitlement.termination_grounds"),
    "households": Key(_("家庭数"), COUNT),
    "issued_on": Key(_("送达日期"), DATE),
    "kept": Key(_("保留的人员"), Kind.RESIDENT_ID),
    "members": Key(_("成员数"), COUNT),
    "missing": Key(_("尚缺材料"), Kind.CHOICE, MATERIALS, many=True),
    "month": Key(_("月份"), MONTH),
    "first_month": Key(_("起始月份"), MONTH),
    "table": Key(_("统计表"), Kind.CHOICE, "jiuzhu.web.statistics.tables.TABLE_LABELS"),
    "months": Key(_("渐退期（月）"), COUNT),
    "note": Key(_("说明")),
    "on": Key(_("评估日期"), DATE),
    "parameter": Key(_("参数")),
    "path": Key(_("文件")),
    "payments": Key(_("涉及发放笔数"), Kind.LENGTH),
    "persons": Key(_("人数"), COUNT),
    "purpose": Key(_("用途"), Kind.CHOICE, "payments.bankfile.purpose"),
    "residents": Key(_("户籍人口"), COUNT),
    "reason": Key(_("理由")),
    "runs": Key(_("发起的待遇重算数"), COUNT),
    "reissues": Key(_("重新发放生成的新发放笔数"), Kind.LENGTH),
    "replaced": Key(_("被替换的账户")),
    "replaces": Key(_("替换的账户")),
    "received": Key(_("本次补交材料"), Kind.CHOICE, MATERIALS, many=True),
    "recounted": Key(_("重新计算的期限"), COUNT),
    "registry_event": Key(_("登记变更记录"), Kind.OBJECT, "audit.auditevent"),
    "relation": Key(_("与申请人关系"), Kind.CHOICE, "codes:relation"),
    "relations": Key(_("成员与申请人关系"), Kind.PAIRS),
    "report": Key(
        _("与上月比较"),
        Kind.MAPPING,
        parts={
            "previous_month": Key(_("上月"), MONTH),
            "previous_run": Key(_("上月名册"), Kind.OBJECT, "payments.payrollrun"),
            "changed": Key(_("金额变化户数"), COUNT),
            "new": Key(_("新增户数"), COUNT),
            "stopped": Key(_("停发户数"), COUNT),
            "same": Key(_("金额不变户数"), COUNT),
            "above_ceiling": Key(_("低保金额超过标准乘人数的户数"), COUNT),
        },
    ),
    "resumed": Key(_("接续未完成的生成"), BOOL),
    "rows": Key(_("行数"), COUNT),
    # A list's export (issue 14): its filters as the file names them, and whether it held
    # whole ID numbers (``core.exports.whole_ids``).
    "filters": Key(_("筛选条件"), Kind.PAIRS),
    "unmasked": Key(_("含完整身份证号"), BOOL),
    "run": Key(_("核对记录"), Kind.OBJECT, "verification.verificationrun"),
    "skipped": Key(_("跳过"), COUNT),
    "source": Key(_("数据来源"), Kind.CHOICE, "jiuzhu.web.verification.labels.SOURCE_TITLES"),
    "staff": Key(_("入户人员"), many=True),
    "start": Key(_("起始发放月份"), MONTH),
    "succeeded": Key(_("成功笔数"), COUNT),
    "superseded": Key(_("替换的此前导入"), Kind.LENGTH),
    "total": Key(_("金额合计"), MONEY),
    "unknown_ids": Key(_("身份证号未登记的行数"), COUNT),
    "until": Key(_("渐退期至"), MONTH),
    "updated": Key(_("更新"), COUNT),
    "valid_from": Key(_("生效月份"), MONTH),
    "version": Key(_("版本号"), COUNT),
    "visited_on": Key(_("入户日期"), DATE),
    "written": Key(_("写入笔数"), COUNT),
    "years": Key(_("工作日历年份"), many=True),
    # The export of the log itself (``audit.export``): the filters it was made with.
    "filter_user": Key(_("筛选：人员"), Kind.USER),
    "filter_action": Key(_("筛选：操作"), Kind.CHOICE, "jiuzhu.web.audit.labels.ACTIONS"),
    "filter_object_type": Key(
        _("筛选：对象类型"), Kind.CHOICE, "jiuzhu.web.audit.objects.TYPE_LABELS"
    ),
    "filter_object": Key(_("筛选：对象序号")),
    "filter_household": Key(_("筛选：家庭"), Kind.OBJECT, "registry.household"),
    "filter_from": Key(_("筛选：起始日期"), DATE),
    "filter_to": Key(_("筛选：截止日期"), DATE),
}
"""Keys of the events' detail that are no field of the event's model."""

ACTION_KEYS: dict[tuple[str, str], Key] = {
    ("cases.propose", "amount"): Key(_("拟确认月救助金额"), MONEY),
    ("cases.propose", "outcome"): Key(
        _("拟确认结果"), Kind.CHOICE, "cases.application.proposed_outcome"
    ),
    ("entitlements.create", "amount"): Key(_("月救助金额"), MONEY),
    ("entitlements.version", "amount"): Key(_("月救助金额"), MONEY),
    ("entitlements.version", "basis"): Key(
        _("调整依据"), Kind.CHOICE, "entitlements.entitlementversion.basis"
    ),
    ("entitlements.task", "kind"): Key(_("核查任务"), Kind.CHOICE, "entitlements.reviewtask.kind"),
    # Which document was printed or downloaded (issue 12: every print is an event).
    ("documents.print", "kind"): Key(_("文书"), Kind.CHOICE, "documents.issueddocument.kind"),
    ("documents.download_pdf", "kind"): Key(
        _("文书"), Kind.CHOICE, "documents.issueddocument.kind"
    ),
    ("entitlements.task_done", "kind"): Key(
        _("核查任务"), Kind.CHOICE, "entitlements.reviewtask.kind"
    ),
    ("entitlements.task_done", "outcome"): Key(
        _("核查结果"), Kind.CHOICE, "entitlements.reviewtask.outcome"
    ),
    ("relief.end", "outcome"): Key(_("离站方式"), Kind.CHOICE, "relief.stay.status"),
    ("referrals.refer", "kind"): Key(_("转介事项"), Kind.CHOICE, "referrals.referral.kind"),
    ("referrals.print", "kind"): Key(_("转介事项"), Kind.CHOICE, "referrals.referral.kind"),
    ("entitlements.change_report", "outcome"): Key(
        _("处理结果"), Kind.CHOICE, "entitlements.reviewtask.outcome"
    ),
    ("discovery.link_application", "application"): Key(
        _("由此受理的申请"), Kind.OBJECT, "cases.application"
    ),
    ("payments.draft", "amount"): Key(_("发放总额"), MONEY),
    ("documents.upload", "material"): Key(_("材料"), Kind.CHOICE, MATERIALS),
    ("documents.view_material", "material"): Key(_("材料"), Kind.CHOICE, MATERIALS),
    ("documents.replace", "material"): Key(_("材料"), Kind.CHOICE, MATERIALS),
    ("documents.withdraw", "material"): Key(_("材料"), Kind.CHOICE, MATERIALS),
    ("payments.record_account", "holder"): Key(_("户名")),
    ("payments.record_account", "person"): Key(_("收款成员"), Kind.OBJECT, "registry.person"),
    ("payments.export", "accounts_replaced"): Key(_("改用复核后新账户的发放笔数"), COUNT),
    ("registry.import", "source"): Key(_("来源目录")),
    ("verification.import_feed", "source"): KEYS["source"],
    ("registry.import_workbook", "source"): Key(_("来源文件")),
    ("registry.import_workbook", "warnings"): Key(_("导入提示"), many=True),
    ("registry.convert_resident_id", "note"): Key(_("说明")),
    # crypto (issue 12): jiuzhu-web rotate_keys (the key's id, never the key).
    ("core.rotate_keys", "data_key"): Key(_("加密密钥编号")),
    ("core.rotate_keys", "search_key_changed"): Key(_("更换检索密钥"), BOOL),
    ("core.rotate_keys", "rows"): Key(_("检查的记录数"), COUNT),
    ("core.rotate_keys", "rewritten"): Key(_("重新加密的记录数"), COUNT),
    ("discovery.register_import", "file"): Key(_("来源文件")),
    ("registry.add_member", "valid_from"): Key(_("成为成员日期"), DATE),
    ("registry.move_in", "valid_from"): Key(_("迁入日期"), DATE),
    ("registry.move_out", "valid_to"): Key(_("迁出日期"), DATE),
    ("registry.return", "on"): Key(_("回家日期"), DATE),
    # A refused access (``audit.middleware``): these keys mean the request, not the record.
    ("audit.access_denied", "status"): Key(
        _("拒绝方式"), Kind.CHOICE, "jiuzhu.web.audit.labels.DENIALS"
    ),
    ("audit.access_denied", "method"): Key(
        _("请求方式"), Kind.CHOICE, "jiuzhu.web.audit.labels.METHODS"
    ),
    ("audit.access_denied", "path"): Key(_("访问地址")),
    ("audit.access_denied", "reason"): Key(_("拒绝理由")),
    ("audit.access_denied", "client"): Key(_("客户端地址")),
    ("audit.access_denied", "forwarded_for"): Key(_("代理转发的来源地址（未核实）")),
    ("audit.access_denied", "user_division"): Key(_("用户所属区划"), Kind.DIVISION),
    # Log-ins (issue 12, accounts.actions): the address, the username tried, the lockout.
    **{
        (code, "client"): Key(_("客户端地址"))
        for code in (
            "accounts.login",
            "accounts.login_failed",
            "accounts.lockout",
            "accounts.logout",
            "accounts.session_expired",
        )
    },
    ("accounts.login_failed", "username"): Key(_("尝试登录的用户名")),
    ("accounts.login_failed", "locked"): Key(_("因锁定而拒绝"), BOOL),
    ("accounts.lockout", "username"): Key(_("尝试登录的用户名")),
    ("accounts.lockout", "failures"): Key(_("连续失败次数"), COUNT),
    ("accounts.session_expired", "ended"): Key(
        _("结束原因"), Kind.CHOICE, "jiuzhu.web.audit.labels.SESSION_ENDS"
    ),
    ("accounts.unlock", "cleared"): Key(_("清除的失败记录"), COUNT),
}
"""Keys whose meaning depends on the action (an ``amount`` is a month's benefit in one, a
payroll's total in another)."""

# Issue 12, the second factor (accounts.twofactor_actions): the keys of its events.
_TWOFACTOR_CLIENT = Key(_("客户端地址"))
ACTION_KEYS.update(
    {
        ("accounts.twofactor_enrol", "backup_codes"): Key(_("发放备用码个数"), COUNT),
        ("accounts.twofactor_enrol", "script"): Key(_("由服务器脚本启用"), BOOL),
        ("accounts.twofactor_enrol", "client"): _TWOFACTOR_CLIENT,
        ("accounts.twofactor_verify", "client"): _TWOFACTOR_CLIENT,
        ("accounts.twofactor_failure", "enrolling"): Key(_("启用时确认"), BOOL),
        ("accounts.twofactor_failure", "backup_code"): Key(_("输入的是备用码"), BOOL),
        ("accounts.twofactor_failure", "throttled"): Key(_("因连续输错暂停验证"), BOOL),
        ("accounts.twofactor_failure", "failures"): Key(_("连续输错次数"), COUNT),
        ("accounts.twofactor_failure", "client"): _TWOFACTOR_CLIENT,
        ("accounts.twofactor_backup_code", "remaining"): Key(_("剩余备用码个数"), COUNT),
        ("accounts.twofactor_backup_code", "client"): _TWOFACTOR_CLIENT,
        ("accounts.twofactor_reset", "enrolled"): Key(_("已启用第二认证因素"), BOOL),
        ("accounts.twofactor_reset", "devices"): Key(_("作废的验证器和备用码组数"), COUNT),
    }
)
ACTION_KEYS.update(
    {
        ("plan.inspect", "inspection"): Key(_("检查记录编号")),
        ("plan.inspect", "inspected_on"): Key(_("检查日期"), DATE),
        ("plan.inspect", "outcome"): Key(_("检查结果"), Kind.CHOICE, "plan.inspection.outcome"),
    }
)

DENIALS = {
    403: _("无权访问（403）"),
    404: _("非本辖区记录，按不存在答复（404）"),
}
"""How an access was refused (the ``status`` of ``audit.access_denied``)."""

SESSION_ENDS = {
    "idle": _("长时间无操作"),
    "day_end": _("工作日结束或达到最长登录时限"),
}
"""Why a log-in ended by itself (the ``ended`` of ``accounts.session_expired``)."""

METHODS = {
    "GET": _("打开页面"),
    "HEAD": _("读取页面头部"),
    "POST": _("提交表单"),
}
"""The request's HTTP method in words (a reader of the log need not know HTTP)."""

REGISTRY_CHANGES = {
    "registered": _("登记新家庭"),
    "member_facts": _("修改成员信息"),
    "household_facts": _("修改家庭信息"),
    "member_added": _("添加成员"),
    "moved_in": _("成员迁入"),
    "moved_out": _("成员迁出"),
    "died": _("成员死亡"),
    "absent": _("成员离家"),
    "returned": _("成员回家共同生活"),
    "applicant_changed": _("更换申请人"),
    "merged": _("合并重复登记的人员"),
    "declaration": _("申报收入和财产"),
}
"""The kinds of registry change that mark an application for reassessment
(``registry.signals.CHANGES``)."""

PATTERNS: list[tuple[re.Pattern[str], Key]] = [
    # Verification's values per member: ``income:<person pk>:<component>`` and
    # ``asset:<person pk>``, each {"monthly_amount"|"amount": fen, "basis": text}.
    (
        re.compile(r"^income:(?P<person>\d+):(?P<component>\w+)$"),
        Key(_("%(person)s：%(component)s（核实）"), MONEY),
    ),
    (re.compile(r"^asset:(?P<person>\d+)$"), Key(_("%(person)s：货币财产（核实）"), MONEY)),
]
"""Keys made of a pattern and record ids; the label is filled with the member's name and the
component's label."""

_FEN = re.compile(r"\s*[（(]\s*(分|fen|in fen)\s*[)）]\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Resolved:
    """A key as the event reads it: its label (None: unlabelled), kind and choices."""

    label: str | None
    key: Key


def resolve(action: str, object_type: str, name: str) -> Resolved:
    """The label and kind of key ``name`` of an event of ``action`` on ``object_type``: an ID
    number is always shown masked and a division code by its name, whatever labels it.

    Returns ``Resolved(None, …)`` for a key no source labels (shown as "其他信息")."""
    found = _resolve(action, object_type, name)
    if name.endswith("resident_id"):
        return Resolved(found.label, Key(found.key.label, Kind.RESIDENT_ID))
    if name in ("division_code", "township_code"):
        return Resolved(found.label, Key(found.key.label, Kind.DIVISION))
    return found


def _resolve(action: str, object_type: str, name: str) -> Resolved:
    if (action, name) in ACTION_KEYS:
        key = ACTION_KEYS[(action, name)]
        return Resolved(str(key.label), key)
    found = model_key(object_type, name)
    if found is not None:
        return found
    if name in KEYS:
        return Resolved(str(KEYS[name].label), KEYS[name])
    variable = load_system("tianjin").variables.get(name)
    if variable is not None:
        english = (get_language() or "").startswith("en")
        return Resolved(variable.label_en if english else variable.label, _variable_key(variable))
    for pattern, key in PATTERNS:
        if pattern.match(name):
            return Resolved(str(key.label), key)
    return Resolved(None, Key())


def _variable_key(variable: Variable) -> Key:
    if variable.unit.money:
        return Key(kind=MONEY)
    if variable.unit is Unit.BOOLEAN:
        return Key(kind=BOOL)
    if variable.unit is Unit.DATE:
        return Key(kind=DATE)
    if variable.unit is Unit.CODE and variable.codes:
        return Key(kind=Kind.CHOICE, choices=f"codes:{variable.codes}")
    return Key(kind=COUNT if variable.dtype.is_integer() else Kind.TEXT)


def model_key(object_type: str, name: str) -> Resolved | None:
    """Key ``name`` as a field of the model ``object_type`` ("registry.person"), or None."""
    model_field = _field(object_type, name)
    if model_field is None:
        return None
    if getattr(model_field, "auto_now", False) or getattr(model_field, "auto_now_add", False):
        return Resolved("", Key(kind=Kind.HIDDEN))
    if model_field.primary_key:
        return Resolved("", Key(kind=Kind.HIDDEN))
    label = str(model_field.verbose_name)
    if label == name.replace("_", " "):
        # Django's default verbose name is the field's name: no label was given.
        return None
    if isinstance(model_field, models.ForeignKey):
        related = model_field.related_model._meta.label_lower
        if related == settings.AUTH_USER_MODEL.lower():
            return Resolved(label, Key(kind=Kind.USER))
        return Resolved(label, Key(kind=Kind.OBJECT, choices=related))
    if model_field.choices:
        return Resolved(label, Key(kind=Kind.CHOICE, choices=f"{object_type}.{name}"))
    if isinstance(model_field, models.BooleanField):
        return Resolved(label, Key(kind=BOOL))
    if isinstance(model_field, models.DateTimeField):
        return Resolved(label, Key(kind=Kind.DATETIME))
    if isinstance(model_field, models.DateField):
        return Resolved(label, Key(kind=DATE))
    if isinstance(model_field, models.IntegerField) and _FEN.search(label):
        return Resolved(_FEN.sub("", label), Key(kind=MONEY))
    if isinstance(model_field, models.IntegerField):
        return Resolved(label, Key(kind=COUNT))
    return Resolved(label, Key())


def _field(object_type: str, name: str) -> models.Field[Any, Any] | None:
    if "." not in object_type:
        return None
    try:
        found = apps.get_model(object_type)._meta.get_field(name)
    except (LookupError, ValueError, FieldDoesNotExist):
        return None
    return found if isinstance(found, models.Field) else None


@functools.cache
def _source(choices: str) -> str | Mapping[object, object]:
    if choices.startswith("codes:"):
        return choices
    parts = choices.split(".")
    if len(parts) == 3 and not choices.startswith("jiuzhu."):
        field_ = _field(f"{parts[0]}.{parts[1]}", parts[2])
        if field_ is None:
            raise LookupError(choices)
        return dict(field_.flatchoices)
    return import_string(choices)


def choice_label(choices: str, code: object) -> str:
    """The label of ``code`` in ``choices`` (see ``Key``), in the user's language; the code
    itself when the list does not know it (a value, never a key)."""
    source = _source(choices)
    if isinstance(source, str):
        return label_of(source.removeprefix("codes:"), str(code))
    return str(source.get(code, source.get(str(code), code)))


def check_choices() -> list[str]:
    """The ``choices`` of every declared key that does not resolve (for the tests)."""
    declared = [*KEYS.values(), *ACTION_KEYS.values()]
    declared += [part for key in declared for part in key.parts.values()]
    bad = []
    for key in declared:
        if key.kind in (Kind.CHOICE,) and key.choices:
            try:
                _source(key.choices)
            except (LookupError, ImportError):
                bad.append(key.choices)
        if key.kind in (Kind.OBJECT, Kind.SNAPSHOT):
            try:
                apps.get_model(key.choices)
            except (LookupError, ValueError):
                bad.append(key.choices)
    return bad
