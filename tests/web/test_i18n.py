"""The English catalog: complete, fully translated, compiled, and used when a user switches
language. Chinese is the default language; the msgids are the Chinese source strings.

When a test here fails after a change of the UI's strings, refresh the catalog::

    cd src/jiuzhu/web
    jiuzhu-web makemessages -l en --no-obsolete   # then translate the new entries
    jiuzhu-web compilemessages -l en
"""

from __future__ import annotations

import ast
import gettext
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

import jiuzhu.web
from jiuzhu.web.accounts.models import User
from jiuzhu.web.cases import actions
from jiuzhu.web.cases.materials import MATERIALS
from jiuzhu.web.cases.models import Channel
from jiuzhu.web.core.programs import Program
from jiuzhu.web.registry.models import Household
from tests.web.conftest import PASSWORD

WEB = Path(jiuzhu.web.__file__).resolve().parent
PO = WEB / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")

# A catalog key as gettext's GNUTranslations stores it: "msgid", "ctx\x04msgid", or
# (msgid, plural index) for plural forms.
Key = str | tuple[str, int]


# ---------------------------------------------------------------------------------------------
# A small .po reader (polib is not a dependency of the project; where it is installed, the
# reader is checked against it below).


class Entry:
    def __init__(self) -> None:
        self.msgctxt: str | None = None
        self.msgid = ""
        self.msgid_plural: str | None = None
        self.msgstr = ""
        self.msgstr_plural: dict[int, str] = {}
        self.flags: set[str] = set()
        self.line = 0

    @property
    def key(self) -> str:
        return self.msgid if self.msgctxt is None else f"{self.msgctxt}\x04{self.msgid}"

    def translations(self) -> list[str]:
        return list(self.msgstr_plural.values()) if self.msgid_plural is not None else [self.msgstr]


def _unquote(text: str, path: Path, number: int) -> str:
    text = text.strip()
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        raise ValueError(f"{path}:{number}: not a quoted string: {text}")
    value = ast.literal_eval(text)  # PO strings use C escapes, a subset of Python's
    assert isinstance(value, str)
    return value


def read_po(path: Path) -> tuple[Entry, list[Entry]]:
    """The header entry and the messages of a .po file (obsolete ``#~`` entries are skipped)."""
    keyword = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(".*")$')
    entries: list[Entry] = []
    flags: set[str] = set()
    field: tuple[str, int | None] = ("", None)  # the keyword a continuation line extends

    def append(entry: Entry, value: str) -> None:
        name, index = field
        if name == "msgstr" and index is not None:
            entry.msgstr_plural[index] = entry.msgstr_plural.get(index, "") + value
        else:
            setattr(entry, name, (getattr(entry, name) or "") + value)

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if line.startswith("#,"):
            flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
        elif line.startswith("#~"):
            flags = set()  # the flags of an obsolete entry
        elif not line or line.startswith("#"):
            continue
        elif found := keyword.match(line):
            name, index, quoted = found.groups()
            # msgctxt opens an entry; so does msgid, unless it follows the entry's msgctxt.
            if name == "msgctxt" or (name == "msgid" and field[0] != "msgctxt"):
                entries.append(Entry())
                entries[-1].flags, flags = flags, set()
                entries[-1].line = number
            if not entries:
                raise ValueError(f"{path}:{number}: {name} outside an entry")
            field = (name, int(index) if index is not None else None)
            if name == "msgstr" and index is not None:
                entries[-1].msgstr_plural[int(index)] = ""
            else:
                setattr(entries[-1], name, "")
            append(entries[-1], _unquote(quoted, path, number))
        elif line.startswith('"') and entries:
            append(entries[-1], _unquote(line, path, number))
        else:
            raise ValueError(f"{path}:{number}: cannot read {raw!r}")
    if not entries or entries[0].msgid != "" or entries[0].msgctxt is not None:
        raise ValueError(f"{path}: no header entry")
    return entries[0], entries[1:]


def catalog_of_po(messages: list[Entry]) -> dict[Key, str]:
    """What msgfmt puts into the .mo: translated, non-fuzzy messages."""
    found: dict[Key, str] = {}
    for entry in messages:
        if "fuzzy" in entry.flags or not all(entry.translations()):
            continue
        if entry.msgid_plural is not None:
            for index, text in entry.msgstr_plural.items():
                found[(entry.key, index)] = text
        else:
            found[entry.key] = entry.msgstr
    return found


def catalog_of_mo(path: Path) -> dict[Key, str]:
    with path.open("rb") as handle:
        translations = gettext.GNUTranslations(handle)
    catalog: dict[Key, str] = dict(translations._catalog)  # type: ignore[attr-defined]
    catalog.pop("", None)  # the header
    return catalog


def _where(entry: Entry) -> str:
    return f"{PO.relative_to(WEB)}:{entry.line} {entry.msgid!r}"


# ---------------------------------------------------------------------------------------------
# (a) Every message is translated, none is fuzzy, placeholders survive.


def test_the_catalog_has_a_proper_header() -> None:
    header, messages = read_po(PO)
    assert "fuzzy" not in header.flags
    assert "Language: en\n" in header.msgstr
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header.msgstr
    assert "charset=UTF-8" in header.msgstr
    assert len(messages) > 400  # a truncated catalog is not a complete one


def test_every_message_is_translated_and_none_is_fuzzy() -> None:
    _, messages = read_po(PO)
    fuzzy = [_where(entry) for entry in messages if "fuzzy" in entry.flags]
    empty = [_where(entry) for entry in messages if not all(entry.translations())]
    assert not fuzzy, "fuzzy entries:\n" + "\n".join(fuzzy)
    assert not empty, "untranslated entries:\n" + "\n".join(empty)
    plural = [entry for entry in messages if entry.msgid_plural is not None]
    assert all(sorted(entry.msgstr_plural) == [0, 1] for entry in plural)


def test_translations_are_english_and_keep_every_placeholder() -> None:
    _, messages = read_po(PO)
    placeholder = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\{\s*\w+\s*\}\}")
    han = re.compile(r"[\u4e00-\u9fff]")
    for entry in messages:
        wanted = sorted(placeholder.findall(entry.msgid))
        for text in entry.translations():
            assert sorted(placeholder.findall(text)) == wanted, _where(entry)
            assert not han.search(text), f"Chinese left in the translation of {_where(entry)}"


def test_the_glossary_is_followed() -> None:
    _, messages = read_po(PO)
    by_id = {entry.msgid: entry.msgstr for entry in messages}
    assert by_id["最低生活保障"] == "Dibao (minimum living guarantee)"
    assert by_id["特困人员救助供养"] == "Tekun (extreme-poverty support)"
    assert by_id["低保边缘家庭"] == "Near-dibao household"
    assert by_id["刚性支出困难家庭"] == "Rigid-expenditure hardship family"
    assert by_id["入户调查"] == "Home visit"
    assert by_id["公示"] == "Public notice"
    assert by_id["民主评议"] == "Community review"
    assert by_id["审核确认"] == "Confirmation"
    assert by_id["家庭经济状况核对"] == "Verification of household finances"
    assert by_id["备案"] == "Separate registration"
    assert by_id["元"] == "yuan"


# ---------------------------------------------------------------------------------------------
# (b) The compiled catalog is the .po's.


def test_the_compiled_catalog_is_up_to_date() -> None:
    assert MO.exists(), f"{MO} is missing: run jiuzhu-web compilemessages -l en"
    _, messages = read_po(PO)
    expected, compiled = catalog_of_po(messages), catalog_of_mo(MO)
    stale = sorted(str(key) for key in expected.keys() ^ compiled.keys())
    changed = sorted(
        str(key) for key in expected.keys() & compiled.keys() if expected[key] != compiled[key]
    )
    assert not stale and not changed, (
        "django.mo differs from django.po (run jiuzhu-web compilemessages -l en):\n"
        + "\n".join(stale + changed)
    )


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext's msgfmt is not installed")
def test_msgfmt_compiles_the_catalog_to_the_committed_one(tmp_path: Path) -> None:
    """msgfmt checks the python-format placeholders and the header; its output holds the same
    messages as the committed .mo."""
    target = tmp_path / "django.mo"
    subprocess.run(
        ["msgfmt", "--check", "-o", str(target), str(PO)],
        check=True,
        capture_output=True,
        text=True,
    )
    assert catalog_of_mo(target) == catalog_of_mo(MO)


def test_the_reader_agrees_with_polib(tmp_path: Path) -> None:
    polib = pytest.importorskip("polib")
    catalog = polib.pofile(str(PO))
    _, messages = read_po(PO)
    assert [(entry.msgctxt, entry.msgid, entry.msgid_plural) for entry in messages] == [
        (entry.msgctxt, entry.msgid, entry.msgid_plural or None) for entry in catalog
    ]
    target = tmp_path / "django.mo"
    catalog.save_as_mofile(str(target))
    assert catalog_of_mo(target) == catalog_of_po(messages)


# ---------------------------------------------------------------------------------------------
# (d) The catalog holds every string that the templates and the Python code of jiuzhu.web mark.

GETTEXT_CALLS = {
    # name: (index of the context argument or None, index of the msgid, index of the plural)
    "_": (None, 0, None),
    "gettext": (None, 0, None),
    "gettext_lazy": (None, 0, None),
    "gettext_noop": (None, 0, None),
    "ngettext": (None, 0, 1),
    "ngettext_lazy": (None, 0, 1),
    "pgettext": (0, 1, None),
    "pgettext_lazy": (0, 1, None),
    "npgettext": (0, 1, 2),
    "npgettext_lazy": (0, 1, 2),
}


def _literal(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _python_msgids(path: Path) -> tuple[set[str], list[str]]:
    """The msgids a file marks, and the gettext calls that makemessages cannot read (an
    argument that is not a string literal: an f-string, a concatenation, a variable)."""
    found: set[str] = set()
    unreadable: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        if name not in GETTEXT_CALLS:
            continue
        context_at, msgid_at, _plural_at = GETTEXT_CALLS[name]
        msgid = _literal(node.args[msgid_at]) if len(node.args) > msgid_at else None
        context = _literal(node.args[context_at]) if context_at is not None and node.args else ""
        if msgid is None or context is None:
            unreadable.append(f"{path.relative_to(WEB)}:{node.lineno}")
        else:
            found.add(f"{context}\x04{msgid}" if context_at is not None else msgid)
    return found, unreadable


TRANSLATE_TAG = re.compile(
    r"""\{%\s*(?:translate|trans)\s+(?:context\s+("[^"]*"|'[^']*')\s+)?("[^"]*"|'[^']*')"""
)
TRANSLATE_TAG_CONTEXT_AFTER = re.compile(
    r"""\{%\s*(?:translate|trans)\s+("[^"]*"|'[^']*')[^%]*?\bcontext\s+("[^"]*"|'[^']*')"""
)
UNDERSCORE = re.compile(r"""\b_\(\s*("[^"]*"|'[^']*')\s*\)""")
BLOCK = re.compile(
    r"\{%\s*(?:blocktranslate|blocktrans)\b(?P<options>[^%]*)%\}(?P<body>.*?)"
    r"(?:\{%\s*plural\s*%\}(?P<plural>.*?))?\{%\s*(?:endblocktranslate|endblocktrans)\s*%\}",
    re.DOTALL,
)
TAG = re.compile(r"\{%.*?%\}|\{\{.*?\}\}", re.DOTALL)


def _block_msgid(body: str, trimmed: bool) -> str:
    if trimmed:
        body = " ".join(line.strip() for line in body.strip().splitlines() if line.strip())
    body = body.replace("%", "%%")
    return re.sub(r"\{\{\s*(\w+)\s*\}\}", r"%(\1)s", body)


def _template_msgids(path: Path) -> set[str]:
    text = path.read_text(encoding="utf-8")
    found: set[str] = set()
    for match in TRANSLATE_TAG.finditer(text):
        context, msgid = match.groups()
        found.add(msgid[1:-1] if context is None else f"{context[1:-1]}\x04{msgid[1:-1]}")
    for match in TRANSLATE_TAG_CONTEXT_AFTER.finditer(text):
        msgid, context = match.groups()
        found.discard(msgid[1:-1])
        found.add(f"{context[1:-1]}\x04{msgid[1:-1]}")
    for tag in TAG.finditer(text):
        found |= {literal[1:-1] for literal in UNDERSCORE.findall(tag.group())}
    for match in BLOCK.finditer(text):
        options = match.group("options")
        context = re.search(r"""\bcontext\s+("[^"]*"|'[^']*')""", options)
        msgid = _block_msgid(match.group("body"), "trimmed" in options.split())
        found.add(msgid if context is None else f"{context.group(1)[1:-1]}\x04{msgid}")
    return found


def _sources(suffix: str) -> list[Path]:
    return sorted(
        path
        for path in WEB.rglob(f"*{suffix}")
        if "locale" not in path.relative_to(WEB).parts
        and "static" not in path.relative_to(WEB).parts
    )


def test_the_template_reader_finds_the_tags() -> None:
    page = WEB / "workbench" / "templates" / "workbench" / "home.html"
    found = _template_msgids(page)
    assert {"我的待办", "工作台", "待办 %(n)s 件"} <= found
    application = _template_msgids(WEB / "cases" / "templates" / "cases" / "application.html")
    assert {"补交材料", "确认补齐", "审核确认"} <= application  # title=_("…") inside a tag


def test_every_marked_string_is_in_the_catalog() -> None:
    _, messages = read_po(PO)
    in_catalog = {entry.key for entry in messages}
    missing: list[str] = []
    unreadable: list[str] = []
    for path in _sources(".html"):
        missing += [
            f"{path.relative_to(WEB)}: {m!r}" for m in sorted(_template_msgids(path) - in_catalog)
        ]
    for path in _sources(".py"):
        found, bad = _python_msgids(path)
        unreadable += bad
        missing += [f"{path.relative_to(WEB)}: {m!r}" for m in sorted(found - in_catalog)]
    assert not unreadable, "gettext called with something other than a literal:\n" + "\n".join(
        unreadable
    )
    assert not missing, (
        "marked strings missing from the English catalog (run jiuzhu-web makemessages -l en):\n"
        + "\n".join(missing)
    )


# ---------------------------------------------------------------------------------------------
# (c) The language switch: Chinese by default, English on request, on the log-in page and the
# workbench.


def _switch(client: Client, language: str, next_url: str) -> None:
    response = client.post(reverse("set_language"), {"language": language, "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == next_url


@pytest.fixture
def application(users: dict[str, User], townships: tuple[str, str]) -> Any:
    """An accepted dibao application in the caseworker's township, so the workbench has a row."""
    household = Household.objects.filter(township_code=townships[0]).order_by("pk").first()
    assert household is not None
    member = household.memberships.filter(valid_to__isnull=True).first()
    assert member is not None
    return actions.submit_application(
        users["caseworker"],
        household,
        program=Program.DIBAO,
        applicant=member.person,
        channel=Channel.COUNTER,
        materials=list(MATERIALS),
    )


@pytest.mark.django_db
def test_the_login_page_is_chinese_by_default_and_english_on_request(
    users: dict[str, User],
) -> None:
    client = Client()
    login = reverse("accounts:login")
    page = client.get(login).content.decode()
    assert '<html lang="zh-hans">' in page
    assert "用户名" in page and "密码" in page and "登录" in page
    assert 'value="en">English</button>' in page

    _switch(client, "en", login)
    page = client.get(login).content.decode()
    assert '<html lang="en">' in page
    assert "Username" in page and "Password" in page and "Log in" in page
    assert "用户名" not in page and "登录" not in page
    assert "Baodi District Social Assistance Platform" in page

    # Signing in works in English, and lands on the English workbench.
    response = client.post(login, {"username": "caseworker", "password": PASSWORD}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("workbench:home")
    assert "My tasks" in response.content.decode()

    # Without a choice, the browser's preferred language decides; Chinese is the fallback.
    assert "Log in" in Client(HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9").get(login).content.decode()
    for preferred in ("zh-CN,zh;q=0.9", "fr-FR,fr;q=0.9"):
        page = Client(HTTP_ACCEPT_LANGUAGE=preferred).get(login).content.decode()
        assert '<html lang="zh-hans">' in page and "登录" in page

    # A wrong password is refused with the form shown again, in either language.
    for language in ("zh-hans", "en"):
        other = Client()
        _switch(other, language, login)
        response = other.post(login, {"username": "caseworker", "password": "wrong"})
        assert response.status_code == 200
        assert 'class="error"' in response.content.decode()


@pytest.mark.django_db
def test_the_workbench_follows_the_language_switch(application: Any) -> None:
    client = Client()
    assert client.login(username="caseworker", password=PASSWORD)
    workbench = reverse("workbench:home")

    page = client.get(workbench).content.decode()
    assert "我的待办" in page and "工作台" in page and "退出" in page
    assert "最低生活保障" in page and "已受理" in page  # model choices, the Chinese defaults
    assert application.number in page

    _switch(client, "en", workbench)
    page = client.get(workbench).content.decode()
    assert '<html lang="en">' in page
    for text in (
        "My tasks",
        "Workbench",
        "Household search",
        "Log out",
        "1 task",
        "Your step",
    ):
        assert text in page, text
    assert "Dibao (minimum living guarantee)" in page and "Accepted" in page
    assert "我的待办" not in page and "最低生活保障" not in page
    assert application.number in page

    # The stage page, its translated model choices and step titles.
    page = client.get(reverse("cases:application", args=[application.pk])).content.decode()
    assert "Home visit" in page and "Public notice" in page and "Case history" in page

    _switch(client, "zh-hans", workbench)
    page = client.get(workbench).content.decode()
    assert "我的待办" in page and "My tasks" not in page
