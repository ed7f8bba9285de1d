"""Comments share the objections' fixtures (tests/cms/objections/conftest.py): a draft policy
with its window open and a valid comment. Modules that post to the API import
``fresh_rate_limits``, which clears the rate limits kept in the database cache."""

from ..notices.conftest import editor  # noqa: F401
from ..objections.conftest import (  # noqa: F401
    api,
    comment_payload,
    comment_policy,
    private_evidence_dir,
)
