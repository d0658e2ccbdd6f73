"""Small text helpers for what customers type."""

from __future__ import annotations


def one_line(value: str) -> str:
    """Collapse line breaks and control characters: names and subjects reach mail headers."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in value).split())
