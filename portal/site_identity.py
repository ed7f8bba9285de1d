"""The site's identity, which every page's footer shows (政府网站发展指引, 国办发〔2017〕47号): the
sponsor (主办单位) and the office's public contact details, the site's identifiers (网站标识码,
ICP 备案编号, 公安机关备案号, the 党政机关网站标识) and the links to their records, as the CMS's
read API gives them (``/api/v3/site/``).

The export keeps it beside the sources, in ``content/.site.json`` (:data:`IDENTITY_FILE`). It is
the one input every page shares: the ``site_data`` plugin gives it to every page's template, and
the build counts the file in the fingerprint of what shapes every page (see
:func:`portal.render.fingerprint`), so that a change to it renders every page again.

A value the CMS does not set is ``""``, and the footer leaves it out. Links are kept only when
they are web addresses (``http:``, ``https:``): nothing else the API might send becomes a link.
"""

import json
from pathlib import Path
from typing import Any

from .client import CMSClient
from .files import replace_file

IDENTITY_PATH = "/api/v3/site/"
IDENTITY_FILE = ".site.json"

#: The values shown as text, in the order the footer names them.
TEXT_FIELDS = (
    "sponsor", "organizer", "address", "postcode", "phone", "email", "office_hours",
    "site_code", "icp_number", "public_security_number",
)  # fmt: skip
#: The addresses the footer links to.
LINK_FIELDS = ("conac_url", "icp_url", "public_security_url", "error_report_url")
FIELDS = TEXT_FIELDS + LINK_FIELDS
WEB_SCHEMES = ("https://", "http://")


def empty() -> dict[str, Any]:
    """The identity of a site whose CMS sets nothing: no value, no link, no sample."""
    return {**dict.fromkeys(FIELDS, ""), "samples": []}


def _text(value: Any) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def identity_from(data: Any) -> dict[str, Any]:
    """The identity as the footer uses it, from the API's answer: each known field a string of
    one line ("" when missing or not a string), links only when they are web addresses, and
    ``samples`` the known fields the CMS says hold demo values."""
    data = data if isinstance(data, dict) else {}
    identity = empty()
    for name in TEXT_FIELDS:
        identity[name] = _text(data.get(name))
    for name in LINK_FIELDS:
        link = _text(data.get(name)).replace(" ", "")
        identity[name] = link if link.lower().startswith(WEB_SCHEMES) else ""
    samples = data.get("samples")
    samples = samples if isinstance(samples, list) else []
    identity["samples"] = sorted({name for name in samples if name in FIELDS and identity[name]})
    return identity


def fetch(client: CMSClient) -> dict[str, Any]:
    return identity_from(client.get_json(IDENTITY_PATH))


def identity_path(content_dir: Path) -> Path:
    return Path(content_dir) / IDENTITY_FILE


def identity_bytes(identity: dict[str, Any]) -> bytes:
    return (json.dumps(identity, ensure_ascii=False, sort_keys=True, indent=1) + "\n").encode()


def write(content_dir: Path, identity: dict[str, Any]) -> bool:
    """Keeps ``identity`` in the content directory; the file is replaced only when its bytes
    change. Returns whether they did."""
    path, data = identity_path(content_dir), identity_bytes(identity)
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass  # not written yet
    replace_file(path, data)
    return True


def read(content_dir: Path) -> dict[str, Any]:
    """The identity the export kept in ``content_dir`` (a build's, or a Pelican run's, whose
    content directory links it); :func:`empty` when there is none."""
    try:
        data = json.loads(identity_path(content_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return empty()
    return identity_from(data)
