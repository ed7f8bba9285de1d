"""The 公示公告 section of the page tree."""

from cms.notices.models import NoticeIndexPage

NOTICE_INDEX_INTRODUCTION = (
    "容错免责认定结果在此公示，公示期为7天（含首日，北京时间）。公示期内，"
    "任何单位和个人可对公示事项实名提出异议。"
)


def ensure_notice_index(home, policy) -> NoticeIndexPage:
    index = NoticeIndexPage.objects.first()
    if index is None:
        index = NoticeIndexPage(
            title="公示公告", slug="notices", introduction=NOTICE_INDEX_INTRODUCTION, policy=policy
        )
        home.add_child(instance=index)
        index.save_revision().publish()
    return index
