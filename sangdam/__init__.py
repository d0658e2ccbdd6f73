"""Sangdam, a self-hosted customer center."""

from sangdam.core.lean import keep_httpx_cli_out

keep_httpx_cli_out()
