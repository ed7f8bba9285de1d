"""The site's identity as the portal shows it in every page's footer: its sponsor and public
contact details, its identifiers and the links to their records (the rules:
:mod:`cms.domain.site_identity`); the validators the settings model's fields use; and the sample
values ``manage.py load_demo_site_identity`` fills in for the demo.

Only the office's public contact details leave the CMS: the read API gives :func:`public_data`,
the fields below and the links made from them, nothing else of the settings row.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

from cms.domain import site_identity as rules

#: The settings' fields the portal shows, in the order the footer names them.
CONTACT_FIELDS = ("sponsor", "organizer", "address", "postcode", "phone", "email", "office_hours")
IDENTIFIER_FIELDS = ("site_code", "icp_number", "public_security_number", "conac_url")
PUBLIC_FIELDS = CONTACT_FIELDS + IDENTIFIER_FIELDS

#: What the demo fills into empty fields. The sponsor is the department the seed policy is of (the
#: name the portal's settings stated before); every other value is made up. A sample that can say
#: so says 示例 itself; one whose format cannot (a number, an address on the web) is named in the
#: read API's ``samples``, and the portal marks it 示例值.
SAMPLE_VALUES = {
    "sponsor": "浙江省科学技术厅",
    "organizer": "浙江省科学技术厅监督评估处（示例）",
    "address": "浙江省杭州市示例路1号（示例地址，请勿寄送）",
    "postcode": "310000",
    "phone": "0571-00000001",
    "email": "site@example.invalid",
    "office_hours": "（示例）工作日 8:30—12:00，14:30—17:30",
    "site_code": "3300000000",
    "icp_number": "浙ICP备00000000号-1",
    "public_security_number": "浙公网安备 33000000000000号",
    "conac_url": "https://bszs.conac.cn/sitename?method=show&id=00000000000000000000000000000000",
}
#: The sample values that cannot say 示例 themselves.
MARKED_SAMPLES = frozenset(
    name for name, value in SAMPLE_VALUES.items() if name != "sponsor" and "示例" not in value
)


@deconstructible
class FormatValidator:
    """A field's format rule (:func:`cms.domain.site_identity.check`) as a Django validator, with
    the rule's Chinese message on the field."""

    def __init__(self, field: str):
        if field not in rules.CHECKED_FIELDS:
            raise ValueError(f"no format rule for {field!r}")
        self.field = field

    def __call__(self, value: str) -> None:
        if error := rules.check(self.field, value):
            raise ValidationError(error.message, code=error.code)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FormatValidator) and other.field == self.field

    def __hash__(self) -> int:
        return hash(self.field)


def public_values(identity: Any) -> dict[str, str]:
    """Each public field's value (stripped; "" for one not set, or whose format is wrong, as a
    value saved around the form might be); all "" for no settings row."""
    values = {}
    for name in PUBLIC_FIELDS:
        value = str(getattr(identity, name, "") or "").strip() if identity is not None else ""
        values[name] = "" if rules.check(name, value) else value
    return values


def public_data(identity: Any, portal_url: str) -> dict[str, Any]:
    """What the read API gives of the site's identity: the public fields, the links to the
    identifiers' records (the error-report link about the portal at ``portal_url``), and which
    values are samples the portal must mark."""
    values = public_values(identity)
    portal_home = portal_url.rstrip("/") + "/"
    return {
        **values,
        "icp_url": rules.ICP_RECORD_URL if values["icp_number"] else "",
        "public_security_url": rules.public_security_record_url(values["public_security_number"]),
        "error_report_url": rules.error_report_url(values["site_code"], portal_home),
        "samples": sorted(
            name for name in MARKED_SAMPLES if values[name] and values[name] == SAMPLE_VALUES[name]
        ),
    }


def fill_samples(identity: Any) -> list[str]:
    """Puts each field's sample value into ``identity`` where the field is empty, never over a
    value an editor set; returns the fields filled (the caller saves them)."""
    filled = [name for name in PUBLIC_FIELDS if not str(getattr(identity, name) or "").strip()]
    for name in filled:
        setattr(identity, name, SAMPLE_VALUES[name])
    return filled
