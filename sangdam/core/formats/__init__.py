"""Date formats that override Django's locale defaults (settings.FORMAT_MODULE_PATH).

Django's Korean short formats do not zero-pad ("2026-12-2 15:31"): in lists and timelines
dates then differ in width and sort badly by eye. Only the formats changed are here; the
rest come from Django's locale.
"""
