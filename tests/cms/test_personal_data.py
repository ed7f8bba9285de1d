"""A submitter's identity never reaches a log or an error report, in any mode; embedded mode's
mail stays in private files; the content digest is keyed and blanked on purge; and the purge
also reaches submissions never answered. Identities are planted and then looked for."""

import datetime
import io
import logging
import os
import smtplib
import stat
from unittest import mock

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone
from django.utils.log import AdminEmailHandler

from cms.consultation.models import PolicyComment
from cms.consultation.services import purge_personal_data as purge_comments
from cms.objections.models import Objection
from cms.objections.services import purge_personal_data as purge_objections
from cms.outbox.models import OutgoingMail
from cms.settings import base as base_settings
from cms.settings import dev as dev_settings
from cms.submissions import rules

from .notices.conftest import move_start
from .objections import conftest as shared

# The objections' fixtures (tests/cms/objections/conftest.py): ``endpoint`` and ``submission``
# run a test against the objection API and the comment API.
api, endpoint, payload, comment_payload = (
    shared.api,
    shared.endpoint,
    shared.payload,
    shared.comment_payload,
)
item, open_notice, comment_policy = shared.item, shared.open_notice, shared.comment_policy
make_notice, notice_index, approver = shared.make_notice, shared.notice_index, shared.approver
fresh_rate_limits, private_evidence_dir = shared.fresh_rate_limits, shared.private_evidence_dir

pytestmark = pytest.mark.django_db
IDENTITY = {
    "real_name": "欧阳隐名",
    "organisation": "隐秘材料研究所",
    "phone": "13912345678",
    "email": "ouyang.hidden@example.invalid",
    "postal_address": "幽州市隐秘路88号",
}
IDEMPOTENCY_KEY = "planted-idempotency-key-7f3a"
SESSION_COOKIE = "planted-session-cookie-9c2e"


@pytest.fixture
def submission(endpoint, request) -> dict:
    """The endpoint's valid submission, by an organisation so that every identity field is set."""
    data = request.getfixturevalue(endpoint.payload_fixture)
    return {**data, endpoint.field("objector_type"): "organisation", **IDENTITY}


def _planted(text: str) -> list[str]:
    return [value for value in [*IDENTITY.values(), SESSION_COOKIE] if value in text]


def _logged(caplog) -> str:
    """Everything the captured records hold: messages, arguments and extras."""
    return caplog.text + "".join(repr(vars(record)) for record in caplog.records)


def _submit(api, endpoint, submission) -> dict:
    headers = {"HTTP_IDEMPOTENCY_KEY": IDEMPOTENCY_KEY}
    response = api.post(endpoint.url, submission, format="json", **headers)
    assert response.status_code == 201, response.json()
    return response.json()


def _age(model, days: int, *, answered: bool) -> None:
    then = timezone.now() - datetime.timedelta(days=days)
    model.objects.update(created_at=then, **({"answered_at": then} if answered else {}))


def _purge(endpoint) -> int:
    return purge_objections() if endpoint.kind == "objection" else purge_comments()


# --- logs ------------------------------------------------------------------------------------


def test_submitting_answering_and_purging_log_no_identity(
    api, endpoint, submission, approver, caplog, settings
):
    settings.OBJECTION_RETENTION_DAYS = 30
    command = f"purge_{endpoint.kind}_personal_data"
    with caplog.at_level(logging.DEBUG):
        receipt = _submit(api, endpoint, submission)
        _submit(api, endpoint, submission)  # a replay
        record = endpoint.model.objects.get()
        endpoint.answer(record, approver, "经核实，所述情况不成立。")
        _age(endpoint.model, 31, answered=True)
        call_command(command, stdout=(output := io.StringIO()))
    assert mail.outbox[-1].to == [IDENTITY["email"]]  # the answer went out
    assert "已清除 1 件" in output.getvalue()
    logged = _logged(caplog)
    assert receipt["receipt_number"] in logged
    assert _planted(logged + output.getvalue()) == []
    assert IDEMPOTENCY_KEY not in logged and receipt["lookup_code"] not in logged


def test_in_embedded_mode_sql_with_its_parameters_is_never_logged(
    api, endpoint, submission, caplog, settings
):
    """DEBUG on, as ``make run`` has it, and every logger at DEBUG, Django's too, but those
    cms/settings/base.py pins (the test settings configure none): Django would log each query
    with its parameters."""
    settings.DEBUG = True
    pinned = {name: config["level"] for name, config in base_settings.LOGGING["loggers"].items()}
    loggers = {name: logging.getLogger(name) for name in ["django", *pinned]}
    saved = {name: logger.level for name, logger in loggers.items()}
    loggers["django"].setLevel(logging.DEBUG)
    for name, level in pinned.items():
        loggers[name].setLevel(level)
    try:
        with caplog.at_level(logging.DEBUG):
            receipt = _submit(api, endpoint, submission)
    finally:
        for name, level in saved.items():
            loggers[name].setLevel(level)
    logged = _logged(caplog)
    assert receipt["receipt_number"] in logged
    assert _planted(logged) == []


def test_an_answer_mail_refused_is_logged_without_the_address(
    api, endpoint, submission, approver, caplog
):
    """An SMTP error's text names the address: the log and the outbox get the mail's id and
    the error's class and code, never its text."""
    _submit(api, endpoint, submission)
    refused = smtplib.SMTPRecipientsRefused({IDENTITY["email"]: (550, b"no such user")})
    with (
        mock.patch(
            "django.core.mail.backends.locmem.EmailBackend.send_messages", side_effect=refused
        ),
        caplog.at_level(logging.DEBUG),
    ):
        endpoint.answer(endpoint.model.objects.get(), approver, "经核实，所述情况不成立。")
    record = endpoint.model.objects.get()
    assert record.is_answered  # the answer stands; the lookup shows it
    answer = OutgoingMail.objects.get(dedupe_key=f"{endpoint.kind}-answer:{record.pk}")
    assert (answer.state, answer.last_error) == ("failed", "SMTPRecipientsRefused 550")
    errors = [entry.getMessage() for entry in caplog.records if entry.levelno >= logging.ERROR]
    assert any(f"mail {answer.pk} " in e and "SMTPRecipientsRefused" in e for e in errors)
    assert _planted(_logged(caplog)) == []


# --- embedded mode's mail ----------------------------------------------------------------------


def test_embedded_mode_keeps_each_mail_in_a_file_only_its_owner_reads(
    api, endpoint, submission, approver, caplog, settings, tmp_path
):
    settings.EMAIL_BACKEND = dev_settings.EMAIL_BACKEND
    settings.EMAIL_FILE_PATH = tmp_path / "mail"
    _submit(api, endpoint, submission)
    with caplog.at_level(logging.DEBUG):
        endpoint.answer(endpoint.model.objects.get(), approver, "经核实，所述情况不成立。")
        mail.get_connection().send_messages(
            [mail.EmailMessage("一", "正文", to=["a@example.invalid"]),
             mail.EmailMessage("二", "正文", to=["b@example.invalid"])]
        )  # fmt: skip
    files = sorted(settings.EMAIL_FILE_PATH.iterdir())
    to_submitter = 2 if endpoint.kind == "objection" else 1  # an objection's receipt, the answer
    assert len(files) == to_submitter + 2  # one file per message
    assert stat.S_IMODE(os.stat(settings.EMAIL_FILE_PATH).st_mode) == 0o700
    assert {stat.S_IMODE(os.stat(path).st_mode) for path in files} == {0o600}
    assert sum(IDENTITY["email"] in path.read_text() for path in files) == to_submitter
    assert IDENTITY["email"] not in _logged(caplog)


# --- error reports -----------------------------------------------------------------------------


@pytest.fixture
def failing_submission():
    """Submitting fails deep inside, with the identity in the variables of every frame above."""
    with mock.patch.object(rules, "new_receipt_number", side_effect=RuntimeError("boom")):
        yield


@pytest.fixture
def admin_mail(settings):
    """Errors mailed to ADMINS as in production, the HTML version too."""
    settings.DEBUG = False
    settings.ADMINS = [("运维", "ops@example.invalid")]
    handler = AdminEmailHandler(include_html=True)
    handler.setLevel(logging.ERROR)
    request_logger = logging.getLogger("django.request")
    request_logger.addHandler(handler)
    yield
    request_logger.removeHandler(handler)


def _post_failing(api, endpoint, submission, form: str, **extra):
    if form == "multipart" and endpoint.accepts_files:
        submission = {
            **submission,
            "evidence": [SimpleUploadedFile(f"{IDENTITY['real_name']}.pdf", shared.PDF_BYTES)],
        }
    api.raise_request_exception = False
    api.cookies["sessionid"] = SESSION_COOKIE
    headers = {"HTTP_IDEMPOTENCY_KEY": IDEMPOTENCY_KEY, **extra}
    response = api.post(endpoint.url, submission, format=form, **headers)
    assert response.status_code == 500
    return response


@pytest.mark.parametrize("form", ["json", "multipart"])
def test_a_mailed_error_report_shows_nothing_the_submitter_sent(
    api, endpoint, submission, admin_mail, failing_submission, form
):
    _post_failing(api, endpoint, submission, form)
    # Django's own mail_admins handler (its default logging) and the one above, with HTML.
    assert mail.outbox and {tuple(report.to) for report in mail.outbox} == {
        ("ops@example.invalid",)
    }
    shown = [report.body for report in mail.outbox]
    shown += [part[0] for report in mail.outbox for part in report.alternatives]
    assert any("<html" in text for text in shown)
    for text in shown:
        assert "RuntimeError" in text and "boom" in text  # a real report
        assert endpoint.url in text
        assert "store_submission" in text  # with the frames of the submission code
        assert _planted(text) == []
        assert IDEMPOTENCY_KEY not in text


def test_the_debug_error_page_shows_nothing_the_submitter_sent(
    api, endpoint, submission, settings, failing_submission
):
    """Embedded mode (DEBUG on) shows Django's technical 500 page: filtered there too."""
    settings.DEBUG = True
    response = _post_failing(api, endpoint, submission, "multipart", HTTP_ACCEPT="text/html")
    page = response.content.decode()
    assert "RuntimeError" in page and "store_submission" in page
    assert _planted(page) == []
    assert IDEMPOTENCY_KEY not in page


# --- the content digest ------------------------------------------------------------------------


def test_the_content_digest_is_keyed(api, endpoint, submission, settings):
    """Without SECRET_KEY, the stored digest confirms no guess of who sent what."""
    spy = mock.patch.object(rules, "keyed_payload_digest", wraps=rules.keyed_payload_digest)
    with spy as keyed:
        _submit(api, endpoint, submission)
    plain = keyed.call_args.args[0]  # the SHA-256 of the fields, as anyone could compute it
    stored = endpoint.model.objects.get().payload_digest
    assert stored not in (plain, rules.keyed_payload_digest(plain, "a-guessed-secret-key"))
    assert stored == rules.keyed_payload_digest(plain, settings.SECRET_KEY)


# --- the purge ---------------------------------------------------------------------------------


def _assert_purged(record, answered: bool) -> None:
    record.refresh_from_db()
    assert [getattr(record, name) for name in IDENTITY] == ["", "", "", "", ""]
    assert record.payload_digest == ""
    assert record.personal_data_purged_at is not None
    assert record.content  # the handling record stays
    if answered:
        assert record.answer


def test_the_purge_blanks_the_content_digest_and_a_replay_then_finds_nothing_to_match(
    api, endpoint, submission, approver, settings
):
    settings.OBJECTION_RETENTION_DAYS = 30
    _submit(api, endpoint, submission)
    endpoint.answer(endpoint.model.objects.get(), approver, "经核实，所述情况不成立。")
    _age(endpoint.model, 31, answered=True)
    assert _purge(endpoint) == 1
    _assert_purged(endpoint.model.objects.get(), answered=True)
    response = api.post(
        endpoint.url, submission, format="json", HTTP_IDEMPOTENCY_KEY=IDEMPOTENCY_KEY
    )
    assert response.status_code == 409


def test_an_unanswered_comment_is_purged_after_the_retention_period(api, comment_payload, settings):
    settings.OBJECTION_RETENTION_DAYS = 30
    assert api.post("/api/policy-comments/", comment_payload, format="json").status_code == 201
    _age(PolicyComment, 29, answered=False)
    assert purge_comments() == 0
    _age(PolicyComment, 31, answered=False)
    assert purge_comments() == 1
    _assert_purged(PolicyComment.objects.get(), answered=False)
    assert PolicyComment.objects.get().status == "received"


def _withdraw(notice, approver):
    from cms.notices.services import withdraw_notice

    withdraw_notice(notice, approver, "认定依据有误，撤回重审。")


def _correct(notice, approver):
    from cms.notices.services import start_correction

    start_correction(notice, approver).save_revision().publish()


def _close(notice, approver):
    move_start(notice, 10)


@pytest.mark.parametrize(
    ("ending", "purged"),
    [(_close, True), (_withdraw, True), (_correct, True), (None, False)],
    ids=["closed", "withdrawn", "corrected", "still-under-publicity"],
)
def test_an_unanswered_objection_is_purged_once_its_notice_takes_no_more(
    api, payload, open_notice, approver, settings, ending, purged
):
    settings.OBJECTION_RETENTION_DAYS = 30
    submission = {**payload, **IDENTITY, "objector_type": "organisation"}
    submission["evidence"] = [SimpleUploadedFile("证明.pdf", shared.PDF_BYTES)]
    assert api.post("/api/objections/", submission, format="multipart").status_code == 201
    objection = Objection.objects.get()
    stored = objection.evidence.get().file.path
    if ending:
        ending(open_notice, approver)
    _age(Objection, 31, answered=False)
    assert purge_objections() == int(purged)
    if purged:
        _assert_purged(objection, answered=False)
        assert not objection.evidence.exists() and not os.path.exists(stored)
    else:
        objection.refresh_from_db()
        assert objection.real_name == IDENTITY["real_name"]
