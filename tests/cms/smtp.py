"""A real SMTP server for the mail tests (aiosmtpd, on 127.0.0.1 and a port of its own), and
the settings that send to it through Django's SMTP backend, as production does."""

import email
import socket
from email import policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller


class Mailbox:
    """What the server received; ``refuse`` makes it refuse recipients (code and text)."""

    def __init__(self):
        self.envelopes = []
        self.refuse: tuple[int, str] | None = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse:
            code, text = self.refuse
            return f"{code} {text}"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list[EmailMessage]:
        """Each message received, parsed (headers decoded by the standard library)."""
        return [email.message_from_bytes(e.content, policy=policy.default) for e in self.envelopes]

    def raw(self, index: int = -1) -> bytes:
        return self.envelopes[index].content


class _AnyPortController(Controller):
    """aiosmtpd's Controller on a port the system picks (it needs the number to check itself)."""

    def _trigger_server(self):
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


def free_port() -> int:
    """A port nothing listens on (a connection to it is refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_settings(settings):
    """Django's SMTP backend, pointed at nothing yet (``smtp_server`` starts something)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 10
    return settings


class SmtpServer:
    """Starts and stops the server on demand (an outage, then the server back)."""

    def __init__(self, settings):
        self.settings = settings
        self.mailbox = Mailbox()
        self.controller: _AnyPortController | None = None

    def start(self) -> Mailbox:
        self.controller = _AnyPortController(self.mailbox, hostname="127.0.0.1", port=0)
        self.controller.start()
        self.settings.EMAIL_PORT = self.controller.port
        return self.mailbox

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None
        self.settings.EMAIL_PORT = free_port()


@pytest.fixture
def smtp_server(smtp_settings):
    """An SMTP server the test starts (``smtp_server.start()``) and may stop again."""
    server = SmtpServer(smtp_settings)
    yield server
    server.stop()


@pytest.fixture
def mailbox(smtp_server) -> Mailbox:
    """An SMTP server running for the whole test: what it received."""
    return smtp_server.start()
