"""Creates the fixed top of the page tree (root → home) and points the default Site at it."""

from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from wagtail.models import Page, Site

from cms.core.models import HomePage

HOME_TITLE = "科技创新容错免责公示平台"
HOME_INTRODUCTION = (
    "本平台公开浙江省科技创新容错免责政策文件、申报指南和认定结果公示。"
    "公示期内，任何单位和个人可对公示事项提出异议。"
)


@transaction.atomic
def ensure_home() -> HomePage:
    """The site's home page, replacing Wagtail's placeholder welcome page on first run."""
    home = HomePage.objects.first()
    root = Page.get_first_root_node() or Page.add_root(title="Root", slug="root")
    if home is None:
        # Wagtail's own welcome page (a plain Page) is a placeholder: replace it.
        for placeholder in root.get_children():
            if placeholder.specific_class is Page:
                placeholder.delete()
        home = HomePage(title=HOME_TITLE, slug="home", introduction=HOME_INTRODUCTION)
        root.add_child(instance=home)
        home.save_revision().publish()
    base = urlsplit(settings.CMS_BASE_URL)
    port = base.port or (443 if base.scheme == "https" else 80)
    site = Site.objects.filter(is_default_site=True).first() or Site(is_default_site=True)
    changed = (site.hostname, site.port, site.root_page_id, site.site_name) != (
        base.hostname,
        port,
        home.pk,
        HOME_TITLE,
    )
    if changed:
        site.hostname, site.port, site.root_page, site.site_name = (
            base.hostname,
            port,
            home,
            HOME_TITLE,
        )
        site.save()
    return home
