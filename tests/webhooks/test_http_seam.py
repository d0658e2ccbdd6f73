"""The provider HTTP seam: bounded retries that honour Retry-After, clear errors."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from sangdam.connectors.http import ProviderClient, ProviderError


class Script:
    """Answers queued for the next calls: (status, headers, body)."""

    def __init__(self) -> None:
        self.answers: list[tuple[int, dict[str, str], dict[str, object]]] = []
        self.calls = 0


@pytest.fixture
def provider(settings) -> Iterator[Script]:
    script = Script()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            script.calls += 1
            status, headers, body = script.answers.pop(0) if script.answers else (200, {}, {})
            data = json.dumps(body).encode()
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.PROVIDER_BASE_URLS = {"telegram": f"http://127.0.0.1:{server.server_port}"}
    settings.PROVIDER_RETRY_BASE_SECONDS = 0
    settings.PROVIDER_HTTP_ATTEMPTS = 3
    yield script
    server.shutdown()
    server.server_close()


def test_a_busy_provider_is_retried_after_the_time_it_asks(provider: Script):
    provider.answers = [(429, {"Retry-After": "0"}, {"description": "Too Many Requests"})]

    assert ProviderClient("telegram").json("POST", "/x") == {}
    assert provider.calls == 2


def test_a_provider_that_stays_down_gives_a_transient_error_after_bounded_tries(provider: Script):
    provider.answers = [(502, {}, {"description": "Bad Gateway"})] * 5

    with pytest.raises(ProviderError) as error:
        ProviderClient("telegram").request("POST", "/x")

    assert provider.calls == 3
    assert not error.value.permanent
    assert "Bad Gateway" in str(error.value)


def test_a_refused_request_is_permanent_with_the_providers_reason(provider: Script):
    provider.answers = [(400, {}, {"ok": False, "description": "Bad Request: chat not found"})]

    with pytest.raises(ProviderError) as error:
        ProviderClient("telegram").request("POST", "/x")

    assert provider.calls == 1
    assert error.value.permanent
    assert error.value.status == 400
    assert "chat not found" in str(error.value)


def test_a_long_retry_after_is_left_to_the_task_backoff(provider: Script, settings):
    settings.PROVIDER_MAX_RETRY_AFTER = 5
    provider.answers = [(429, {"Retry-After": "120"}, {"description": "Too Many Requests"})]

    with pytest.raises(ProviderError) as error:
        ProviderClient("telegram").request("POST", "/x")

    assert provider.calls == 1
    assert not error.value.permanent


def test_a_media_url_on_a_private_address_is_refused_for_good(settings):
    from sangdam.connectors.http import fetch_untrusted

    settings.NETGUARD_ALLOW_LOCAL = False

    with pytest.raises(ProviderError) as error:
        fetch_untrusted("http://127.0.0.1:9/secret", label="telegram media")

    assert error.value.permanent
