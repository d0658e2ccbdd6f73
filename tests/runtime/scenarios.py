"""Running a channel layer's async scenario from a test, and reading what a channel got."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run_apart(scenario: Coroutine[Any, Any, T]) -> T:
    """In a thread of its own: the browser tests leave an event loop on the main thread."""
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, scenario).result()


async def pending(layer: Any, channel: str, wait: float) -> list[Any]:
    """What ``channel`` has waiting (each receive waits at most ``wait`` seconds)."""
    got = []
    while True:
        try:
            got.append(await asyncio.wait_for(layer.receive(channel), wait))
        except TimeoutError:
            return got
