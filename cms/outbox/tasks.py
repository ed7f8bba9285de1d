"""The task that sends the outbox's due mail (run by ``manage.py db_worker``)."""

from django_tasks import task

from . import delivery


@task()
def send_due_mail() -> dict[str, int]:
    """Sends every mail that is due (:func:`cms.outbox.delivery.send_due`)."""
    return delivery.send_due()
