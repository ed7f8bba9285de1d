"""Rules every app of the CMS shares, in plain Python (no Django, no apps): guard errors,
labelled enums, Chinese numerals and clause anchors, the policy's clause codes and programmes,
Asia/Shanghai dates, the window arithmetic of publicity and consultation, and the formats of
the site's identifiers and contact details.

Each app's own ``rules.py`` builds on these modules; nothing here imports an app.
"""
