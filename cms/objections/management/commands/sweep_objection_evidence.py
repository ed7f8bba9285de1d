from django.conf import settings
from django.core.management.base import BaseCommand

from cms.objections.staging import sweep


class Command(BaseCommand):
    help = (
        "清理证明材料目录：已提交而未就位的暂存文件移入原位；未提交的暂存文件和无记录指向的文件"
        "超过 OBJECTION_EVIDENCE_SWEEP_AGE_SECONDS 后删除。"
    )

    def handle(self, *args, **options):
        report = sweep()
        age = settings.OBJECTION_EVIDENCE_SWEEP_AGE_SECONDS
        self.stdout.write(
            f"证明材料：移入原位 {report.moved} 个；删除未提交的暂存文件 "
            f"{report.staged_removed} 个、无记录指向的文件 {report.orphans_removed} 个"
            f"（超过 {age} 秒）。"
        )
