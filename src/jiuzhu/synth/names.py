"""Chinese names from Faker's ``zh_CN`` person lists, sampled with NumPy (no Python loop per
person): surnames by Faker's frequency weights, given names matching sex (one character, or two
characters of the same sex's list)."""

from __future__ import annotations

import numpy as np
from faker.providers.person.zh_CN import Provider

SURNAMES = np.array(list(Provider.last_names.keys()))
SURNAME_WEIGHTS = np.array(list(Provider.last_names.values()), dtype=float)
SURNAME_WEIGHTS /= SURNAME_WEIGHTS.sum()
MALE = np.array(Provider.first_names_male)
FEMALE = np.array(Provider.first_names_female)
MALE_CHARS = np.array(sorted({c for name in Provider.first_names_male for c in name}))
FEMALE_CHARS = np.array(sorted({c for name in Provider.first_names_female for c in name}))
TWO_CHARACTER_SHARE = 0.45


def surnames(rng: np.random.Generator, count: int) -> np.ndarray:
    """``count`` surnames by Faker's frequency weights (王, 李, 张, …)."""
    return rng.choice(SURNAMES, count, p=SURNAME_WEIGHTS)


def given_names(rng: np.random.Generator, male: np.ndarray) -> np.ndarray:
    """A given name per person, from the list of the person's sex."""
    count = male.shape[0]
    single = np.where(male, rng.choice(MALE, count), rng.choice(FEMALE, count))
    first = np.where(male, rng.choice(MALE_CHARS, count), rng.choice(FEMALE_CHARS, count))
    second = np.where(male, rng.choice(MALE_CHARS, count), rng.choice(FEMALE_CHARS, count))
    double = np.char.add(first, second)
    return np.where(rng.random(count) < TWO_CHARACTER_SHARE, double, single)
