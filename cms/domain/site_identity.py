"""What a government website must carry besides its content (政府网站发展指引, 国办发〔2017〕47号):
its identifiers in every page's footer, each linking to its public record, and its sponsor's
public contact details. Plain Python: the format each value must have, and the addresses the
portal links them to.

- 网站标识码 (site code): 10 digits, given by the government websites' register; the link to
  report an error on the site (我为政府网站找错) carries it.
- ICP 备案编号: ``浙ICP备12345678号`` or ``浙ICP备12345678号-1``; links to the MIIT record search.
- 公安机关备案号: ``浙公网安备 33010602000001号`` (the space is optional); links to its record on
  the public-security record site.
- 党政机关网站标识: the address of the site's registration record (on conac.cn).
- the office's phone (a landline with its area code, or a 400/800 service number: never a
  person's mobile), e-mail and postcode.

:func:`check` says what is wrong with one value, as a :class:`~cms.domain.errors.GuardError` on
its field (Chinese and English); the settings model, its admin form and the read API call it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final
from urllib.parse import urlencode, urlsplit

from cms.domain.errors import GuardError

__all__ = [
    "CHECKED_FIELDS",
    "ICP_RECORD_URL",
    "MESSAGES",
    "check",
    "error_report_url",
    "public_security_record_url",
]

#: The provinces' one-character names, as record numbers begin.
PROVINCES: Final = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"

SITE_CODE: Final = re.compile(r"^\d{10}$", re.ASCII)
ICP_NUMBER: Final = re.compile(rf"^[{PROVINCES}]ICP备\d{{6,10}}号(?:-\d{{1,3}})?$", re.ASCII)
PUBLIC_SECURITY_NUMBER: Final = re.compile(rf"^[{PROVINCES}]公网安备 ?(\d{{14}})号$", re.ASCII)
POSTCODE: Final = re.compile(r"^\d{6}$", re.ASCII)
# Digits are ASCII digits (re.ASCII): a full-width or other script's digit is refused, not read.
# A landline with its area code (0571-87654321, 057187654321, an extension after "-"), or a
# service number (400-123-4567). Spaces and brackets around the area code are read through.
OFFICE_PHONE: Final = re.compile(
    r"^(?:0\d{2,3}-?\d{7,8}(?:-\d{1,6})?|[48]00-?\d{3}-?\d{4})$", re.ASCII
)
MOBILE_PHONE: Final = re.compile(r"^(?:\+?86-?)?1[3-9]\d{9}$", re.ASCII)
_PHONE_NOISE: Final = re.compile(r"[\s()（）]")
_EMAIL: Final = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$",
    re.ASCII,
)
CONAC_DOMAIN: Final = "conac.cn"

ICP_RECORD_URL: Final = "https://beian.miit.gov.cn/"
PUBLIC_SECURITY_SEARCH: Final = "https://beian.mps.gov.cn/#/query/webSearch?code="
ERROR_REPORT_PAGE: Final = "https://zfwzzc.www.gov.cn/check_web/errorInfo/jcInfoNew"

# fmt: off
MESSAGES: Final[Mapping[str, tuple[str, str]]] = MappingProxyType({
    "invalid_site_code": (
        "网站标识码应为10位数字，如 3300000001。",
        "The website identifier code is 10 digits, e.g. 3300000001."),
    "invalid_icp_number": (
        "ICP备案编号格式不正确，应如“浙ICP备12345678号”或“浙ICP备12345678号-1”"
        "（省份简称、ICP备、编号数字、号，数字用半角）。",
        "The ICP record number is not valid: it reads like 浙ICP备12345678号 or "
        "浙ICP备12345678号-1."),
    "invalid_public_security_number": (
        "公安机关备案号格式不正确，应如“浙公网安备 33010602000001号”"
        "（省份简称、公网安备、14位数字、号，数字用半角）。",
        "The public-security record number is not valid: it reads like "
        "浙公网安备 33010602000001号 (14 digits)."),
    "invalid_phone": (
        "联系电话格式不正确：请填写带区号的办公电话，如 0571-87654321（分机号用“-”连接），"
        "或 400、800 服务电话。",
        "The phone number is not valid: give an office landline with its area code, e.g. "
        "0571-87654321, or a 400/800 service number."),
    "mobile_phone": (
        "请填写单位的办公电话，不要填写个人手机号码：本站公开的是单位的联系方式。",
        "Give the office's landline, not a personal mobile number: the site publishes the "
        "office's contact details."),
    "invalid_email": (
        "电子邮箱格式不正确，应如 office@example.gov.cn。",
        "The e-mail address is not valid, e.g. office@example.gov.cn."),
    "invalid_postcode": (
        "邮政编码应为6位数字，如 310006。",
        "The postcode is 6 digits, e.g. 310006."),
    "invalid_conac_url": (
        "党政机关网站标识链接应为本站在党政机关网站标识管理系统中的注册信息网址，"
        "以 https://bszs.conac.cn/ 开头。",
        "The government website badge link is the address of the site's registration record "
        "on conac.cn, e.g. https://bszs.conac.cn/…"),
})
# fmt: on


def _phone_error(value: str) -> str | None:
    compact = _PHONE_NOISE.sub("", value)
    if MOBILE_PHONE.match(compact):
        return "mobile_phone"
    return None if OFFICE_PHONE.match(compact) else "invalid_phone"


def _email_error(value: str) -> str | None:
    return None if len(value) <= 254 and _EMAIL.match(value) else "invalid_email"


def _conac_error(value: str) -> str | None:
    try:
        parts = urlsplit(value)
    except ValueError:
        return "invalid_conac_url"
    host = (parts.hostname or "").lower()
    on_conac = host == CONAC_DOMAIN or host.endswith(f".{CONAC_DOMAIN}")
    plain = not (parts.username or parts.password) and " " not in value
    ok = parts.scheme in ("http", "https") and on_conac and plain
    return None if ok else "invalid_conac_url"


def _pattern(pattern: re.Pattern[str], code: str):
    return lambda value: None if pattern.match(value) else code


#: The fields whose format is checked, each with what finds the error code of a wrong value.
_CHECKS: Final = MappingProxyType({
    "site_code": _pattern(SITE_CODE, "invalid_site_code"),
    "icp_number": _pattern(ICP_NUMBER, "invalid_icp_number"),
    "public_security_number": _pattern(PUBLIC_SECURITY_NUMBER, "invalid_public_security_number"),
    "phone": _phone_error,
    "email": _email_error,
    "postcode": _pattern(POSTCODE, "invalid_postcode"),
    "conac_url": _conac_error,
})  # fmt: skip
CHECKED_FIELDS: Final = frozenset(_CHECKS)


def check(field: str, value: str) -> GuardError | None:
    """What is wrong with ``value`` for ``field`` (None when it is right, or empty: every value
    is optional, and an empty one is not shown)."""
    value = (value or "").strip()
    if not value or field not in _CHECKS:
        return None
    code = _CHECKS[field](value)
    return GuardError.of(code, field=field, messages=MESSAGES) if code else None


def public_security_record_url(number: str) -> str:
    """The record of ``浙公网安备 33010602000001号`` on the public-security record site ("" for a
    number that is not one)."""
    match = PUBLIC_SECURITY_NUMBER.match((number or "").strip())
    return f"{PUBLIC_SECURITY_SEARCH}{match.group(1)}" if match else ""


def error_report_url(site_code: str, page_url: str = "") -> str:
    """我为政府网站找错: the government's error-report form for the site of ``site_code``, about
    ``page_url`` when given ("" for a code that is not one)."""
    code = (site_code or "").strip()
    if not SITE_CODE.match(code):
        return ""
    query = {"siteCode": code, **({"url": page_url} if page_url else {})}
    return f"{ERROR_REPORT_PAGE}?{urlencode(query)}"
