"""The eligibility self-check's questionnaire, read by the portal build: GET /api/v3/eligibility/.

Everything in it comes from :mod:`cms.guidance.eligibility`, built afresh from the rules, the live
policy and the live guidance page on each request."""

from typing import Any

from ninja import Router

from .eligibility import live_spec

router = Router(tags=["eligibility"])


@router.get(
    "/", response=dict[str, Any], url_name="eligibility_spec", summary="Eligibility self-check"
)
def eligibility_spec(request):
    """The questionnaire, its outcomes and the rules that lead from answers to them, with the
    live policy's clause texts and anchors, the handling bodies and the materials checklist."""
    return live_spec()
