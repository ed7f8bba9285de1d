"""The error shape of every JSON API the site serves, Chinese first and English beside it:

``{"error": {"code": ..., "message": ..., "message_en": ..., "field": ..., "details": [...]}}``

``code`` is stable and machine-readable; ``details`` lists every field problem of a 400.
"""


def error_body(code, message, message_en, field=None, details=()) -> dict:
    return {
        "error": {
            "code": code,
            "message": message,
            "message_en": message_en,
            "field": field,
            "details": list(details),
        }
    }
