"""Every publish or unpublish asks for a portal rebuild (run by the task worker)."""

from django.dispatch import receiver
from wagtail.signals import page_published, page_unpublished

from .tasks import request_portal_rebuild


@receiver(page_published)
def rebuild_after_publish(sender, instance, **kwargs):
    request_portal_rebuild(f"发布：{instance.title}")


@receiver(page_unpublished)
def rebuild_after_unpublish(sender, instance, **kwargs):
    request_portal_rebuild(f"取消发布：{instance.title}")
