"""Legal aid (法律援助) and judicial assistance (司法救助) referral.

Civil affairs does not grant either: it refers the person and proves their status. For legal aid,
《中华人民共和国法律援助法》第四十二条 exempts from the economic-hardship check an applicant who
proves they are a recipient of social assistance, judicial assistance or preferential treatment
(优抚); a minor, elderly or disabled person without a fixed livelihood; or a migrant worker
claiming wages or work-injury compensation. A recipient here is one the rules decide (a dibao
or near-dibao household's member, a tekun person, a supported orphan or de facto unsupported
child) or one whose certificate the caseworker records (temporary assistance, judicial
assistance, preferential treatment). Judicial assistance (国家司法救助) is decided by the court or
procuratorate handling the case: the referral is recorded, with no exemption decided here.
"""

from __future__ import annotations

import polars as pl

from jiuzhu.rules.engine import PERSON, Formula, Reason, ReasonSet, input_variable, variable
from jiuzhu.rules.engine.units import Unit

BOOL, CODE = pl.Boolean(), pl.String()
P = "legal_aid"
LEGAL_AID_LAW = "《中华人民共和国法律援助法》第四十二条"
JUDICIAL_ASSISTANCE_OPINIONS = "《关于建立完善国家司法救助制度的意见（试行）》（中政委〔2014〕3号）"

referral = input_variable(
    "referral",
    PERSON,
    CODE,
    Unit.CODE,
    "转介事项",
    "Referral asked (none, legal aid, judicial assistance)",
    codes="referral",
    reference=LEGAL_AID_LAW + "; " + JUDICIAL_ASSISTANCE_OPINIONS,
    default="none",
    program=P,
)
assistance_certified = input_variable(
    "assistance_certified",
    PERSON,
    BOOL,
    Unit.BOOLEAN,
    "持有其他社会救助、司法救助或优抚对象证明",
    "Holds proof of other social assistance, judicial assistance or preferential treatment",
    reference=LEGAL_AID_LAW,
    default=False,
    program=P,
)
no_fixed_livelihood = input_variable(
    "no_fixed_livelihood",
    PERSON,
    BOOL,
    Unit.BOOLEAN,
    "无固定生活来源",
    "No fixed livelihood",
    reference=LEGAL_AID_LAW,
    default=False,
    program=P,
)
migrant_worker_claim = input_variable(
    "migrant_worker_claim",
    PERSON,
    BOOL,
    Unit.BOOLEAN,
    "进城务工人员请求支付劳动报酬或工伤赔偿",
    "Migrant worker claiming wages or work-injury compensation",
    reference=LEGAL_AID_LAW,
    default=False,
    program=P,
)

REASONS = ReasonSet(
    "legal_aid",
    [
        Reason(
            "LEGAL_AID_RECIPIENT",
            "社会救助对象（低保、低保边缘、特困、孤儿保障或所持证明）：免予核查经济困难状况",
            "Social-assistance recipient (dibao, near-dibao, tekun, child allowance or a "
            "certificate): the economic-hardship check is waived",
            "eligible",
            label="救助对象免核",
            label_en="Recipient: check waived",
        ),
        Reason(
            "LEGAL_AID_NO_LIVELIHOOD",
            "无固定生活来源的未成年人、老年人或残疾人：免予核查经济困难状况",
            "Minor, elderly or disabled person without a fixed livelihood: check waived",
            "eligible",
            label="特定群体免核",
            label_en="Specific group: check waived",
        ),
        Reason(
            "LEGAL_AID_MIGRANT_CLAIM",
            "进城务工人员请求支付劳动报酬或工伤赔偿：免予核查经济困难状况",
            "Migrant worker claiming wages or work-injury compensation: check waived",
            "eligible",
            label="农民工讨薪免核",
            label_en="Migrant worker claim: check waived",
        ),
        Reason(
            "LEGAL_AID_CHECK_NEEDED",
            "不属于免予核查的情形：由法律援助机构核查经济困难状况",
            "No ground for waiving: the legal-aid office checks economic hardship",
            label="须核查经济状况",
            label_en="Check needed",
        ),
        Reason(
            "LEGAL_AID_JUDICIAL_REFERRAL",
            "转介司法救助：由办案的法院或检察院决定是否救助及金额",
            "Referred for judicial assistance: the court or procuratorate handling the case decides",
            "note",
            label="转介司法救助",
            label_en="Judicial assistance referral",
        ),
        Reason(
            "LEGAL_AID_NOT_ASKED",
            "未申请转介",
            "No referral asked",
            label="未申请",
            label_en="Not asked",
        ),
    ],
)


@variable(
    PERSON,
    BOOL,
    Unit.BOOLEAN,
    "社会救助对象",
    "Social-assistance recipient",
    reference=LEGAL_AID_LAW,
)
def legal_aid_assistance_recipient(f: Formula) -> pl.Expr:
    """A member of a dibao or near-dibao household, a tekun person, a supported child, or one
    with a certificate of other assistance (an undetermined status does not count)."""
    return (
        f.parent("dibao_eligible").fill_null(False)
        | f.parent("near_dibao_status").fill_null(False)
        | f("tekun_eligible").fill_null(False)
        | f("child_welfare_eligible").fill_null(False)
        | f("assistance_certified")
    )


@variable(
    PERSON,
    BOOL,
    Unit.BOOLEAN,
    "无固定生活来源的特定群体",
    "Minor, elderly or disabled without a fixed livelihood",
    reference=LEGAL_AID_LAW,
)
def legal_aid_specific_group(f: Formula) -> pl.Expr:
    """No fixed livelihood, and a minor, elderly or disabled."""
    vulnerable = f("minor") | f("elderly") | (f("disability_category") != "none")
    return f("no_fixed_livelihood") & vulnerable


@variable(
    PERSON,
    BOOL,
    Unit.BOOLEAN,
    "法律援助免予核查经济困难状况",
    "Legal aid: economic-hardship check waived",
    reference=LEGAL_AID_LAW,
)
def legal_aid_check_waived(f: Formula) -> pl.Expr:
    """Legal aid asked and one of the article's grounds holds."""
    return (f("referral") == "legal_aid") & (
        f("legal_aid_assistance_recipient")
        | f("legal_aid_specific_group")
        | f("migrant_worker_claim")
    )


@variable(PERSON, pl.Int64(), Unit.REASONS, "转介理由", "Referral reason codes", reasons=REASONS)
def legal_aid_reasons(f: Formula) -> pl.Expr:
    """Reason codes of the referral."""
    legal_aid = f("referral") == "legal_aid"
    waived = f("legal_aid_check_waived")
    return REASONS.mask(
        {
            "LEGAL_AID_RECIPIENT": legal_aid & f("legal_aid_assistance_recipient"),
            "LEGAL_AID_NO_LIVELIHOOD": legal_aid & f("legal_aid_specific_group"),
            "LEGAL_AID_MIGRANT_CLAIM": legal_aid & f("migrant_worker_claim"),
            "LEGAL_AID_CHECK_NEEDED": legal_aid & ~waived,
            "LEGAL_AID_JUDICIAL_REFERRAL": f("referral") == "judicial_assistance",
            "LEGAL_AID_NOT_ASKED": f("referral") == "none",
        }
    )
