"""What the de-identification guard reads of a failure report: its text fields and the related
notice's identifiers. Shared by the page model and its editor form."""

from . import rules

#: The report's text, checked for identifying details before it is saved or published.
TEXT_FIELDS = tuple(name for name in rules.FIELD_LABELS)


def identifiers_of(notice) -> rules.Identifiers:
    """The project leaders, undertaking units and project codes of a notice's items."""
    if notice is None:
        return rules.Identifiers()
    items = list(notice.items.all())
    return rules.Identifiers.of(
        leaders=(item.project_leader for item in items),
        units=(item.undertaking_unit for item in items),
        codes=(item.project_code for item in items),
    )
