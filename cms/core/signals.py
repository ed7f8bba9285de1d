"""Every publish or unpublish, and every change of the site's identity (the footer every page
carries), asks for a portal rebuild (run by the task worker); saves, deletions and moves of any
page pass the gate (cms/core/gate.py), whatever started them and whether the page is held as its
own class or as a plain ``Page``."""

from datetime import timedelta

from django.db.models.signals import post_save, pre_delete, pre_save
from django.dispatch import receiver
from django.utils import timezone
from wagtail.models import Page, PageLogEntry
from wagtail.signals import page_published, page_unpublished, pre_page_move

from . import gate
from .models import SiteIdentity
from .site_identity import public_values
from .tasks import request_portal_rebuild


@receiver(page_published)
def rebuild_after_publish(sender, instance, **kwargs):
    request_portal_rebuild(f"发布：{instance.title}")


@receiver(page_unpublished)
def rebuild_after_unpublish(sender, instance, **kwargs):
    request_portal_rebuild(f"取消发布：{instance.title}")


@receiver(pre_save, sender=SiteIdentity)
def remember_the_public_identity(sender, instance, raw=False, **kwargs):
    """What the portal showed of the site's identity before this save."""
    stored = None if raw or instance.pk is None else sender.objects.filter(pk=instance.pk).first()
    instance._public_before = public_values(stored)


@receiver(post_save, sender=SiteIdentity)
def rebuild_after_identity_change(sender, instance, raw=False, **kwargs):
    """A change the portal shows (every page's footer) asks for a rebuild; a save that changes
    nothing it shows (the empty row the settings screen makes on first opening) does not."""
    if raw:
        return
    if public_values(instance) != getattr(instance, "_public_before", None):
        request_portal_rebuild(f"修改{sender._meta.verbose_name}")


@receiver(pre_delete)
def refuse_deleting_what_was_public(sender, instance, **kwargs):
    """Runs inside the deletion's transaction, for each page deleted (descendants included)."""
    if isinstance(instance, Page) and (errors := gate.change_errors(instance, gate.DELETE)):
        raise gate.GateError(errors)


@receiver(pre_page_move)
def refuse_moving_what_was_public(sender, instance, url_path_before, url_path_after, **kwargs):
    if url_path_before != url_path_after:
        gate.ensure_allowed(instance, gate.MOVE)


@receiver(pre_save)
def gate_on_save(sender, instance, update_fields=None, raw=False, **kwargs):
    """A publication or an unpublication, from any code: compared with the row as stored."""
    if raw or not isinstance(instance, Page):
        return
    if instance._state.adding:
        gate.check_create(instance)
    elif update_fields is None or {"live", "live_revision"} & set(update_fields):
        gate.check_save(instance)


@receiver(pre_save, sender=PageLogEntry)
def refuse_logging_a_deletion_the_gate_refuses(sender, instance, **kwargs):
    """Wagtail logs a page's deletion before deleting it (outside a transaction when called from
    code): refusing here leaves no log entry for a page that stays."""
    if instance.action != "wagtail.delete" or instance.page_id is None:
        return
    page = Page.objects.filter(pk=instance.page_id).first()
    if page is not None and (errors := gate.change_errors(page, gate.DELETE)):
        # A deletion of an ancestor logs the descendants before this one: those entries are for
        # pages that stay, so they go too (a deletion that goes ahead removes its pages first
        # in its own transaction, and a page that still exists was not deleted).
        recent = timezone.now() - timedelta(minutes=5)
        PageLogEntry.objects.filter(
            action="wagtail.delete",
            timestamp__gte=recent,
            page_id__in=Page.objects.values("pk"),
        ).delete()
        raise gate.GateError(errors)
