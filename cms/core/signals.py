"""Every publish or unpublish asks for a portal rebuild (run by the task worker); deletions and
moves of any page pass the gate, whatever started them."""

from django.db.models.signals import pre_delete
from django.dispatch import receiver
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished, pre_page_move

from . import gate
from .tasks import request_portal_rebuild


@receiver(page_published)
def rebuild_after_publish(sender, instance, **kwargs):
    request_portal_rebuild(f"发布：{instance.title}")


@receiver(page_unpublished)
def rebuild_after_unpublish(sender, instance, **kwargs):
    request_portal_rebuild(f"取消发布：{instance.title}")


@receiver(pre_delete)
def refuse_deleting_what_was_public(sender, instance, **kwargs):
    """Runs inside the deletion's transaction, for each page deleted (descendants included)."""
    if isinstance(instance, Page) and (errors := gate.change_errors(instance, gate.DELETE)):
        raise gate.GateError(errors)


@receiver(pre_page_move)
def refuse_moving_what_was_public(sender, instance, url_path_before, url_path_after, **kwargs):
    if url_path_before != url_path_after:
        gate.ensure_allowed(instance, gate.MOVE)
