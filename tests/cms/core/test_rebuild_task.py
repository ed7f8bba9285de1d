import sys

import pytest
from django.test import override_settings

from cms.core.models import PortalBuild
from cms.core.tasks import rebuild_portal, request_portal_rebuild

pytestmark = pytest.mark.django_db


@override_settings(PORTAL_BUILD_COMMAND=[sys.executable, "-c", "print('built')"])
def test_a_publish_request_runs_the_build_command_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        build = request_portal_rebuild("发布：测试")
        assert build.started_at is None  # nothing runs inside the requesting transaction
    assert len(callbacks) == 1
    build.refresh_from_db()
    assert build.succeeded is True
    assert "built" in build.output
    assert build.duration_seconds is not None


@override_settings(PORTAL_BUILD_COMMAND=[sys.executable, "-c", "import sys; sys.exit(3)"])
def test_a_failed_build_is_recorded_as_failed():
    build = PortalBuild.objects.create(reason="测试")
    assert rebuild_portal.call(build.pk) is False
    build.refresh_from_db()
    assert build.succeeded is False
