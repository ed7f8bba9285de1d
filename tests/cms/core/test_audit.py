"""Our audit-log actions are registered with Wagtail, so the admin's history names them."""

import pytest
from wagtail.log_actions import registry

from cms.consultation.wagtail_hooks import LOG_ACTIONS as CONSULTATION_ACTIONS
from cms.notices.wagtail_hooks import LOG_ACTIONS as NOTICE_ACTIONS
from cms.objections.wagtail_hooks import LOG_ACTIONS as OBJECTION_ACTIONS

ACTIONS = {**NOTICE_ACTIONS, **OBJECTION_ACTIONS, **CONSULTATION_ACTIONS}


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_each_action_has_its_label_in_the_history(action):
    label, _message = ACTIONS[action]
    assert registry.action_exists(action)
    assert registry.get_action_label(action) == label
