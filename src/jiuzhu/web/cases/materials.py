"""The materials an application needs (最低生活保障审核确认办法 Art. 9–10).

Documents other departments hold (户口簿, 身份证, 残疾人证, 不动产证明, …) are fetched through
verification and never required from the applicant (Art. 10). What remains is what only the
household can give: the written application, the declaration of income and assets, the signed
authorisation for verification and the undertaking, and — by case — a power of attorney, medical
bills or a diagnosis.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from jiuzhu.rules import registry
from jiuzhu.web.cases.models import Channel
from jiuzhu.web.core.programs import Program

MATERIALS: dict[str, str | Promise] = {
    "application_form": _("书面申请书"),
    "income_asset_declaration": _("家庭收入和财产状况申报表"),
    "verification_authorisation": _("家庭经济状况核对授权书（全体成员签字）"),
    "truthfulness_undertaking": _("申报信息真实完整承诺书"),
    "power_of_attorney": _("委托代办授权书"),
    "medical_bills": _("近12个月医疗费用票据及报销结算单"),
    "diagnosis": _("疾病诊断证明"),
    "parent_situation_proof": _("父母死亡、失踪、服刑、戒毒、失联、重残或重病的证明"),
    "death_certificate": _("居民死亡医学证明和火化证明"),
    "settlement_statement": _("本次医疗费用票据及医保结算单"),
    # Asked of a centrally heated home only (the fee decides the amount): not required of all.
    "heating_fee_receipt": _("本采暖季采暖费缴费凭证"),
}


def required_materials(program: str, channel: str, has_serious_illness: bool) -> list[str]:
    """The material codes an application of this program and channel needs."""
    needed = ["application_form"]
    if registry.program(program).means_tested:
        # The economic check (家庭经济状况核对) needs the declaration and every member's consent.
        needed += ["income_asset_declaration", "verification_authorisation"]
    needed.append("truthfulness_undertaking")
    if channel == Channel.ON_BEHALF:
        needed.append("power_of_attorney")
    if program == Program.RIGID_EXPENDITURE:
        needed.append("medical_bills")
    if program == Program.CHILD_WELFARE:
        # 民发〔2019〕62号: the death certificate, judgment, police report receipt or certificate
        # showing what became of each parent.
        needed.append("parent_situation_proof")
    if program == Program.FUNERAL:
        # 《天津市无丧葬补助居民丧葬补贴发放办法》: the death and cremation certificates.
        needed.append("death_certificate")
    if program == Program.MEDICAL_ASSISTANCE:
        needed.append("settlement_statement")
    if has_serious_illness and program in (Program.DIBAO, Program.NEAR_DIBAO):
        needed.append("diagnosis")
    return needed
