"""Per-process memory of rows that change rarely and are read on every inquiry.

Channels, topics and the form's per-topic questions are read by every form render and
every intake; an admin changes them a few times a year. :class:`Memo` keeps what a loader
returned for ``MEMO_SECONDS`` (5 s); a save or delete of a watched model in this process
forgets it at once, other processes (scaled mode) see the change within those seconds.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save

T = TypeVar("T")

_ALL: list[Memo] = []


class Memo:
    def __init__(self, *models: type[Model]) -> None:
        self._values: dict[Any, tuple[float, Any]] = {}
        self._lock = threading.Lock()
        for model in models:
            post_save.connect(self._forget, sender=model, weak=False)
            post_delete.connect(self._forget, sender=model, weak=False)
            # A many-to-many through model: ``.add()``/``.remove()`` send only this one.
            m2m_changed.connect(self._forget, sender=model, weak=False)
        _ALL.append(self)

    def get(self, key: Any, load: Callable[[], T]) -> T:
        now = time.monotonic()
        hit = self._values.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
        value = load()
        with self._lock:
            self._values[key] = (now + settings.MEMO_SECONDS, value)
        return value

    def peek(self, key: Any) -> Any | None:
        """What ``get`` would return without loading, or None when it would load."""
        hit = self._values.get(key)
        if hit is not None and hit[0] > time.monotonic():
            return hit[1]
        return None

    def clear(self) -> None:
        with self._lock:
            self._values = {}

    def _forget(self, **kwargs: Any) -> None:
        self.clear()
        # Again after commit: another thread may have read the old row meanwhile.
        transaction.on_commit(self.clear, using=kwargs.get("using"))


def clear_all() -> None:
    """Forget everything (tests start from an empty memory)."""
    for memo in _ALL:
        memo.clear()
