"""What a web address may carry of a resident ID number (issue 12): at most its last six
characters. A whole number (18 characters, or an old 15-digit one) or a longer ending (seventeen
give the whole number away with its check digit) is posted with a form instead, so that it
reaches no browser history, bookmark, proxy or server access log, or Referer header.

A form that searches by ID and also answers a GET (a link, a bookmark) refuses such a text in
its address with ``ID_IN_URL_REFUSED`` (``registry.forms.SearchForm``).
"""

from __future__ import annotations

import re
import unicodedata

from django.utils.translation import gettext_lazy as _

ID_ENDING_IN_URL = 6
"""The most characters of an ID number an address may carry: the last six, as the search box
invites (and the load test's ``search:id6``)."""

_ID_TEXT = re.compile(r"[0-9]{3,17}[0-9X]")

ID_IN_URL_REFUSED = _(
    "身份证号不能出现在网址中：请在查询框中输入，点击“查询”提交（号码随表单发送，不进入网址）。"
)


def reveals_id(text: str) -> bool:
    """Whether a text is an ID number, or more of one than its last six characters (full-width
    digits count as digits, a lower-case x as X)."""
    text = unicodedata.normalize("NFKC", text).strip().upper()
    return bool(_ID_TEXT.fullmatch(text)) and len(text) > ID_ENDING_IN_URL
