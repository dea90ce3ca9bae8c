"""Writes examples/baodi_example.xlsx: 21 synthetic Baodi households that exercise every program.

All people are invented; ID numbers are generated with valid check characters. Run
``python examples/make_example_workbook.py`` to regenerate (tests check the file matches).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
from openpyxl.styles import Font, PatternFill

from jiuzhu.feeds.ids import check_character

HERE = Path(__file__).parent
OUTPUT = HERE / "baodi_example.xlsx"
ON = dt.date(2025, 10, 15)

HOUSEHOLD_HEADERS = [
    "家庭编号",
    "区划代码",
    "评估日期",
    "城乡类别",
    "单亲家庭",
    "享受计划生育特别扶助金",
    "无子女",
    "机动车数量",
    "住房套数",
    "人均住房建筑面积",
    "近12个月家庭收入",
    "近12个月医疗支出（扣除各类保险报销后）",
    "备注",
]
PERSON_HEADERS = [
    "家庭编号",
    "姓名",
    "身份证号",
    "与申请人关系",
    "离家原因",
    "长期共同居住",
    "在校学段（全日制）",
    "残疾类别",
    "残疾等级",
    "重特大疾病病种",
    "门诊特殊病",
    "生活自理能力",
    "供养方式",
    "有承包土地或参加农村集体经济收益分配",
    "工资性收入",
    "其他转移性收入",
    "离退休金、职工养老金",
    "城乡居民基本养老保险基础养老金",
    "货币财产",
]
OBLIGOR_HEADERS = [
    "被供养人身份证号",
    "义务人姓名",
    "义务人身份证号",
    "与被供养人关系",
    "义务人年收入",
    "义务人财产符合低收入家庭财产条件",
]

_sequence = iter(range(1, 10_000))


def resident_id(age: int, sex: str) -> tuple[str, dt.date]:
    """A valid invented ID for someone ``age`` on ON (Baodi address code by birth year)."""
    birth = dt.date(ON.year - age, (age * 7) % 12 + 1, (age * 11) % 27 + 1)
    if birth > ON.replace(year=birth.year):
        birth = birth.replace(year=birth.year - 1)
    address = "120224" if birth.year < 2001 else "120115"
    number = next(_sequence)
    sequence = number * 2 + (1 if sex == "m" else 0)
    first17 = f"{address}{birth:%Y%m%d}{sequence % 1000:03d}"
    return first17 + check_character(first17), birth


def person(
    household: str, name: str, age: int, sex: str, relation: str, **fields: object
) -> dict[str, object]:
    number, _ = resident_id(age, sex)
    row: dict[str, object] = {
        "家庭编号": household,
        "姓名": name,
        "身份证号": number,
        "与申请人关系": relation,
    }
    row.update(fields)
    return row


HOUSEHOLDS: list[dict[str, object]] = []
PERSONS: list[dict[str, object]] = []
OBLIGORS: list[dict[str, object]] = []


def household(code: str, division: str, area: str, note: str, **fields: object) -> str:
    HOUSEHOLDS.append(
        {"家庭编号": code, "区划代码": division, "城乡类别": area, "备注": note, **fields}
    )
    return code


h = household("BD001", "120115001001", "城镇", "C01 低保 3 人户：月收入1500元 → 低保金1635元")
PERSONS += [
    person(h, "赵某甲", 45, "m", "01", 其他转移性收入=1500),
    person(h, "钱某乙", 43, "f", "10"),
    person(h, "赵某丙", 15, "m", "20", **{"在校学段（全日制）": "初中"}),
]

h = household(
    "BD002",
    "120115002001",
    "城镇",
    "C14 单人户：一级肢体残疾成员可单独纳入低保（1045元），或整户低保边缘（314元），二选一",
)
PERSONS += [
    person(h, "孙某甲", 50, "m", "01", 残疾类别="肢体", 残疾等级=1),
    person(h, "李某乙", 48, "f", "10", 工资性收入=2300),
    person(h, "孙某丙", 24, "m", "20", 工资性收入=2300),
]

h = household("BD003", "120115101201", "农村", "C07 低保边缘，有四级残疾成员 → 救助金314元")
PERSONS += [
    person(
        h, "周某甲", 50, "m", "01", 其他转移性收入=1200, 残疾类别="肢体", 残疾等级=4, 货币财产=40000
    ),
    person(h, "吴某乙", 48, "f", "10", 其他转移性收入=1200),
]

h = household("BD004", "120115103201", "农村", "C08 低保边缘，不属于发放类别 → 只有身份")
PERSONS += [
    person(h, "郑某甲", 40, "m", "01", 其他转移性收入=1200, 货币财产=40000),
    person(h, "王某乙", 40, "f", "10", 其他转移性收入=1200),
]

h = household("BD005", "120115003001", "城镇", "C09 人均1600元超过1.5倍标准")
PERSONS += [
    person(h, "冯某甲", 50, "m", "01", 其他转移性收入=1600, 残疾类别="肢体", 残疾等级=4),
    person(h, "陈某乙", 48, "f", "10", 其他转移性收入=1600),
]

h = household(
    "BD006", "120115006001", "城镇", "C11 人均恰为1567.5元，门诊特殊病 → 低保边缘救助金314元"
)
PERSONS += [
    person(h, "褚某甲", 50, "m", "01", 其他转移性收入=1567.5, 门诊特殊病="是"),
    person(h, "卫某乙", 48, "f", "10", 其他转移性收入=1567.5),
]

h = household(
    "BD007", "120115007001", "城镇", "C04 人均恰等于标准：不符合低保，按天津表述也不是低保边缘"
)
PERSONS += [
    person(h, "蒋某甲", 45, "m", "01", 其他转移性收入=2090),
    person(h, "沈某乙", 44, "f", "10", 其他转移性收入=2090),
    person(h, "蒋某丙", 20, "m", "20", 长期共同居住="否", **{"在校学段（全日制）": "本科"}),
    person(h, "蒋某丁", 19, "f", "30", 长期共同居住="否", **{"在校学段（全日制）": "本科"}),
]

h = household(
    "BD008", "120115104201", "农村", "特困：农村分散供养、部分丧失自理能力 → 1530 + 400 元"
)
PERSONS += [
    person(
        h,
        "韩某甲",
        82,
        "f",
        "01",
        生活自理能力="部分丧失",
        供养方式="分散",
        有承包土地或参加农村集体经济收益分配="是",
    )
]

h = household(
    "BD009",
    "120115105201",
    "农村",
    "特困：无子女的高龄夫妇，均无收入 → 两人特困（有承包地，集中供养按1870元）",
)
PERSONS += [
    person(h, "杨某甲", 78, "m", "01", 供养方式="集中", 有承包土地或参加农村集体经济收益分配="是"),
    person(
        h,
        "朱某乙",
        77,
        "f",
        "10",
        供养方式="集中",
        有承包土地或参加农村集体经济收益分配="是",
        生活自理能力="完全丧失",
    ),
]

h = household(
    "BD010",
    "120115008001",
    "城镇",
    "刚性支出：医疗支出占年收入65%；2024年天津人均可支配收入未知 → 待定",
    **{"近12个月家庭收入": 100000, "近12个月医疗支出（扣除各类保险报销后）": 65000},
)
PERSONS += [
    person(h, "秦某甲", 45, "m", "01", 其他转移性收入=2083.33),
    person(h, "尤某乙", 44, "f", "10", 其他转移性收入=2083.33),
    person(h, "秦某丙", 16, "m", "20", 其他转移性收入=2083.33, **{"在校学段（全日制）": "高中"}),
    person(h, "秦某丁", 14, "f", "30", 其他转移性收入=2083.33, **{"在校学段（全日制）": "初中"}),
]

h = household("BD011", "120115106201", "农村", "分类救助：尿毒症成员抵扣1500元后符合低保")
PERSONS += [
    person(h, "许某甲", 52, "m", "01", 重特大疾病病种="尿毒症"),
    person(h, "何某乙", 50, "f", "10", 其他转移性收入=2600),
]

h = household("BD012", "120115107201", "农村", "服刑成员不计入家庭成员")
PERSONS += [
    person(h, "吕某甲", 46, "f", "01", 其他转移性收入=800),
    person(h, "施某乙", 47, "m", "10", 离家原因="服刑", 其他转移性收入=3000),
]

h = household("BD013", "120115108201", "农村", "现役义务兵不计入家庭成员（天津）")
PERSONS += [
    person(h, "张某甲", 50, "m", "01", 其他转移性收入=600),
    person(h, "张某乙", 20, "m", "20", 离家原因="现役义务兵"),
]

h = household("BD014", "120115111201", "农村", "名下有机动车：不符合低保", 机动车数量=1)
PERSONS += [person(h, "孔某甲", 55, "m", "01", 其他转移性收入=500)]

h = household(
    "BD015",
    "120115113201",
    "农村",
    "两套住房且全市人均住房面积未知 → 待定",
    住房套数=2,
    人均住房建筑面积=22.5,
)
PERSONS += [person(h, "曹某甲", 55, "m", "01", 其他转移性收入=500)]

h = household(
    "BD016",
    "120115115201",
    "农村",
    "城乡居民基础养老金不计入（十四五期间）；子女另住且有赡养能力 → 非特困，按低保",
)
PERSONS += [person(h, "严某甲", 72, "m", "01", 城乡居民基本养老保险基础养老金=300)]
OBLIGORS.append(
    {
        "被供养人身份证号": PERSONS[-1]["身份证号"],
        "义务人姓名": "严某乙",
        "义务人身份证号": resident_id(45, "m")[0],
        "与被供养人关系": "子",
        "义务人年收入": 80000,
    }
)

h = household(
    "BD017", "120115119201", "农村", "义务人70周岁以上低收入；2024年人均可支配收入未知 → 特困待定"
)
PERSONS += [person(h, "华某甲", 93, "f", "01")]
OBLIGORS.append(
    {
        "被供养人身份证号": PERSONS[-1]["身份证号"],
        "义务人姓名": "华某乙",
        "义务人身份证号": resident_id(71, "m")[0],
        "与被供养人关系": "子",
        "义务人年收入": 20000,
        "义务人财产符合低收入家庭财产条件": "是",
    }
)

h = household(
    "BD018", "120115120201", "农村", "自带评估日期2025-08-20：按1010元标准", 评估日期="2025-08-20"
)
PERSONS += [
    person(h, "金某甲", 58, "m", "01", 其他转移性收入=300),
    person(h, "魏某乙", 56, "f", "10"),
]

h = household(
    "BD019", "120115121201", "农村", "家庭成员均满60周岁且无子女 → 低保边缘救助金", 无子女="是"
)
PERSONS += [
    person(h, "陶某甲", 66, "m", "01", **{"离退休金、职工养老金": 1200}),
    person(h, "姜某乙", 64, "f", "10", **{"离退休金、职工养老金": 1200}),
]

h = household(
    "BD020", "120115123201", "农村", "单亲家庭、子女读本科 → 低保边缘救助金", 单亲家庭="是"
)
PERSONS += [
    person(h, "戚某甲", 45, "f", "01", 工资性收入=2400),
    person(h, "戚某乙", 19, "m", "20", 长期共同居住="否", **{"在校学段（全日制）": "本科"}),
]

h = household("BD021", "120115124201", "农村", "收入较高：不符合各项救助")
PERSONS += [
    person(h, "谢某甲", 40, "m", "01", 工资性收入=5000),
    person(h, "邹某乙", 38, "f", "10", 工资性收入=4000),
]


def write(path: Path = OUTPUT) -> None:
    workbook = openpyxl.Workbook()
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    sheets = [
        ("家庭", HOUSEHOLD_HEADERS, HOUSEHOLDS),
        ("成员", PERSON_HEADERS, PERSONS),
        ("义务人", OBLIGOR_HEADERS, OBLIGORS),
    ]
    for index, (title, headers, rows) in enumerate(sheets):
        sheet = workbook.active if index == 0 else workbook.create_sheet()
        assert sheet is not None
        sheet.title = title
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font = bold
            cell.fill = fill
        for row in rows:
            sheet.append([row.get(h) for h in headers])
        for column in sheet.columns:
            letter = column[0].column_letter
            sheet.column_dimensions[letter].width = 22 if letter != "M" else 60
        sheet.freeze_panes = "A2"
    workbook.properties.creator = "Jiuzhu examples"
    workbook.properties.created = dt.datetime(2025, 10, 15, tzinfo=dt.UTC)
    workbook.properties.modified = dt.datetime(2025, 10, 15, tzinfo=dt.UTC)
    workbook.save(path)


if __name__ == "__main__":
    write()
    print(
        f"wrote {OUTPUT} ({len(HOUSEHOLDS)} households, {len(PERSONS)} persons, {len(OBLIGORS)} obligors)"
    )
