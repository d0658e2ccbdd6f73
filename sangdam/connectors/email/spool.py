"""Large mail kept out of memory: spooled to a file, its big files decoded to disk.

A 25 MB mail held whole cost about ten times its size at the peak (the SMTP lines, the
bytes, the email parser's line strings, the decoded files: ~260 MB, ``bench/mail.py
--storm``). So the SMTP receiver spools DATA to a temporary file, and before the stdlib
parser reads a mail over :data:`SPOOL_BYTES`, :func:`lift` copies it line by line into a
small stand-in: each large base64 leaf part that is not text (a photo, a PDF) is decoded
straight into a file of its own, and its body is replaced by a :data:`LIFTED_HEADER`
naming that file. The parser reads headers and texts as before (mime.py takes the files
from disk), and the attachment store copies them from disk.

Lifting is all or nothing: a line it might read differently from the stdlib parser (a
bare CR, a header block without its blank line, a character outside base64 in a body
already being lifted, a boundary inside a header block) gives up with
:class:`CannotLift`, and the mail is parsed whole in memory as before.
"""

from __future__ import annotations

import binascii
import hashlib
import io
import re
import secrets
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import IO

# A mail larger than this is spooled to disk by the SMTP receiver and lifted before parsing.
SPOOL_BYTES = 1024 * 1024
# A base64 body larger than this (encoded) is decoded to a file instead of parsed.
LIFT_BYTES = 256 * 1024
LIFTED_HEADER = "X-Sangdam-Lifted"
DECODE_CHUNK = 64 * 1024

Raw = bytes | IO[bytes]

_HEADER = re.compile(rb"(From |[\041-\071\073-\176]*:|[\t ])")
_WHITESPACE = b" \t\r\n"
_BASE64 = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="
_CLEAN = _BASE64 + _WHITESPACE


class CannotLift(Exception):
    """The mail is not one :func:`lift` reads exactly as the stdlib parser would."""


def stream(raw: Raw) -> IO[bytes]:
    """The mail as a file, from its start."""
    if isinstance(raw, bytes | bytearray | memoryview):
        return io.BytesIO(raw)
    raw.seek(0)
    return raw


def size_of(raw: Raw) -> int:
    if isinstance(raw, bytes):
        return len(raw)
    return raw.seek(0, io.SEEK_END)


def read_all(raw: Raw) -> bytes:
    """The whole mail in memory: for the few readers that need it (DKIM, held mail)."""
    return raw if isinstance(raw, bytes) else stream(raw).read()


def sha256_of(raw: Raw) -> str:
    if isinstance(raw, bytes):
        return hashlib.sha256(raw).hexdigest()
    digest, file = hashlib.sha256(), stream(raw)
    while chunk := file.read(DECODE_CHUNK * 16):
        digest.update(chunk)
    return digest.hexdigest()


@dataclass
class Lifted:
    raw: bytes  # the mail, with each lifted body left empty
    files: dict[str, Path] = field(default_factory=dict)  # LIFTED_HEADER value → file


def lift(raw: Raw, into: Path, threshold: int = LIFT_BYTES) -> Lifted:
    """The mail with its large base64 bodies decoded into files under ``into``."""
    lifter = _Lifter(into, threshold)
    try:
        for line in stream(raw):
            lifter.feed(line)
        lifter.end_part()
    finally:
        if lifter.file is not None:
            lifter.file.close()
    return Lifted(lifter.out.getvalue(), lifter.files)


class _Lifter:
    def __init__(self, into: Path, threshold: int) -> None:
        self.into, self.threshold = into, threshold
        self.token = secrets.token_hex(8)
        self.out = io.BytesIO()
        self.files: dict[str, Path] = {}
        self.boundaries: list[re.Pattern[bytes]] = []
        self.mode = "headers"  # headers, plain, held (a candidate), lifting
        self.headers: list[bytes] = []
        self.held: list[bytes] = []
        self.held_size = 0
        self.file: IO[bytes] | None = None
        self.encoded = bytearray()
        self.padded = False

    def feed(self, line: bytes) -> None:
        bare_cr = line.find(b"\r")
        if bare_cr != -1 and bare_cr != len(line) - 2:
            raise CannotLift("bare CR")
        if self.boundaries and line.startswith(b"--") and self._boundary(line):
            return
        if self.mode == "plain":
            self.out.write(line)
        elif self.mode == "headers":
            self._header(line)
        elif self.mode == "held":
            self._hold(line)
        else:
            self._decode(line)

    def _boundary(self, line: bytes) -> bool:
        """Handle ``line`` if it delimits an enclosing multipart, innermost first."""
        for depth in range(len(self.boundaries) - 1, -1, -1):
            match = self.boundaries[depth].match(line)
            if match is None:
                continue
            if self.mode == "headers":
                raise CannotLift("boundary inside a header block")
            self.end_part()
            # An outer boundary also ends every multipart nested in it (as the stdlib reads).
            del self.boundaries[depth + 1 :]
            self.out.write(line)
            if match.group("end"):
                self.boundaries.pop()
                self.mode = "plain"  # the epilogue
            else:
                self.mode, self.headers = "headers", []
            return True
        return False

    def _header(self, line: bytes) -> None:
        self.headers.append(line)
        if line.rstrip(b"\r\n"):
            if not _HEADER.match(line):
                raise CannotLift("a header block without its blank line")
            return
        try:
            part = BytesHeaderParser(policy=policy.default).parsebytes(b"".join(self.headers))
            maintype = part.get_content_maintype()
            boundary = part.get_boundary() if maintype == "multipart" else None
            encoding = str(part.get("content-transfer-encoding", "")).lower()
            separator = f"--{boundary}".encode("ascii", "surrogateescape") if boundary else b""
        except Exception as exc:  # a header the stdlib reads only with defects, if at all
            raise CannotLift(f"headers: {exc!r}") from exc
        if separator:
            self.boundaries.append(
                re.compile(re.escape(separator) + rb"(?P<end>--)?[ \t]*(\r\n|\r|\n)?\Z")
            )
        elif maintype not in ("multipart", "message", "text") and encoding == "base64":
            self.mode, self.held, self.held_size = "held", [], 0
            return
        self._write_headers()
        self.mode = "plain"

    def _write_headers(self, marker: str = "") -> None:
        *fields, blank = self.headers
        self.out.writelines(fields)
        if marker:
            self.out.write(f"{LIFTED_HEADER}: {marker}".encode() + (blank or b"\r\n"))
        self.out.write(blank)
        self.headers = []

    def _hold(self, line: bytes) -> None:
        if line.translate(None, _CLEAN):
            # Not plain base64: left to the parser whole, like any small part.
            self._write_headers()
            self.out.writelines(self.held)
            self.out.write(line)
            self.mode = "plain"
            return
        self.held.append(line)
        self.held_size += len(line)
        if self.held_size > self.threshold:
            marker = f"{self.token}-{len(self.files) + 1}"
            path = self.into / marker
            self.files[marker] = path
            self.file = path.open("wb")
            self._write_headers(marker)
            self.mode = "lifting"
            held, self.held = self.held, []
            for kept in held:
                self._decode(kept)

    def _decode(self, line: bytes) -> None:
        if line.translate(None, _CLEAN):
            raise CannotLift("not base64")
        data = line.translate(None, _WHITESPACE)
        if not data:
            return
        if self.padded:
            raise CannotLift("base64 after its padding")
        if b"=" in data:
            if b"=" in data.rstrip(b"="):
                raise CannotLift("padding inside base64")
            self.padded = True
        self.encoded += data
        if len(self.encoded) >= DECODE_CHUNK:
            whole = len(self.encoded) - len(self.encoded) % 4
            self._write_decoded(self.encoded[:whole])
            del self.encoded[:whole]

    def _write_decoded(self, data: bytes | bytearray) -> None:
        assert self.file is not None
        try:
            self.file.write(binascii.a2b_base64(data, strict_mode=True))
        except binascii.Error as exc:
            raise CannotLift(f"base64: {exc}") from exc

    def end_part(self) -> None:
        if self.mode == "headers" and self.headers:
            self.out.writelines(self.headers)
            self.headers = []
        elif self.mode == "held":
            self._write_headers()
            self.out.writelines(self.held)
            self.held = []
        elif self.mode == "lifting":
            rest = len(self.encoded) % 4
            if rest == 1:
                raise CannotLift("truncated base64")
            if rest:
                self.encoded += b"=" * (4 - rest)
            if self.encoded:
                self._write_decoded(self.encoded)
            self.encoded, self.padded = bytearray(), False
            assert self.file is not None
            self.file.close()
            self.file = None
