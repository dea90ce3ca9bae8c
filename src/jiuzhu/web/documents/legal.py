"""The legal sources the documents cite, by title and number (and article where it is known).

Dibao's procedure is 《最低生活保障审核确认办法》 (民发〔2021〕57号); the platform applies the
same procedure to near-dibao and rigid-expenditure households, whose notices say so (参照).
Tekun has its own rules, 《特困人员认定办法》 (民发〔2021〕43号); where the article of a tekun
step is not established here, the rules are cited without an article rather than guessed.
"""

from __future__ import annotations

from jiuzhu.web.core.programs import Program

DIBAO_RULES = "《最低生活保障审核确认办法》（民发〔2021〕57号）"
TEKUN_RULES = "《特困人员认定办法》（民发〔2021〕43号）"

DIBAO_ARTICLES = {
    "materials": "第十条",  # 材料不齐备的，应当一次性告知补齐所有规定材料
    "investigation": "第十六条",  # 每组调查人员不得少于2人
    "publicity": "第十九条",  # 公示期为7天
    "payment": "第二十一条",  # 从作出确认同意决定之日下月起发放
    "refusal": "第二十一条",  # 不予确认的，在作出决定3个工作日内书面告知理由
    "time_limit": "第二十二条",  # 自受理之日起30个工作日之内完成；特殊情况下可延长至45个
    "termination": "第三十二条",  # 减发、停发应当书面告知理由
    "remedy": "第三十八条",  # 可以依法申请行政复议或者提起行政诉讼
}
TEKUN_ARTICLES = {
    "investigation": "第十三条",
    "publicity": "第十五条",
    "payment": "第十七条",  # 从确认之日下月起给予救助供养
}

REVIEW_LAW = "《中华人民共和国行政复议法》第二十条"
"""自知道或者应当知道该行政行为之日起六十日内提出行政复议申请."""
REVIEW_DAYS = 60
LITIGATION_LAW = "《中华人民共和国行政诉讼法》第四十六条"
"""直接向人民法院提起诉讼的，应当自知道或者应当知道作出行政行为之日起六个月内提出."""
LITIGATION_MONTHS = 6

FRAUD_RULE = "《社会救助暂行办法》（国务院令第649号）第六十八条"
"""采取虚报、隐瞒、伪造等手段，骗取社会救助资金、物资或者服务的，由有关部门决定停止社会救助，责令
退回非法获取的救助资金、物资，可以处非法获取的救助款额或者物资价值1倍以上3倍以下的罚款."""
FINE_PAYMENT_LAW = "《中华人民共和国行政处罚法》第六十七条"
"""当事人应当自收到行政处罚决定书之日起十五日内，到指定的银行或者通过电子支付系统缴纳罚款."""
FINE_PAYMENT_DAYS = 15
STATEMENT_LAW = "《中华人民共和国行政处罚法》第四十四条、第四十五条"
"""告知拟作出的行政处罚内容及事实、理由、依据，并告知当事人依法享有的陈述、申辩、要求听证等权利；
当事人有权进行陈述和申辩，行政机关不得因当事人陈述、申辩而给予更重的处罚."""
HEARING_LAW = "《中华人民共和国行政处罚法》第六十三条、第六十四条"
"""较大数额罚款……当事人要求听证的，行政机关应当组织听证；当事人要求听证的，应当在行政机关告知后五日内提出."""
LATE_FINE_LAW = "《中华人民共和国行政处罚法》第七十二条"
"""到期不缴纳罚款的，每日按罚款数额的百分之三加处罚款，加处罚款的数额不得超出罚款的数额."""


def basis(program: str, topic: str) -> str:
    """The phrase that grounds a step of ``program``'s procedure: ``依照《…》第十条``, or
    ``参照…`` for a program that borrows dibao's procedure, or the tekun rules without an article
    where the article is not established."""
    if program == Program.TEKUN:
        return f"依照{TEKUN_RULES}{TEKUN_ARTICLES.get(topic, '')}"
    verb = "依照" if program == Program.DIBAO else "参照"
    return f"{verb}{DIBAO_RULES}{DIBAO_ARTICLES[topic]}"


def publicity_basis(programs: set[str]) -> str:
    """The grounds of a public notice listing applications of ``programs``."""
    sources = []
    if programs - {Program.TEKUN} or not programs:
        sources.append(f"{DIBAO_RULES}{DIBAO_ARTICLES['publicity']}")
    if Program.TEKUN in programs:
        sources.append(f"{TEKUN_RULES}{TEKUN_ARTICLES['publicity']}")
    return "依照" + "、".join(sources)
