"""Keep the objects a process loads at start out of the garbage collector's way.

A Sangdam process holds ~165,000 Python objects once Django, the URLconf, every app's
modules and the translation catalogs are loaded. They live as long as the process, yet
each full (generation 2) collection walks them all: ~50-150 ms on our 2-CPU CI machine,
during which no thread of the process runs — in the embedded server, every request in
flight waits (the p99 of a webhook answer). ``gc.freeze()`` moves them to a permanent
generation that collections skip; what is allocated afterwards is collected as before.
"""

from __future__ import annotations

import gc

from django.urls import get_resolver


def freeze_loaded_objects() -> None:
    """Import what a request or a task would (every view, through the URLconf, and every
    channel kind's connector, which commands load only when used), then freeze."""
    # Imported here: core depends on no other app at import time.
    from sangdam.connectors.registry import load_all

    get_resolver().url_patterns  # noqa: B018 (imports the views)
    load_all()
    gc.collect()
    gc.freeze()
