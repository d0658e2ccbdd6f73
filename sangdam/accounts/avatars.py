"""An agent's face in the customer's chat: an uploaded picture, else initials on a colour.

The colour is derived from the name (no external avatar service: nothing about the agent
leaves the install), dark enough that white initials pass WCAG AA contrast (4.5:1).
"""

from __future__ import annotations

import colorsys
import hashlib

# Pictures an agent may upload: small, and only kinds every browser shows.
AVATAR_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif"})
AVATAR_MAX_BYTES = 512 * 1024


def initials(name: str) -> str:
    """ "Kim Minji" -> "KM", "김민지" -> "민지" (a Korean name's given name), "" -> "?"."""
    words = [w for w in name.replace("@", " ").split() if w]
    if not words:
        return "?"
    if len(words) == 1 and all("\uac00" <= ch <= "\ud7a3" for ch in words[0]):
        return words[0][-2:] if len(words[0]) > 2 else words[0]
    return "".join(w[0] for w in words[:2]).upper()


def colour(name: str) -> str:
    """A stable colour for a name: the hue from a hash, lightness kept low for contrast."""
    hue = int.from_bytes(hashlib.sha256(name.encode()).digest()[:2], "big") / 65535
    r, g, b = colorsys.hls_to_rgb(hue, 0.32, 0.55)
    return f"#{round(r * 255):02x}{round(g * 255):02x}{round(b * 255):02x}"
