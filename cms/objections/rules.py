"""The objection rules as plain Python: states and outcomes (evidence files:
:mod:`cms.objections.evidence`; receipts, lookup codes and phone numbers, which every public
submission shares: :mod:`cms.submissions.rules`).

Whether a notice accepts objections at all is the publicity window's rule, in
:mod:`cms.notices.rules` (``check_objection``); it is not repeated here.
"""

from cms.domain.labels import LabelledEnum


# fmt: off
class ObjectionStatus(LabelledEnum):
    RECEIVED = "received", "已受理", "Received"
    INVESTIGATING = "investigating", "调查核实中", "Under investigation"
    ANSWERED = "answered", "已答复", "Answered"


class Outcome(LabelledEnum):
    UPHELD = "upheld", "异议成立", "Upheld"
    NOT_UPHELD = "not_upheld", "异议不成立", "Not upheld"
    # Not examined on its merits (no fact or reason about the item, abuse, a duplicate); the
    # answer gives the reason, and it counts as answered like any other outcome.
    INADMISSIBLE = "inadmissible", "不予受理", "Not admitted"
# fmt: on
