"""Every department source, imported so that its spec is registered (``jiuzhu.feeds.base.SPECS``)."""

from jiuzhu.feeds import (  # noqa: F401 — imported for their registration
    custody,
    deaths,
    disability,
    financial_assets,
    housing_fund,
    market_entities,
    medical_insurance,
    real_estate,
    social_insurance,
    students,
    tax,
    unemployment,
    vehicles,
)

SOURCES = (
    "tax",
    "social_insurance",
    "housing_fund",
    "real_estate",
    "vehicles",
    "financial_assets",
    "market_entities",
    "medical_insurance",
    "disability",
    "deaths",
    "unemployment",
    "students",
    "custody",
)
