"""Rules every app of the CMS shares, in plain Python (no Django, no apps): guard errors,
labelled enums, Chinese numerals and clause anchors, the policy's clause codes and programmes,
Asia/Shanghai dates, and the window arithmetic of publicity and consultation.

Each app's own ``rules.py`` builds on these modules; nothing here imports an app.
"""
