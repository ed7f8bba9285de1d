"""统计 against a live CMS: an objection received and upheld reaches the statistics through an
incremental export (the notice's version changes with its counts, so it is fetched again), and
changes the statistics page's source alone: the counts are not on the notice's own page."""

import json
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from cms.notices.models import DecisionNoticePage
from cms.objections.models import Objection
from portal.client import CMSClient
from portal.export import export_site

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _objections(generated: Path) -> dict[str, tuple]:
    source = json.loads((generated / "statistics.json").read_text(encoding="utf-8"))
    rows = source["cms"]["data"]["rows"]
    return {
        row["category"]: row["value"]
        for row in rows
        if row["figure"] == "objections" and row["measure"] == "upheld"
    }


def test_an_upheld_objection_reaches_the_statistics_in_an_incremental_export(live_server, tmp_path):
    with open("/dev/null", "w") as quiet:
        call_command("load_seed_policy", stdout=quiet)
        call_command("load_demo_notices", stdout=quiet)
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content" / "pages", content / "pages")
    export_site(CMSClient(live_server.url), content)
    generated = content / "generated"
    assert _objections(generated) == {}  # the demo has no objection

    notice = DecisionNoticePage.objects.get(notice_number="示例-2026-01")
    Objection.objects.create(
        notice=notice, item=notice.items.first(), receipt_number="YY-STAT-1",
        lookup_code_hash="x", consented_at=timezone.now(), objector_type="individual",
        content="该事项的项目承担单位与事实不符，请核实。", status="answered", outcome="upheld",
        real_name="王异议",
    )  # fmt: skip
    exported = export_site(CMSClient(live_server.url), content)

    assert exported.written.written == ["statistics.json"]
    month = notice.publicity_start.isoformat()[:7]
    assert _objections(generated) == {month: 1, "total": 1}
    assert "王异议" not in (generated / "statistics.json").read_text(encoding="utf-8")
