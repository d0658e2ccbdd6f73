"""DKIM / SPF / DMARC verdicts: Authentication-Results (RFC 8601, parsed by authres), or
our own DKIM check with dkimpy when no trusted server in front of us did one.

Only the topmost Authentication-Results header can come from our own receiving server;
any below it travelled with the mail. Even the topmost one is forged when Sangdam is the
MX itself, so a verdict counts as *trusted* only when its authserv-id is one the operator
named in ``EMAIL_AUTHSERV_IDS`` (their Postfix, Google, Microsoft).
"""

from __future__ import annotations

import logging
import re
from email.parser import BytesHeaderParser
from email.policy import compat32
from typing import Any

from django.conf import settings

from sangdam.connectors.email.spool import Raw, read_all

log = logging.getLogger(__name__)
METHODS = ("dkim", "spf", "dmarc", "arc")
SIGNING_DOMAIN = re.compile(r"(?:^|;)\s*d\s*=\s*([^;\s]+)")


def authentication_results(raw_values: list[str]) -> dict[str, Any]:
    """``{"authserv_id": ..., "trusted": bool, "dkim": "pass", "spf": "fail", ...}`` or {}."""
    if not raw_values:
        return {}
    value = " ".join(raw_values[0].split())
    import authres  # here: importing it compiles its patterns (~55 ms), which commands skip

    try:
        header = authres.AuthenticationResultsHeader.parse(f"Authentication-Results: {value}")
    except Exception:  # a header authres cannot read is recorded raw
        return {"raw": value[:500], "trusted": False}
    authserv_id = str(header.authserv_id or "")
    trusted_ids = {i.lower() for i in getattr(settings, "EMAIL_AUTHSERV_IDS", ())}
    out: dict[str, Any] = {
        "authserv_id": authserv_id,
        "trusted": authserv_id.lower() in trusted_ids,
    }
    for result in header.results:
        method = str(result.method).lower()
        if method not in METHODS or method in out:
            continue
        out[method] = str(result.result).lower()
        details = {f"{p.type}.{p.name}": str(p.value) for p in result.properties}
        if details:
            out[f"{method}_details"] = details
    return out


def _txt_lookup(name: bytes, timeout: int = 5) -> bytes | None:
    # Looked up at call time, so the DNS seam is dkimpy's own and can be replaced in tests.
    import dkim.dnsplug

    result: bytes | None = dkim.dnsplug.get_txt(name, timeout)
    return result


def verify_dkim(raw: bytes) -> dict[str, Any]:
    """Check the mail's DKIM-Signature ourselves (a DNS lookup per signing domain)."""
    if b"dkim-signature:" not in raw[:65536].lower():
        return {"authserv_id": "sangdam", "trusted": True, "dkim": "none"}
    # Imported when first needed: dkimpy and dnspython cost ~80 ms at every start.
    import dkim

    try:
        verdict = "pass" if dkim.verify(raw, dnsfunc=_txt_lookup, timeout=5) else "fail"
    except Exception as exc:  # a DNS failure or an unreadable signature
        log.info("DKIM check failed to run: %s", exc)
        verdict = "temperror"
    out: dict[str, Any] = {"authserv_id": "sangdam", "trusted": True, "dkim": verdict}
    # dkimpy checks the first signature; its d= is the domain it vouches for.
    header = BytesHeaderParser(policy=compat32).parsebytes(raw).get("DKIM-Signature")
    signed = SIGNING_DOMAIN.search(" ".join(str(header or "").split()))
    if signed:
        out["dkim_details"] = {"header.d": signed.group(1).lower()}
    return out


def authentication(raw: Raw, raw_values: list[str]) -> dict[str, Any]:
    """The verdicts to record: a trusted server's header, else our own check if enabled."""
    found = authentication_results(raw_values)
    if found.get("trusted") or not getattr(settings, "EMAIL_VERIFY_DKIM", False):
        return found
    # dkimpy reads the whole mail in memory: a large spooled one is read back for it.
    own = verify_dkim(read_all(raw))
    if found:
        own["untrusted_header"] = found
    return own


def _aligned(domain: str, from_domain: str) -> bool:
    """Relaxed alignment (RFC 7489 3.1): the same domain, or one inside the other."""
    domain, from_domain = domain.lower().strip(". "), from_domain.lower().strip(". ")
    if not domain or not from_domain:
        return False
    return (
        domain == from_domain
        or domain.endswith(f".{from_domain}")
        or from_domain.endswith(f".{domain}")
    )


def sender_authenticated(auth: dict[str, Any], from_address: str) -> bool:
    """Whether trusted verdicts vouch for the ``From:`` address's domain.

    DMARC pass says it outright; otherwise a DKIM pass for the From domain (``header.d``)
    or an SPF pass for it (``smtp.mailfrom``). Verdicts from a header anyone could have
    written (authserv-id not in ``EMAIL_AUTHSERV_IDS``) vouch for nothing.
    """
    if not auth.get("trusted"):
        return False
    from_domain = from_address.rpartition("@")[2]
    if auth.get("dmarc") == "pass":
        return True
    dkim_details = auth.get("dkim_details") or {}
    if auth.get("dkim") == "pass" and _aligned(
        dkim_details.get("header.d") or dkim_details.get("header.i", "").rpartition("@")[2],
        from_domain,
    ):
        return True
    spf_details = auth.get("spf_details") or {}
    mailfrom = spf_details.get("smtp.mailfrom", "")
    return auth.get("spf") == "pass" and _aligned(mailfrom.rpartition("@")[2], from_domain)


def describe_verdicts(auth: dict[str, Any]) -> str:
    """ "DKIM fail, SPF softfail, DMARC fail (checked by mx.example.com)" for a person."""
    parts = [f"{m.upper()} {auth[m]}" for m in ("dkim", "spf", "dmarc") if auth.get(m)]
    text = ", ".join(parts) or "no DKIM, SPF or DMARC verdict"
    if not auth:
        return text
    server = auth.get("authserv_id") or "?"
    if auth.get("trusted"):
        return f"{text} (checked by {server})"
    return f"{text} (unverified header from {server})"
