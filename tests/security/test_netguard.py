"""The one guard in front of every fetch of an outsider-chosen URL (SSRF)."""

from __future__ import annotations

import asyncio
import ipaddress
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from sangdam.core import netguard
from tests.security.servers import recording_server

REFUSED = [
    "127.0.0.1",
    "127.1.2.3",
    "0.0.0.0",  # noqa: S104
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.1",
    "169.254.169.254",  # cloud metadata
    "100.64.0.1",  # carrier-grade NAT
    "100.100.100.200",  # Alibaba metadata
    "192.0.0.192",  # Oracle metadata
    "224.0.0.1",
    "240.0.0.1",
    "255.255.255.255",
    "198.18.0.1",
    "::1",
    "::",
    "fe80::1",
    "fc00::1",
    "fd00:ec2::254",  # AWS IPv6 metadata
    "ff02::1",
    "::ffff:127.0.0.1",  # IPv4-mapped
    "::ffff:169.254.169.254",
    "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
    "2002:7f00:1::",  # 6to4 of 127.0.0.1
    "2001:db8::1",  # documentation
]
PUBLIC = ["8.8.8.8", "1.1.1.1", "142.250.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"]


@pytest.mark.parametrize("address", REFUSED)
def test_inward_and_reserved_addresses_are_refused(address: str) -> None:
    assert not netguard.is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", PUBLIC)
def test_public_internet_addresses_pass(address: str) -> None:
    assert netguard.is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/push",
        "https://localhost:8443/push",
        "https://[::1]/push",
        "https://[::ffff:127.0.0.1]/push",
        "http://169.254.169.254/latest/meta-data/",
        "https://2130706433/push",  # 127.0.0.1 written as one number
        "https://0x7f.1/push",
        "https://10.0.0.5/push",
    ],
)
def test_urls_naming_our_own_network_are_refused(url: str) -> None:
    with pytest.raises(netguard.BlockedAddress):
        netguard.check_url(url)


def test_a_url_with_credentials_or_another_scheme_is_refused() -> None:
    with pytest.raises(netguard.BlockedAddress):
        netguard.check_url("https://user:pw@push.example.com/")
    with pytest.raises(netguard.BlockedAddress):
        netguard.check_url("file:///etc/passwd")


def test_the_guarded_client_never_connects_to_a_local_server() -> None:
    with (
        recording_server() as inside,
        netguard.guarded_client() as client,
        pytest.raises(httpx.ConnectError) as refused,
    ):
        client.post(inside.base_url + "/hook", content=b"x")
    assert isinstance(netguard.refusal_of(refused.value), netguard.BlockedAddress)
    assert inside.paths == []


def test_a_redirect_into_the_local_network_is_refused_at_the_hop(settings: Any) -> None:
    # The first server stands for a public host (its network is allowed); its redirect
    # points at another loopback address, which is not.
    settings.NETGUARD_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    with (
        recording_server("127.0.0.2") as inside,
        recording_server(redirect_to=inside.base_url + "/admin") as outside,
        netguard.guarded_client(follow_redirects=True) as client,
        pytest.raises(httpx.ConnectError) as refused,
    ):
        client.post(outside.base_url + "/push", content=b"x")
    assert "127.0.0.2" in str(netguard.refusal_of(refused.value))
    assert outside.paths == ["/push"]
    assert inside.paths == []


def test_a_name_is_connected_to_at_the_checked_address_and_keeps_its_host_header(
    settings: Any,
) -> None:
    settings.NETGUARD_ALLOWED_NETWORKS = ["127.0.0.0/8", "::1/128"]
    with recording_server() as server, netguard.guarded_client() as client:
        port = server.base_url.rsplit(":", 1)[1]
        response = client.get(f"http://localhost:{port}/ok")
    assert response.status_code == 201
    assert server.hosts == [f"localhost:{port}"]


def test_the_allow_local_setting_lets_tests_reach_local_servers(settings: Any) -> None:
    settings.NETGUARD_ALLOW_LOCAL = True
    with recording_server() as server, netguard.guarded_client() as client:
        assert client.post(server.base_url + "/push", content=b"x").status_code == 201
    assert server.paths == ["/push"]


def test_the_async_client_is_guarded_too() -> None:
    async def fetch(url: str) -> None:
        async with netguard.guarded_async_client() as client:
            await client.get(url)

    # Its own thread: the browser tests' Playwright leaves an event loop in the main one.
    with (
        recording_server() as inside,
        ThreadPoolExecutor(1) as pool,
        pytest.raises(httpx.ConnectError),
    ):
        pool.submit(asyncio.run, fetch(inside.base_url)).result()
    assert inside.paths == []
