"""Two mock replicas (separate `contract-mock serve` processes, standing in for two hosts) sharing one PostgreSQL
database: concurrent writes through both are all kept, once; what one replica hands out or changes is honoured by
the other at once; a replica killed mid-load loses no write it acknowledged.

The replicas run the command examples/replicas/docker-compose.yml runs (a test below keeps the two the same).
"""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from postgres_support import PostgresServer, free_port

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "examples" / "replicas" / "docker-compose.yml"
CONTRACT_MOCK = Path(sys.executable).with_name("contract-mock")
ADMIN_TOKEN = "replica-test-admin-token"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
CLIENTS = 32

ASAPP_WRITE = "/asapp-metadata-ingestion/metadata-ingestion/v1/single-agent-metadata"
ASAPP_HEADERS = {"asapp-api-id": "asapp-demo-app-id", "asapp-api-secret": "asapp-demo-app-secret"}
ASAPP_RECORDS = "/__admin/records/asapp-metadata-ingestion/acme-sandbox.agent"
AISERA_TOKEN = "/aisera-ingestion/tenant-users/oauth2/token"
AISERA_APP = "ais-app-7f3c2a9e-demo"  # fixtures/default/credentials.yaml
AISERA_GRANT = {"grant_type": "password", "client_id": AISERA_APP, "username": "svc-ingest@acme.example",
                "password": "ingest-demo-password"}  # fmt: skip


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def replica_command(host: str, port: int) -> list[str]:
    """How a replica is started (its database URL and admin token come from the environment)."""
    return ["contract-mock", "serve", "--host", host, "--port", str(port)]


@dataclass
class Replica:
    """One `contract-mock serve` process, its address and its output."""

    name: str
    process: subprocess.Popen[bytes]
    base_url: str
    output: Path

    @classmethod
    def start(cls, name: str, database_url: str, folder: Path) -> Replica:
        port = free_port()
        output = folder / f"replica-{name}.log"
        environment = {**os.environ, "CONTRACT_MOCK_DB": database_url, "CONTRACT_MOCK_ADMIN_TOKEN": ADMIN_TOKEN}
        with output.open("wb") as sink:
            process = subprocess.Popen(
                [str(CONTRACT_MOCK), *replica_command("127.0.0.1", port)[1:]],
                env=environment,
                stdout=sink,
                stderr=subprocess.STDOUT,
                cwd=folder,
            )
        return cls(name, process, f"http://127.0.0.1:{port}", output)

    def wait_ready(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"replica {self.name} exited with {self.process.returncode}:\n{self.log()}")
            try:
                if httpx.get(f"{self.base_url}/__admin/clock", headers=ADMIN, timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"replica {self.name} did not answer within {seconds}s:\n{self.log()}")

    def kill(self) -> None:
        """`kill -9`: no shutdown, no journal flush, connections dropped."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    def log(self) -> str:
        return self.output.read_text(encoding="utf-8", errors="replace")


def start_replicas(count: int, database_url: str, folder: Path) -> list[Replica]:
    """Start replicas all at once (they race to create the tables and to seed), then wait for each."""
    replicas = [Replica.start(name, database_url, folder) for name in "abcdefgh"[:count]]
    try:
        for replica in replicas:
            replica.wait_ready()
    except BaseException:
        for replica in replicas:
            replica.stop()
        raise
    return replicas


@pytest.fixture(scope="module")
def running_replicas(
    postgres_server: PostgresServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[list[Replica]]:
    """Two replicas on one new schema, for the tests that leave both running (starting a pair takes seconds)."""
    started = start_replicas(2, postgres_server.new_schema(), tmp_path_factory.mktemp("replicas"))
    yield started
    for replica in started:
        replica.stop()


@pytest.fixture
def replicas(running_replicas: list[Replica]) -> list[Replica]:
    """The two running replicas, with the vendors' state reset to the fixtures (through one of them)."""
    reset = httpx.post(f"{running_replicas[0].base_url}/__admin/reset", headers=ADMIN, timeout=30)
    assert reset.status_code == 200, reset.text
    return running_replicas


@pytest.fixture
def own_replicas(postgres_url: str, tmp_path: Path) -> Iterator[list[Replica]]:
    """Two replicas of the test's own (one of them may be killed)."""
    started = start_replicas(2, postgres_url, tmp_path)
    yield started
    for replica in started:
        replica.stop()


@asynccontextmanager
async def clients(replicas: list[Replica]) -> AsyncIterator[list[httpx.AsyncClient]]:
    """One HTTP client per replica, each allowing every test client a connection of its own."""
    opened = [
        httpx.AsyncClient(base_url=replica.base_url, timeout=30, limits=httpx.Limits(max_connections=CLIENTS))
        for replica in replicas
    ]
    try:
        yield opened
    finally:
        for client in opened:
            await client.aclose()


async def write_agent_event(client: httpx.AsyncClient, event_id: str) -> httpx.Response:
    body = {"externalAgentId": "agent-1", "eventId": event_id}
    return await client.post(ASAPP_WRITE, json=body, headers=ASAPP_HEADERS)


async def agent_records(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    response = await client.get(ASAPP_RECORDS, headers=ADMIN)
    if response.status_code == 404:  # no record yet
        return []
    assert response.status_code == 200, response.text
    records: list[dict[str, Any]] = response.json()["records"]
    return records


def assert_each_once(records: list[dict[str, Any]], expected: set[str]) -> None:
    ids = [record["eventId"] for record in records]
    assert len(ids) == len(set(ids)), "a record is duplicated"
    assert set(ids) == expected
    assert {record["submissions"] for record in records} == {1}


async def test_concurrent_clients_through_both_replicas_lose_and_duplicate_nothing(replicas: list[Replica]) -> None:
    writes_per_client = 20
    async with clients(replicas) as (first, second):

        async def client(number: int) -> list[str]:
            acknowledged = []
            for n in range(writes_per_client):
                writer, reader = (first, second) if (number + n) % 2 == 0 else (second, first)
                event_id = f"client{number}-write{n}"
                response = await write_agent_event(writer, event_id)
                assert response.status_code == 200, response.text
                assert response.json() == {"result": {"eventId": event_id, "error": ""}}
                acknowledged.append(event_id)
                if n % 10 == 9:  # our own write, read back through the other replica under load
                    assert event_id in {record["eventId"] for record in await agent_records(reader)}
            return acknowledged

        written = await asyncio.gather(*(client(number) for number in range(CLIENTS)))
        expected = set(itertools.chain.from_iterable(written))
        assert len(expected) == CLIENTS * writes_per_client
        for replica in (first, second):
            assert_each_once(await agent_records(replica), expected)


async def test_a_record_written_through_one_replica_is_read_back_through_the_other_at_once(
    replicas: list[Replica],
) -> None:
    async with clients(replicas) as (first, second):
        for n in range(20):
            writer, reader = (first, second) if n % 2 == 0 else (second, first)
            assert (await write_agent_event(writer, f"event-{n}")).status_code == 200
            assert f"event-{n}" in {record["eventId"] for record in await agent_records(reader)}
        resent = await write_agent_event(second, "event-0")  # the same eventId again: replaced, counted
        assert resent.status_code == 200
        [record] = [record for record in await agent_records(first) if record["eventId"] == "event-0"]
        assert record["submissions"] == 2


async def test_a_token_minted_through_one_replica_is_honoured_by_the_other_at_once(replicas: list[Replica]) -> None:
    async with clients(replicas) as (first, second):
        for n in range(10):
            minter, user = (first, second) if n % 2 == 0 else (second, first)
            grant = await minter.post(AISERA_TOKEN, data=AISERA_GRANT)
            assert grant.status_code == 200, grant.text
            bearer = {"Authorization": f"Bearer {grant.json()['access_token']}", "x-app-token": AISERA_APP}
            ingested = await user.post("/aisera-ingestion/incidents", json=[{"id": f"incident-{n}"}], headers=bearer)
            assert ingested.status_code == 200, ingested.text
        for client in (first, second):
            listed = await client.get("/__admin/records/aisera-ingestion/acme.incidents", headers=ADMIN)
            assert listed.status_code == 200, listed.text
            records = listed.json()["records"]
            assert sorted(record["record"]["id"] for record in records) == sorted(f"incident-{n}" for n in range(10))
            assert len({record["id"] for record in records}) == 10  # numbered by a counter both replicas share


async def test_a_server_wide_change_through_one_replica_holds_for_the_next_request_on_the_other(
    replicas: list[Replica],
) -> None:
    async with clients(replicas) as (first, second):
        before = (await second.get("/__admin/clock", headers=ADMIN)).json()["offsetSeconds"]
        advanced = await first.post("/__admin/clock/advance", json={"seconds": 7200}, headers=ADMIN)
        assert advanced.status_code == 200, advanced.text
        clock = await second.get("/__admin/clock", headers=ADMIN)
        assert clock.json()["offsetSeconds"] == before + 7200
        fault = {"status": 503, "retryAfter": 1}
        installed = await first.put("/__admin/faults/asapp-metadata-ingestion/singleAgentMetadata", json=fault,
                                    headers=ADMIN)  # fmt: skip
        assert installed.status_code == 200, installed.text
        assert (await write_agent_event(second, "during-fault")).status_code == 503
        assert (await second.delete("/__admin/faults", headers=ADMIN)).status_code == 204
        assert (await write_agent_event(first, "after-fault")).status_code == 200


async def test_killing_a_replica_mid_load_loses_no_acknowledged_write(own_replicas: list[Replica]) -> None:
    doomed = own_replicas[0]
    acknowledged: set[str] = set()
    after_kill: set[str] = set()
    killed = asyncio.Event()
    async with clients(own_replicas) as (to_doomed, to_survivor):

        async def client(number: int) -> None:
            for n in itertools.count():
                if killed.is_set() and n % 10 == 0 and len(after_kill) >= CLIENTS:
                    return
                target = to_doomed if (number + n) % 2 == 0 else to_survivor
                event_id = f"client{number}-write{n}"
                try:
                    response = await write_agent_event(target, event_id)
                except httpx.TransportError:  # the killed replica: not acknowledged
                    continue
                if response.status_code == 200:
                    acknowledged.add(event_id)
                    if killed.is_set() and target is to_survivor:
                        after_kill.add(event_id)

        async def kill_when_loaded() -> None:
            while len(acknowledged) < 200:
                await asyncio.sleep(0.01)
            await asyncio.to_thread(doomed.kill)
            killed.set()

        await asyncio.wait_for(asyncio.gather(kill_when_loaded(), *(client(n) for n in range(CLIENTS))), timeout=120)
        stored = {record["eventId"] for record in await agent_records(to_survivor)}
    assert doomed.process.returncode == -signal.SIGKILL
    assert len(after_kill) >= CLIENTS  # the survivor kept serving
    assert acknowledged <= stored, f"{len(acknowledged - stored)} acknowledged writes lost"


def test_the_database_password_appears_in_no_replica_output(
    postgres_server: PostgresServer, replicas: list[Replica]
) -> None:
    for replica in replicas:  # run after the tests above went through them, and now once more
        assert httpx.post(replica.base_url + ASAPP_WRITE, json={"externalAgentId": "a", "eventId": replica.name},
                          headers=ASAPP_HEADERS).status_code == 200  # fmt: skip
        output = replica.log()
        assert "state: postgresql://mock@127.0.0.1:" in output  # the banner says where, without the password
        assert "Application startup complete" in output and f"POST {ASAPP_WRITE}" in output
        assert postgres_server.password not in output


def test_the_compose_example_runs_the_replicas_as_these_tests_do() -> None:
    compose = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    services = compose["services"]
    replicas = {name: service for name, service in services.items() if name.startswith("replica")}
    assert len(replicas) == 2 and set(services) == {"postgres", *replicas}
    for service in replicas.values():
        command = [*service["entrypoint"], *service["command"]]
        assert command == replica_command("0.0.0.0", 8080)
        environment = service["environment"]
        assert environment["CONTRACT_MOCK_DB"].startswith("postgresql://")
        assert environment["CONTRACT_MOCK_DB"].endswith("@postgres:5432/mock")
        assert environment["CONTRACT_MOCK_ADMIN_TOKEN"]
