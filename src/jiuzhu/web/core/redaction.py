"""ID numbers and bank account numbers found inside free text, masked (DESIGN.md §9).

``masking`` masks a value the code knows is an ID or an account; this module masks those that
ride inside other text: a log message and its arguments, an error report, a job's stored
message, an admin page. It recognises

* an ID number (GB 11643): 17 digits and a check character (digit or X), masked as
  ``masking.mask_id`` does (120224********123X); and
* any other run of 13 to 25 digits — a bank card (16–19 digits), a passbook or corporate
  account, a 15-digit ID of the first generation — masked as ``masking.mask_account`` does
  (6222***********1234).

Shorter runs are left alone on purpose: division codes (6, 9 and 12 digits), dates, amounts in
fen and record numbers must stay readable in a log. An account number shorter than 13 digits is
therefore not recognised in free text; the pages and exports mask it by its field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from jiuzhu.web.core.masking import mask_account, mask_id

# Not \b: Python counts Chinese characters as word characters, so a number written right after
# one (身份证号120224…) would have no word boundary and stay unmasked. No look-ahead after an ID
# ending in X: a disability certificate number is the holder's ID followed by more digits.
SENSITIVE_NUMBER = re.compile(r"(?<![0-9A-Za-z])(?:\d{17}[Xx]|\d{13,25})")


def _mask_match(match: re.Match[str]) -> str:
    number = match.group(0)
    return mask_id(number) if len(number) == 18 else mask_account(number)


def mask_text(text: str) -> str:
    """``text`` with every ID number and every run of 13–25 digits masked; the rest as it was."""
    return SENSITIVE_NUMBER.sub(_mask_match, text)


def mask_data(value: object) -> object:
    """A copy of a JSON-like value (dicts, lists, tuples, strings, numbers) with every string
    masked by ``mask_text`` and every integer of 13–25 digits masked as an account; keys are
    kept as they are. Other objects are masked through their ``str``."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, bool) or value is None or isinstance(value, float):
        return value
    if isinstance(value, int):
        return mask_text(str(value)) if len(str(abs(value))) >= 13 else value
    if isinstance(value, Mapping):
        return {key: mask_data(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [mask_data(item) for item in value]
    return mask_text(str(value))
