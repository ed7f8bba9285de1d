"""Background work: rebuilding the static portal, outside any editor's request."""

import logging
import subprocess

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from .models import PortalBuild

logger = logging.getLogger(__name__)


@task()
def rebuild_portal(build_id: int) -> bool:
    """Runs the configured build command (by default ``python -m portal build``)."""
    build = PortalBuild.objects.get(pk=build_id)
    build.started_at = timezone.now()
    if PortalBuild.objects.filter(pk__gt=build_id, started_at__isnull=True).exists():
        # A later request will build everything this one would: coalesce into it.
        build.finished_at, build.output = build.started_at, "superseded by a later request"
        build.save()
        return False
    command = settings.PORTAL_BUILD_COMMAND
    if not command:
        build.finished_at, build.succeeded = timezone.now(), None
        build.output = "PORTAL_BUILD_COMMAND is empty: automatic builds are off."
        build.save()
        return False
    # The build speaks Chinese (and "…"): read as UTF-8 whatever the worker's locale.
    completed = subprocess.run(
        command,
        capture_output=True,
        encoding="utf-8",
        errors="replace",
        check=False,
        cwd=settings.BASE_DIR,
        timeout=1800,
    )
    build.finished_at = timezone.now()
    build.succeeded = completed.returncode == 0
    build.output = (completed.stdout + completed.stderr)[-10000:]
    build.save()
    log = logger.info if build.succeeded else logger.error
    log("portal build %s: %s (%s)", build.pk, "ok" if build.succeeded else "failed", build.reason)
    return build.succeeded


def request_portal_rebuild(reason: str) -> PortalBuild:
    """Records the request and enqueues the build once the current transaction commits."""
    build = PortalBuild.objects.create(reason=reason[:200])
    transaction.on_commit(lambda: rebuild_portal.enqueue(build.pk))
    return build
