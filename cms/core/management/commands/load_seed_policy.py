"""Loads the seed policy into the page tree. Running it again changes nothing."""

from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction

from cms.core.site_tree import ensure_home
from cms.guidance.seed import ensure_guidance
from cms.lessons.site_tree import ensure_lesson_index
from cms.notices.site_tree import ensure_notice_index
from cms.policies.models import PolicyIndexPage, PolicyPage, PolicyStatus
from cms.policies.seed_parser import parse_policy_text

SEED_FILE = Path(__file__).resolve().parents[3] / "policies" / "seed" / "exemption_policy_draft.txt"
POLICY_SLUG = "exemption-policy"
STATUS_BY_TEXT = {str(label): value for value, label in PolicyStatus.choices}


class Command(BaseCommand):
    help = "载入种子政策文件《关于构建科技创新容错免责机制的实施意见（试行）》（幂等）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="覆盖已被编辑过的政策页面 (overwrite a policy page that editors have changed)",
        )

    @transaction.atomic
    def handle(self, *args, force=False, **options):
        home, page, parsed = self._load_policy(force)
        # The guidance page (申报指南) and its FAQ are written from the same parsed policy.
        for message in ensure_guidance(home, page, parsed, force=force):
            self.stdout.write(message)

    def _load_policy(self, force):
        home = ensure_home()
        ensure_lesson_index(home)
        index = PolicyIndexPage.objects.first()
        if index is None:
            index = PolicyIndexPage(
                title="政策文件", slug="policies", introduction="容错免责政策文件及其解读。"
            )
            home.add_child(instance=index)
            index.save_revision().publish()

        parsed = parse_policy_text(SEED_FILE.read_text(encoding="utf-8"))
        wanted = {
            "title": parsed.title,
            "issuing_body": parsed.issuing_body,
            "status": STATUS_BY_TEXT[parsed.status_text],
            "preamble": parsed.preamble,
        }
        body = parsed.stream_data()

        page = PolicyPage.objects.filter(slug=POLICY_SLUG).first()
        if page is None:
            page = PolicyPage(slug=POLICY_SLUG, body=body, **wanted)
            index.add_child(instance=page)
            page.save_revision().publish()
            ensure_notice_index(home, page)
            self.stdout.write(self.style.SUCCESS(f"已载入政策文件：{page.title}"))
            return home, page, parsed
        ensure_notice_index(home, page)
        current = {name: getattr(page, name) for name in wanted}
        if current == wanted and list(page.body.raw_data) == body:
            self.stdout.write(f"政策文件已是最新，未作改动：{page.title}")
            return home, page, parsed
        if not force:
            self.stdout.write(
                self.style.WARNING(
                    "政策文件已存在且内容不同（可能已被编辑），未覆盖；"
                    f"如需覆盖请加 --force：{page.title}"
                )
            )
            return home, page, parsed
        for name, value in wanted.items():
            setattr(page, name, value)
        page.body = body
        page.save_revision().publish()
        self.stdout.write(self.style.SUCCESS(f"已按种子文本覆盖政策文件：{page.title}"))
        return home, page, parsed
