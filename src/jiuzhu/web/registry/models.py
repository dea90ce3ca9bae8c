"""Registry models. Field names are the rules engine's input variables (docs/input-format.md), so
the frames the engine reads are built column for column (``jiuzhu.web.registry.frames``).

Money is integer fen (``BigIntegerField``); monthly amounts are per month, annual per year.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiuzhu.web.core.choices import code_choices as _choices
from jiuzhu.web.core.fields import (
    EndingHashField,
    SealedBooleanField,
    SealedCharField,
    SealedModel,
    SearchHashField,
    TailField,
)


class Source(models.TextChoices):
    """Where a value comes from: declared by the applicant, or found in a department's data."""

    DECLARED = "declared", _("申报")
    VERIFIED = "verified", _("核对")


class MaritalStatus(models.TextChoices):
    """GB/T 2261.2-2003 婚姻状况代码."""

    UNMARRIED = "10", _("未婚")
    MARRIED = "20", _("已婚")
    FIRST_MARRIAGE = "21", _("初婚")
    REMARRIED = "22", _("再婚")
    REMARRIED_SAME = "23", _("复婚")
    WIDOWED = "30", _("丧偶")
    DIVORCED = "40", _("离婚")
    UNSTATED = "90", _("未说明的婚姻状况")


class WorkCapacity(models.TextChoices):
    """劳动能力 as assessed (特困人员认定办法 Art. 5; the Baodi plan's 完全/部分丧失劳动能力)."""

    UNASSESSED = "unassessed", _("未评定")
    ABLE = "able", _("有劳动能力")
    PARTIAL_LOSS = "partial_loss", _("部分丧失劳动能力")
    FULL_LOSS = "full_loss", _("完全丧失劳动能力")


class Employment(models.TextChoices):
    """就业状况 of a member (for reviews and employment assistance)."""

    UNKNOWN = "unknown", _("未登记")
    EMPLOYED = "employed", _("单位就业")
    FLEXIBLE = "flexible", _("灵活就业")
    FARMING = "farming", _("务农")
    SELF_EMPLOYED = "self_employed", _("个体经营")
    UNEMPLOYED_REGISTERED = "unemployed_registered", _("失业（已登记）")
    NOT_WORKING = "not_working", _("无业")
    STUDENT = "student", _("在校学生")
    RETIRED = "retired", _("离退休")


class Household(models.Model):
    """共同生活的家庭 — the assistance unit, not the hukou book."""

    number = models.CharField(_("家庭编号"), max_length=20, unique=True)
    division_code = models.CharField(_("村（居）区划代码"), max_length=12, db_index=True)
    township_code = models.CharField(_("乡镇（街道）区划代码"), max_length=9, db_index=True)
    address = models.CharField(_("住址"), max_length=200, blank=True)
    area_type = models.CharField(_("城乡类别"), max_length=8, choices=_choices("area_type"))
    single_parent_family = models.BooleanField(_("单亲家庭"), default=False)
    family_planning_special_support = models.BooleanField(
        _("享受计划生育特别扶助金"), default=False
    )
    has_no_children = models.BooleanField(_("无子女"), default=False)
    district_designated_hardship = models.BooleanField(_("区定其他困难情形"), default=False)
    vehicles = models.PositiveSmallIntegerField(_("机动车数量"), default=0)
    disability_mobility_vehicles = models.PositiveSmallIntegerField(
        _("残疾人功能性补偿代步机动车数量"), default=0
    )
    homes = models.PositiveSmallIntegerField(_("住房套数"), default=0)
    floor_area = models.DecimalField(
        _("住房建筑面积合计（平方米）"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    # Derived from floor_area and the members in force (registry.upkeep recomputes it on every
    # change of either); the rules read it.
    per_capita_floor_area = models.DecimalField(
        _("人均住房建筑面积（平方米）"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    non_residential_property = models.BooleanField(_("拥有非住宅房产"), default=False)
    self_funded_study_abroad = models.BooleanField(_("成员自费出国留学"), default=False)
    non_essential_luxury_goods = models.BooleanField(_("拥有非生活必需高档用品"), default=False)
    business_capital = models.BigIntegerField(_("经营资本（分）"), default=0)
    rigid_medical_expenditure = models.BigIntegerField(_("近12个月医疗支出（分）"), default=0)
    rigid_education_expenditure = models.BigIntegerField(_("近12个月教育支出（分）"), default=0)
    rigid_disaster_expenditure = models.BigIntegerField(_("近12个月灾害支出（分）"), default=0)
    rigid_accident_expenditure = models.BigIntegerField(_("近12个月意外事故支出（分）"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("家庭")
        verbose_name_plural = _("家庭")
        indexes = [models.Index(fields=["division_code", "number"])]

    def __str__(self) -> str:
        return self.number


class Person(SealedModel):
    """A resident. The ID number is sealed at rest (``core.crypto``) and shown masked unless the
    role may see it (every unmasked view is audited); it is looked up by its keyed hash."""

    resident_id = SealedCharField(_("公民身份号码"), max_length=18)
    # The exact lookup (``core.fields.sealed_match``): unique as the ID is.
    resident_id_hash = SearchHashField(_("身份证号检索码"), source="resident_id", unique=True)
    # The search by the end of an ID (registry.queries.search): six characters or more by the
    # keyed hash of the last six, a shorter end by the last four, each looked up by index; a
    # longer end is compared among the few found. Set from the ID on every write (core.fields:
    # save, bulk_create, bulk_update, update()).
    resident_id_ending = EndingHashField(_("身份证号末6位检索码"), source="resident_id")
    resident_id_tail = TailField(_("身份证号末4位"), source="resident_id")
    name = models.CharField(_("姓名"), max_length=50, db_index=True)
    sex = models.CharField(_("性别"), max_length=1, choices=[("1", _("男")), ("2", _("女"))])
    birth_date = models.DateField(_("出生日期"))
    hukou_tianjin = models.BooleanField(_("天津户籍"), default=True)
    disability_category = models.CharField(
        _("残疾类别"), max_length=16, choices=_choices("disability_category"), default="none"
    )
    disability_grade = models.PositiveSmallIntegerField(_("残疾等级"), null=True, blank=True)
    # Health (sealed at rest; the rules read them through the ORM, no query filters on them).
    serious_illness = SealedCharField(
        _("重特大疾病病种"), max_length=32, choices=_choices("serious_illness"), default="none"
    )
    special_outpatient_disease = SealedBooleanField(_("门诊特殊病"), default=False)
    self_care = models.CharField(
        _("生活自理能力"), max_length=16, choices=_choices("self_care"), default="self_caring"
    )
    student_level = models.CharField(
        _("在校学段（全日制）"), max_length=24, choices=_choices("student_level"), default="none"
    )
    unable_to_live_independently = models.BooleanField(_("成年但不能独立生活"), default=False)
    holds_rural_land_or_collective_share = models.BooleanField(
        _("有承包土地或参加农村集体经济收益分配"), default=False
    )
    relocated_to_town = models.BooleanField(_("易地扶贫搬迁至城镇"), default=False)
    chooses_orphan_support = models.BooleanField(_("选择孤儿或事实无人抚养儿童保障"), default=False)
    # A child's parents, as the orphan and de facto unsupported child rules read them (the
    # parent need not be in the registry: the child's record says what became of them).
    father_situation = models.CharField(
        _("父亲情况"), max_length=24, choices=_choices("parent_situation"), default="none"
    )
    father_situation_since = models.DateField(_("父亲情况起始日期"), null=True, blank=True)
    father_situation_until = models.DateField(_("父亲刑期等届满日期"), null=True, blank=True)
    mother_situation = models.CharField(
        _("母亲情况"), max_length=24, choices=_choices("parent_situation"), default="none"
    )
    mother_situation_since = models.DateField(_("母亲情况起始日期"), null=True, blank=True)
    mother_situation_until = models.DateField(_("母亲刑期等届满日期"), null=True, blank=True)
    marital_status = models.CharField(
        _("婚姻状况"), max_length=2, choices=MaritalStatus.choices, default=MaritalStatus.UNSTATED
    )
    work_capacity = models.CharField(
        _("劳动能力"), max_length=16, choices=WorkCapacity.choices, default=WorkCapacity.UNASSESSED
    )
    employment = models.CharField(
        _("就业状况"), max_length=24, choices=Employment.choices, default=Employment.UNKNOWN
    )
    died_on = models.DateField(_("死亡日期"), null=True, blank=True)
    tekun_support_form = models.CharField(
        _("供养方式"), max_length=16, choices=_choices("support_form"), default="home_based"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        # A plain index (exact matches only; db_index would add a LIKE index on PostgreSQL).
        indexes = [
            models.Index(fields=["resident_id_tail"], name="person_id_tail"),
            models.Index(fields=["resident_id_ending"], name="person_id_ending"),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A person's place in a household over a period (effective-dated), with the GB/T 4761
    relation to the applicant and, if living apart, why."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships")
    relation = models.CharField(_("与申请人关系"), max_length=2, choices=_choices("relation"))
    valid_from = models.DateField(_("起始日期"))
    valid_to = models.DateField(_("终止日期"), null=True, blank=True)
    absence_reason = models.CharField(
        _("离家原因"), max_length=40, choices=_choices("absence_reason"), default="none"
    )
    absent_since = models.DateField(_("离家日期"), null=True, blank=True)
    lives_with_household = models.BooleanField(_("长期共同居住"), default=True)

    class Meta:
        verbose_name = _("家庭成员关系")
        verbose_name_plural = _("家庭成员关系")
        indexes = [models.Index(fields=["household", "valid_to"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="membership_period_ordered",
            )
        ]


INCOME_COMPONENTS = (
    "wage_income",
    "business_net_income",
    "property_net_income",
    "support_received",
    "employee_pension",
    "unemployment_insurance",
    "residents_basic_pension",
    "other_transfer_income",
    "preferential_payments",
    "family_planning_payments",
    "scholarships_and_rewards",
    "social_assistance_payments",
    "old_age_allowance",
    "transfer_expenditure",
)
"""The person-level monthly money inputs of the rules (docs/input-format.md)."""


class Income(models.Model):
    """A person's monthly income of one component, declared or found by verification."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="incomes")
    component = models.CharField(
        _("收入项目"), max_length=32, choices=[(c, c) for c in INCOME_COMPONENTS]
    )
    monthly_amount = models.BigIntegerField(_("月均金额（分）"))
    source = models.CharField(_("来源"), max_length=12, choices=Source.choices)
    basis = models.CharField(_("依据"), max_length=200, blank=True)
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("收入")
        verbose_name_plural = _("收入")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "component", "source"], name="one_income_per_source"
            ),
            models.CheckConstraint(
                condition=models.Q(monthly_amount__gte=0), name="income_not_negative"
            ),
        ]


class Asset(models.Model):
    """A person's monetary assets (cash, deposits, securities, insurance, subscribed capital)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="assets")
    amount = models.BigIntegerField(_("货币财产（分）"))
    source = models.CharField(_("来源"), max_length=12, choices=Source.choices)
    basis = models.CharField(_("依据"), max_length=200, blank=True)
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("货币财产")
        verbose_name_plural = _("货币财产")
        constraints = [
            models.UniqueConstraint(fields=["person", "source"], name="one_asset_per_source"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="asset_not_negative"),
        ]


class Obligor(SealedModel):
    """法定赡养、抚养、扶养义务人 living elsewhere, of a person the tekun test examines."""

    supported = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="obligors")
    resident_id = SealedCharField(_("义务人身份证号"), max_length=18, blank=True)
    resident_id_hash = SearchHashField(_("身份证号检索码"), source="resident_id", db_index=True)
    name = models.CharField(_("义务人姓名"), max_length=50, blank=True)
    birth_date = models.DateField(_("义务人出生日期"))
    annual_income = models.BigIntegerField(_("义务人年收入（分）"), default=0)
    assets_within_low_income_limit = models.BooleanField(
        _("义务人财产符合低收入家庭财产条件"), default=False
    )
    is_tekun = models.BooleanField(_("义务人为特困人员"), default=False)
    is_dibao_recipient = models.BooleanField(_("义务人为低保对象"), default=False)
    disability_category = models.CharField(
        _("义务人残疾类别"), max_length=16, choices=_choices("disability_category"), default="none"
    )
    disability_grade = models.PositiveSmallIntegerField(_("义务人残疾等级"), null=True, blank=True)
    lacks_civil_capacity = models.BooleanField(_("义务人无民事行为能力"), default=False)
    declared_missing = models.BooleanField(_("义务人被宣告失踪"), default=False)
    in_prison = models.BooleanField(_("义务人在监狱服刑"), default=False)

    class Meta:
        verbose_name = _("法定义务人")
        verbose_name_plural = _("法定义务人")


class ImportRun(models.Model):
    """One import into the registry (the synthetic district, or a workbook)."""

    started_at = models.DateTimeField(auto_now_add=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True)
    source = models.CharField(_("来源"), max_length=300)
    households = models.PositiveIntegerField(default=0)
    persons = models.PositiveIntegerField(default=0)
