"""Fills the site's identity (网站标识与联系方式) with sample values for the demo, each field only
while it is empty: running it again, or after an editor set a value, changes nothing set."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from wagtail.models import Site

from cms.core.models import SiteIdentity
from cms.core.site_identity import MARKED_SAMPLES, fill_samples


class Command(BaseCommand):
    help = (
        "为演示填入网站标识与联系方式的示例值（门户上标注“示例”），只填空白项，不覆盖已填写的内容。"
    )

    @transaction.atomic
    def handle(self, *args, **options):
        site = Site.objects.filter(is_default_site=True).first()
        if site is None:
            raise CommandError("没有默认站点，请先运行 load_seed_policy。")
        identity = SiteIdentity.for_site(site)
        filled = fill_samples(identity)
        if not filled:
            self.stdout.write("网站标识与联系方式均已填写，未作改动。")
            return
        identity.save(update_fields=filled)
        labels = "、".join(str(SiteIdentity._meta.get_field(name).verbose_name) for name in filled)
        self.stdout.write(f"已填入示例值：{labels}")
        if MARKED_SAMPLES & set(filled):
            self.stdout.write(
                "门户页脚把网站标识码、备案编号等示例值标注为“示例值”；"
                "请在后台“设置 → 网站标识与联系方式”中改为真实信息。"
            )
