"""The project's own zh-hans catalogues (cms/locale): each committed .mo says what its .po says
(recompile with `make messages`), Django uses them (LOCALE_PATHS) for the admin's pages and its
JavaScript, and with them every string of the installed Wagtail apps has a Chinese text."""

import ast
import gettext
import json
import struct
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.utils import translation
from django.utils.translation.trans_real import DjangoTranslation
from django.views.i18n import JavaScriptCatalog

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "cms" / "locale"
SOURCES = sorted(LOCALE.glob("*/LC_MESSAGES/*.po"))


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    fuzzy: bool = False


def read_po(path: Path) -> list[Entry]:
    """The entries of a .po file (the header, msgid "", left out): context, singular, plural and
    each msgstr, strings joined across lines and unescaped; obsolete (#~) entries left out."""
    entries: list[Entry] = []
    current, last = Entry(), None

    def finish():
        nonlocal current, last
        if last is not None and current.msgid:
            entries.append(current)
        current, last = Entry(), None

    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line:
            finish()
        elif line.startswith("#,"):
            current.fuzzy = "fuzzy" in line
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            text = ast.literal_eval(line)
            if isinstance(last, int):
                current.msgstr[last] += text
            else:
                setattr(current, last, getattr(current, last) + text)
        else:
            keyword, _, value = line.partition(" ")
            text = ast.literal_eval(value)
            if keyword.startswith("msgstr["):
                last = int(keyword[len("msgstr[") : -1])
                current.msgstr[last] = text
            elif keyword == "msgstr":
                last = 0
                current.msgstr[0] = text
            else:
                if keyword == "msgctxt" and last is not None:
                    finish()
                last = keyword
                setattr(current, keyword, text)
    finish()
    return entries


def compiled(po: Path) -> Path:
    return po.with_suffix(".mo")


def strings_in_mo(path: Path) -> int:
    """How many strings a .mo holds, its header among them (GNU .mo format: the count is the
    third 32-bit word, in the byte order the magic number gives)."""
    data = path.read_bytes()
    order = "<" if struct.unpack("<I", data[:4])[0] == 0x950412DE else ">"
    return struct.unpack(f"{order}I", data[8:12])[0]


def test_the_po_reader_reads_contexts_plurals_and_continued_lines(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: zh_Hans\\n"\n\n'
        '#, python-format\nmsgctxt "naturaltime-past"\nmsgid "%(num)d day"\n'
        'msgid_plural "%(num)d days"\nmsgstr[0] "%(num)d 天"\n\n'
        '#, fuzzy\nmsgid ""\n"Say \\"hi\\"\\n"\n"twice"\nmsgstr "说“你好”"\n',
        encoding="utf-8",
    )
    day, hi = read_po(po)
    assert (day.msgctxt, day.msgid) == ("naturaltime-past", "%(num)d day")
    assert day.msgid_plural == "%(num)d days"
    assert day.msgstr == {0: "%(num)d 天"} and not day.fuzzy
    assert hi.msgid == 'Say "hi"\ntwice' and hi.msgstr == {0: "说“你好”"} and hi.fuzzy


def test_there_are_catalogues_for_the_admin_and_its_scripts():
    assert {(po.parent.parent.name, po.name) for po in SOURCES} == {
        ("zh_Hans", "django.po"),
        ("zh_Hans", "djangojs.po"),
    }
    assert LOCALE in [Path(path) for path in settings.LOCALE_PATHS]


@pytest.mark.parametrize("po", SOURCES, ids=lambda po: f"{po.parent.parent.name}/{po.name}")
def test_each_committed_mo_says_what_its_po_says(po):
    """Edited a .po? `make messages` recompiles it; the .mo files are committed."""
    mo = compiled(po)
    assert mo.exists(), f"{mo} missing: run make messages"
    with mo.open("rb") as stream:
        catalogue = gettext.GNUTranslations(stream)
    assert catalogue.info()["plural-forms"] == "nplurals=1; plural=0;"
    assert catalogue.charset() == "UTF-8"
    entries = read_po(po)
    for entry in entries:
        assert not entry.fuzzy, f"{entry.msgid!r} is marked fuzzy: review it, then unmark it"
        assert entry.msgstr and all(entry.msgstr.values()), f"{entry.msgid!r} has no translation"
        expected = entry.msgstr[0]
        if entry.msgid_plural is None and entry.msgctxt is None:
            got = catalogue.gettext(entry.msgid)
        elif entry.msgid_plural is None:
            got = catalogue.pgettext(entry.msgctxt, entry.msgid)
        elif entry.msgctxt is None:
            got = catalogue.ngettext(entry.msgid, entry.msgid_plural, 2)
        else:
            got = catalogue.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, 2)
        assert got == expected, f"{mo.name} is older than {po.name} for {entry.msgid!r}"
    # Nothing the .po no longer has: its entries and the header.
    assert strings_in_mo(mo) == len(entries) + 1, f"{mo.name} is older than {po.name}"


def test_the_project_catalogue_is_what_django_uses():
    with translation.override("zh-hans"):
        assert (
            translation.gettext("The page could not be created due to validation errors.")
            == "页面未能创建：有填写错误，请按提示修改。"
        )
        assert translation.gettext("Autosave is paused") == "自动保存已暂停"
        assert translation.gettext("New: %(model_name)s") % {"model_name": "用户"} == "新建：用户"
        assert (
            translation.npgettext("naturaltime-past", "%(num)d day", "%(num)d days", 3) % {"num": 3}
            == "3 天"
        )
        # Wagtail's own translations stay where the project adds none.
        assert translation.gettext("Password") == "密码"


def installed_wagtail_catalogues(domain: str):
    for app_config in apps.get_app_configs():
        if app_config.name.split(".")[0] != "wagtail":
            continue
        source = Path(app_config.path) / "locale" / "en" / "LC_MESSAGES" / f"{domain}.po"
        if source.exists():
            yield app_config.name, source


def missing_from(catalogue: dict, sources) -> list[str]:
    missing = []
    for app_name, source in sources:
        for entry in read_po(source):
            key = entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"
            text = catalogue.get(key)
            if not text or (isinstance(text, list) and not all(text)):
                missing.append(f"{app_name}: {key!r}")
    return missing


def test_every_string_of_the_installed_wagtail_apps_has_chinese():
    """A Wagtail upgrade that brings new strings fails here until cms/locale translates them."""
    view = JavaScriptCatalog()
    view.translation = DjangoTranslation("zh-hans", domain="django")
    catalogue = view.get_catalog()
    assert missing_from(catalogue, installed_wagtail_catalogues("django")) == []


@pytest.mark.django_db
def test_every_string_of_the_admin_scripts_has_chinese(client):
    """What the admin's JavaScript shows comes from /admin/jsi18n/ (Wagtail's JavaScriptCatalog,
    to which Django adds LOCALE_PATHS' djangojs catalogues)."""
    script = client.get("/admin/jsi18n/").content.decode()
    start = script.index("const newcatalog = ") + len("const newcatalog = ")
    catalogue, _ = json.JSONDecoder().raw_decode(script, start)
    assert missing_from(catalogue, installed_wagtail_catalogues("djangojs")) == []
    assert catalogue["Autosave in progress…"] == "正在自动保存…"
