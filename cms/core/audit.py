"""Our own entries in Wagtail's audit log (notices.finalise, objections.answer, …)."""

from collections.abc import Mapping

from wagtail import hooks


def register_log_actions(log_actions: Mapping[str, tuple[str, str]]) -> None:
    """Registers each action with its label and its message in the admin's history."""

    @hooks.register("register_log_actions")
    def register(actions):
        for action, (label, message) in log_actions.items():
            actions.register_action(action, label, message)
