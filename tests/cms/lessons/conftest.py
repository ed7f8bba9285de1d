"""A lessons index (made by the seed command), a published notice to relate reports to, and a
factory for failure reports."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from cms.lessons.models import LessonIndexPage, LessonPage

from ..notices.conftest import approver, editor, make_notice, notice_index  # noqa: F401

REPORT = {
    "field_of_study": "材料科学",
    "programme": "key_rd",
    "start_year": 2021,
    "end_year": 2024,
    "summary": "界面副反应和枝晶生长无法同时抑制，关键指标未达到。",
    "approach": "采用原位聚合方法构建复合界面层，先后尝试三类聚合物骨架。",
    "failure_analysis": "高电流密度下两种失效机制相互制约，现有条件无法在工况下观察界面。",
    "lessons": "立项时应把原位表征能力作为前置条件。",
    "scientific_value": "失败数据完整，排除了若干材料体系，对后续研究有借鉴价值。",
}


@pytest.fixture
def lesson_index(seeded) -> LessonIndexPage:
    return LessonIndexPage.objects.get()


@pytest.fixture
def related_notice(make_notice):  # noqa: F811
    """Live, with items led by 张三 (某大学, ZJ2026-001) and 李四 (某研究院, ZJ2026-002)."""
    return make_notice(publish=True)


@pytest.fixture
def make_lesson(lesson_index):
    counter = iter(range(1, 1000))

    def make(publish=False, **fields) -> LessonPage:
        number = next(counter)
        lesson = LessonPage(
            title=fields.pop("title", f"第{number}份失败经验总结"),
            slug=fields.pop("slug", f"lesson-{number}"),
            **{**REPORT, **fields},
        )
        lesson_index.add_child(instance=lesson)
        revision = lesson.save_revision()
        if publish:
            revision.publish()
            lesson.refresh_from_db()
        return lesson

    return make


@pytest.fixture
def objection_handler(db):
    user = get_user_model().objects.create_user("handler", "h@example.invalid", "pw")
    user.groups.add(Group.objects.get(name="异议处理"))
    return user
