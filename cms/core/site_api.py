"""``GET /api/v3/site/``: the site's identity, as every portal page's footer shows it.

The sponsor and the office's public contact details, the site's identifiers (网站标识码, ICP
备案编号, 公安机关备案号, the 党政机关网站标识 link) and the links to their records, from the
default site's settings (:class:`cms.core.models.SiteIdentity`); every value "" when not set.
Nothing else of the settings, and no one's personal data. Reading never writes: a site whose
settings were never saved reads as empty.
"""

from typing import Any

from django.conf import settings
from ninja import Router
from wagtail.models import Site

from .models import SiteIdentity
from .site_identity import public_data

router = Router(tags=["site"])


@router.get("/", response=dict[str, Any], url_name="site_identity", summary="Site identity")
def site_identity(request):
    """The default site's sponsor, public contact details and identifiers, with the links to
    their records (``icp_url``, ``public_security_url``, ``error_report_url``); ``samples``
    names the values that are demo samples (the portal marks them)."""
    site = Site.objects.filter(is_default_site=True).first()
    identity = SiteIdentity.objects.filter(site=site).first() if site else None
    return public_data(identity, settings.PORTAL_BASE_URL)
