"""The task that queues immediate alerts once a portal build has made their events live."""

from django_tasks import task

from . import services


@task()
def send_alerts() -> int:
    """Queues the alerts of every live event not yet sent (:func:`services.fan_out`)."""
    return services.fan_out()
