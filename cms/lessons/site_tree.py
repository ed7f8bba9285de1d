"""The 失败经验总结 section of the page tree."""

from cms.lessons.models import LessonIndexPage

LESSON_INDEX_TITLE = "失败经验总结"
LESSON_INDEX_INTRODUCTION = (
    "经认定容错免责的科技计划项目，其承担人员须对失败原因进行深入分析、总结失败经验并形成书面报告；"
    "省科技厅评估失败科技计划的科学价值，为后续研究路径等提供借鉴（《实施意见》四（二））。"
    "本栏目发布的报告均已作脱敏处理，不含项目负责人、承担单位、项目编号和联系方式。"
)


def ensure_lesson_index(home) -> LessonIndexPage:
    """The section under the home page, created and published once (idempotent)."""
    index = LessonIndexPage.objects.first()
    if index is None:
        index = LessonIndexPage(
            title=LESSON_INDEX_TITLE, slug="lessons", introduction=LESSON_INDEX_INTRODUCTION
        )
        home.add_child(instance=index)
        index.save_revision().publish()
    return index
