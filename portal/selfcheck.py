"""The eligibility self-check page (资格自测) and its data file, from the CMS's questionnaire.

The questionnaire, its outcomes and the rules that lead from answers to them are read from the
CMS at export time (``/api/v3/eligibility/``, built from the clause codes and the live policy)
and written twice, unchanged: into the page (a ``<script type="application/json">`` block that
``selfcheck.js`` evaluates in the browser) and as ``data/eligibility.json`` beside the open data.
The portal knows none of the rules itself. Without JavaScript the page lists the questions with
links to the guidance and to each clause of the policy.

Every string is plain text from the CMS and is cleaned here, once, as it crosses the boundary.
"""

from typing import Any

from common.cleaning import clean_text

from .urls import ELIGIBILITY_JSON, GUIDANCE_URL, SELF_CHECK_URL, page_file, policy_url

SPEC_PATH = "/api/v3/eligibility/"
PAGE_SOURCE = "guidance/self-check.json"
DATA_SOURCE = "guidance/eligibility-data.json"
PAGE_TEMPLATE = "selfcheck"
DATA_TEMPLATE = "eligibility_data"
TITLE = "容错免责资格自测"

# What the script knows how to evaluate: anything else would silently mean something else.
KINDS = frozenset({"single", "multiple"})
EFFECTS = {"block": "reasons", "ground": "grounds", "handling_body": "handling_bodies"}
CONDITIONS = frozenset({"blocked", "incomplete", "always"})
OUTCOMES = frozenset({"may_apply", "does_not_apply", "need_more"})
SHOWS = frozenset({"grounds", "handling_body", "open_questions", "deadline", "materials"})


class SelfCheckDataError(ValueError):
    """The CMS's questionnaire is not one the page and its script can evaluate."""


def clean(value: Any) -> Any:
    """Every string in a JSON value through :func:`clean_text`; numbers and booleans as they are."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [clean(v) for v in value]
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    return value


def _fail(message: str) -> None:
    raise SelfCheckDataError(f"Eligibility questionnaire: {message}")


def validate(spec: Any) -> dict[str, Any]:
    """The spec, once every reference in it resolves; SelfCheckDataError otherwise."""
    if not isinstance(spec, dict) or spec.get("version") != 1:
        _fail("unknown version")
    questions = spec.get("questions")
    if not isinstance(questions, list) or not questions:
        _fail("no questions")
    ids = set()
    for question in questions:
        qid = question.get("id")
        if not qid or qid in ids:
            _fail(f"a question without an id of its own: {qid!r}")
        ids.add(qid)
        if question.get("kind") not in KINDS:
            _fail(f"{qid}: unknown kind {question.get('kind')!r}")
        if not question.get("options"):
            _fail(f"{qid}: no options")
        for option in question["options"]:
            for effect, code in (option.get("effect") or {}).items():
                if effect == "unsure":
                    continue
                if effect not in EFFECTS or code not in (spec.get(EFFECTS[effect]) or {}):
                    _fail(f"{qid}: option {option.get('value')!r} has an unknown {effect} {code!r}")
    rules = spec.get("outcome_rules") or []
    for rule in rules:
        if rule.get("when") not in CONDITIONS or rule.get("outcome") not in OUTCOMES:
            _fail(f"unknown outcome rule {rule!r}")
    if not rules or rules[-1].get("when") != "always":
        _fail("the outcome rules must end with an 'always' rule")
    if set(spec.get("outcomes") or {}) != OUTCOMES:
        _fail("the outcomes are not may_apply, does_not_apply and need_more")
    for code, outcome in spec["outcomes"].items():
        if not set(outcome.get("shows", ())) <= SHOWS:
            _fail(f"{code} shows an unknown part: {outcome.get('shows')!r}")
    if not spec.get("disclaimer"):
        _fail("no disclaimer")
    return spec


def fetch_spec(client) -> dict[str, Any]:
    """The questionnaire from the CMS (a :class:`portal.client.CMSClient`), cleaned and checked."""
    return validate(clean(client.get_json(SPEC_PATH)))


def page_sources(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The self-check page and the data file, keyed by their source file."""
    policy = spec.get("policy")
    cms = {
        "spec": spec,
        "policy_url": policy_url(policy["slug"]) if policy else "",
        "guidance_url": GUIDANCE_URL,
        "data_url": ELIGIBILITY_JSON,
        "url": SELF_CHECK_URL,
    }
    page = {
        "title": TITLE,
        "slug": "self-check",
        "template": PAGE_TEMPLATE,
        "url": SELF_CHECK_URL,
        "save_as": page_file(SELF_CHECK_URL),
    }
    data = {
        "title": f"{TITLE}：问卷数据",
        "slug": "eligibility-data",
        "template": DATA_TEMPLATE,
        "url": ELIGIBILITY_JSON,
        "save_as": ELIGIBILITY_JSON,
    }
    return {
        PAGE_SOURCE: {"metadata": page, "cms": cms},
        DATA_SOURCE: {"metadata": data, "cms": {"spec": spec}},
    }


def sources(client) -> dict[str, dict[str, Any]]:
    """What :func:`portal.export.collect_sources` adds for the self-check."""
    return page_sources(fetch_spec(client))
