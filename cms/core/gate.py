"""One gate for every change of a page's state, whatever starts it.

Wagtail changes a page through many doors: admin buttons and bulk actions, workflow steps,
scheduled publishing, revert, copy, move, unpublish, delete, the shell. Each door ends in one
of a few places, and the gate stands in each of them:

- the permission tester (:class:`GatedPagePermissionTester`): what the admin offers, what bulk
  actions and Wagtail's action classes allow a user;
- ``pre_save`` of any page (:func:`check_save`): a publication or an unpublication, whoever
  makes it, also through a plain ``Page``;
- ``pre_delete``, ``pre_page_move`` and the logging of a deletion (cms/core/signals.py):
  deletion, also of an ancestor, and moves, also without a user;
- the admin's ``before_publish_page`` hook (cms/core/wagtail_hooks.py): the same publish guard,
  answered with its message before Wagtail's action runs.

What a page type forbids is its own: ``permanent_once_public`` (never unpublished, deleted or
moved once it has been live: notices and policies), ``copyable`` and
:meth:`HeadlessPage.gate_publish_errors` (the rules a publication must pass).
"""

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from wagtail.models import Page, PagePermissionTester, get_page_models

from cms.domain.errors import GuardError

UNPUBLISH, DELETE, MOVE, COPY = "unpublish", "delete", "move", "copy"
_PERMANENT_ACTIONS = {UNPUBLISH: "ever_public_unpublish", DELETE: "ever_public_delete",
                      MOVE: "ever_public_move"}  # fmt: skip


class GateError(PermissionDenied):
    """Raised where the gate stops a change; carries every :class:`GuardError`."""

    def __init__(self, errors: list[GuardError]):
        self.errors = errors
        super().__init__("；".join(error.message for error in errors))


def _kind(page_class) -> dict[str, str]:
    meta = page_class._meta
    return {"kind": str(meta.verbose_name), "kind_en": getattr(page_class, "kind_en", "page")}


def change_errors(page: Page, action: str) -> list[GuardError]:
    """Why ``action`` (unpublish, delete, move, copy) may not happen to this page itself."""
    page_class = page.specific_class
    if page_class is None:
        return []
    if action == COPY:
        if getattr(page_class, "copyable", True):
            return []
        return [GuardError.of("copy_not_offered", **_kind(page_class))]
    if getattr(page_class, "permanent_once_public", False) and page.first_published_at:
        return [GuardError.of(_PERMANENT_ACTIONS[action], **_kind(page_class))]
    return []


def permanent_classes() -> list[type[Page]]:
    return [model for model in get_page_models() if getattr(model, "permanent_once_public", False)]


def subtree_change_errors(page: Page, action: str) -> list[GuardError]:
    """``change_errors`` of the page and of every descendant that would go with it."""
    if errors := change_errors(page, action):
        return errors
    if page.is_leaf():
        return []
    from django.contrib.contenttypes.models import ContentType

    types = ContentType.objects.get_for_models(*permanent_classes()).values()
    kept = (
        page.get_descendants()
        .filter(content_type__in=list(types), first_published_at__isnull=False)
        .first()
    )
    return change_errors(kept, action) if kept else []


def ensure_allowed(page: Page, action: str) -> None:
    if errors := subtree_change_errors(page, action):
        raise GateError(errors)


def publish_errors(page, now: datetime, *, was_published: bool) -> list[GuardError]:
    hook = getattr(page, "gate_publish_errors", None)
    return hook(now, was_published=was_published) if hook else []


def check_create(page) -> None:
    """A page that may not be copied is never created live, already published (a copy made
    with ``keep_live``): it goes live only through its publication and guards."""
    page_class = type(page)
    if getattr(page_class, "copyable", True) or not (page.live and page.first_published_at):
        return
    raise GateError([GuardError.of("never_created_live", **_kind(page_class))])


def check_save(page) -> None:
    """The backstop at ``pre_save``: compares the row as stored with what is about to be saved.

    Going live, or a new live revision, must pass the page's publish guard (with its state as
    it was before this save); going off line must be allowed for the page.
    """
    stored = (
        type(page)
        .objects.filter(pk=page.pk)
        .values("live", "live_revision_id", "first_published_at")
        .first()
    )
    if stored is None:
        return
    if stored["live"] and not page.live:
        page_then = Page(pk=page.pk, first_published_at=stored["first_published_at"])
        page_then.content_type_id = page.content_type_id
        if errors := change_errors(page_then, UNPUBLISH):
            raise GateError(errors)
    publishing = page.live and page.live_revision_id != stored["live_revision_id"]
    if publishing or (page.live and not stored["live"]):
        was_published = stored["first_published_at"] is not None
        if errors := publish_errors(page, timezone.now(), was_published=was_published):
            raise GateError(errors)


class GatedPagePermissionTester(PagePermissionTester):
    """Wagtail's tester, less what the gate refuses: the admin neither offers nor allows it."""

    def can_unpublish(self):
        return super().can_unpublish() and not change_errors(self.page, UNPUBLISH)

    def can_delete(self, ignore_bulk=False):
        return super().can_delete(ignore_bulk) and not subtree_change_errors(self.page, DELETE)

    def can_move(self):
        return super().can_move() and not change_errors(self.page, MOVE)

    def can_move_to(self, destination):
        if not self.page.is_child_of(destination) and change_errors(self.page, MOVE):
            return False
        return super().can_move_to(destination)

    def can_copy(self):
        return super().can_copy() and not change_errors(self.page, COPY)
