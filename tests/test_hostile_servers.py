"""Broken and hostile servers: each answer's time and size bounded, paging that
cycles stopped, deep JSON and records of the wrong shape refused, every failure
an imgql.Error. Scripted servers on 127.0.0.1 (tests/hostile_server.py)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

import imgql
from imgql.http.keystone import KeystoneAuth
from tests.hostile_server import Answer, hostile, json_answer, page, within

TOKEN = "gAAAAA-hostile-token-Qw3"


def image(n: int, **fields: object) -> dict[str, object]:
    return {
        "id": f"00000000-0000-0000-0000-{n:012d}",
        "name": f"image-{n}",
        "status": "active",
        "created_at": f"2025-01-{n:02d}T00:00:00Z",
        "tags": [],
        **fields,
    }


def test_a_trickling_answer_is_cut_at_the_total_time() -> None:
    # One byte every 0.3 s, each within the read timeout: 30 s in all if read to the end.
    trickle = Answer(200, [b" "] * 100, pause=0.3)
    with hostile(lambda method, path: trickle) as glance:
        client = imgql.Client(glance.url, TOKEN, timeout=1, retries=0)
        with client, pytest.raises(imgql.ConnectionError, match="total time limit"):
            within(15, lambda: list(client.query("images")))


def test_a_trickling_answer_is_cut_at_the_total_time_async() -> None:
    trickle = Answer(200, [b" "] * 100, pause=0.3)

    async def run() -> None:
        async with imgql.AsyncClient(glance.url, TOKEN, timeout=1, retries=0) as client:
            await client.collect("images")

    with hostile(lambda method, path: trickle) as glance, pytest.raises(imgql.ConnectionError, match="total time"):
        within(15, lambda: asyncio.run(run()))


def test_an_answer_larger_than_the_limit_is_refused() -> None:
    huge = Answer(200, [b" " * 65536] * 40)  # 2.5 MiB of nothing
    with hostile(lambda method, path: huge) as glance:
        client = imgql.Client(glance.url, TOKEN, retries=0, max_response_bytes=1024 * 1024)
        with client, pytest.raises(imgql.ServiceError, match="larger than 1,048,576 bytes"):
            within(30, lambda: list(client.query("images")))


@pytest.mark.parametrize("query", ["images", "images order by name"])
def test_pages_that_point_at_each_other_end_with_an_error(query: str) -> None:
    first, second = [image(1), image(2)], [image(3), image(4)]

    def respond(method: str, path: str) -> Answer:
        # Page two's marker leads back to page one: a cycle.
        return page(second, first[-1]["id"]) if "marker=" + str(first[-1]["id"]) in path else page(first, "x")

    def answer_for(method: str, path: str) -> Answer:
        if "marker=" not in path:
            return page(first, str(first[-1]["id"]))
        return respond(method, path)

    with hostile(answer_for) as glance:
        client = imgql.Client(glance.url, TOKEN, retries=0, page_size=2)
        seen: list[str] = []

        def run() -> None:
            for found in client.query(query):
                seen.append(found.id)

        with client, pytest.raises(imgql.ServiceError, match=r"cycle|already returned"):
            within(20, run)
    assert len(seen) == len(set(seen)) <= 4
    assert len(glance.requests) <= 4


def test_deep_json_is_a_clear_error_everywhere(tmp_path: Path) -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    with hostile(lambda method, path: Answer(200, deep)) as glance:
        client = imgql.Client(glance.url, TOKEN, retries=0)
        with client, pytest.raises(imgql.ServiceError, match="nested too deeply"):
            list(client.query("images"))
    with hostile(lambda method, path: Answer(403, b'{"error": ' + deep + b"}")) as glance:
        client = imgql.Client(glance.url, TOKEN, retries=0)
        with client, pytest.raises(imgql.Forbidden):
            list(client.query("images"))
    token = Answer(201, deep, (("X-Subject-Token", TOKEN),))
    with hostile(lambda method, path: token) as keystone:
        auth = KeystoneAuth(f"{keystone.url}/v3", username="alice", password="pw-hostile-1", project_name="demo")
        with imgql.Client(auth=auth, retries=0) as client, pytest.raises(imgql.ServiceError, match="token object"):
            list(client.query("images"))
    catalog = tmp_path / "deep.json"
    catalog.write_bytes(b'{"images": ' + deep + b"}")
    with pytest.raises(imgql.CatalogError, match="nested too deeply"):
        imgql.Catalog(str(catalog))


@pytest.mark.parametrize(
    ("fields", "query", "named"),
    [
        ({"size": "5"}, "images where size < 5GB", "size"),
        ({"min_ram": "x"}, "images where min_ram in (1, 2)", "min_ram"),
        ({"tags": [{}]}, "images where tag in (a, b)", "tags"),
        ({"tags": "notalist"}, "images where tag = a", "tags"),
        ({"protected": "no"}, "images where protected = false", "protected"),
    ],
)
def test_a_record_of_the_wrong_shape_names_the_image_and_field(
    fields: dict[str, object], query: str, named: str, tmp_path: Path
) -> None:
    bad = image(7, **fields)
    with hostile(lambda method, path: page([image(1), bad])) as glance:
        client = imgql.Client(glance.url, TOKEN, retries=0)
        with client, pytest.raises(imgql.ServiceError) as raised:
            list(client.query(query))
    assert str(bad["id"]) in str(raised.value) and named in str(raised.value)
    catalog = tmp_path / "catalog.json"
    catalog.write_text(json.dumps({"images": [bad]}))
    with pytest.raises(imgql.CatalogError, match=named):
        imgql.Catalog(str(catalog))


def test_an_image_made_by_hand_of_the_wrong_shape_still_prints() -> None:
    assert "size='abc'" in repr(imgql.Image.from_record({"id": "z", "size": "abc"}))


def test_a_keystone_answer_larger_than_the_limit_is_refused() -> None:
    pytest.importorskip("httpx")
    huge = Answer(201, [b" " * 1024 * 1024] * 70, (("X-Subject-Token", TOKEN),))
    with hostile(lambda method, path: huge) as keystone:
        auth = KeystoneAuth(f"{keystone.url}/v3", username="alice", password="pw-hostile-1", project_name="demo")
        with imgql.Client(auth=auth, retries=0) as client, pytest.raises(imgql.ServiceError, match="larger than"):
            within(60, lambda: list(client.query("images")))


def test_json_answer_helper_is_json() -> None:
    assert json.loads(json_answer(200, {"a": 1}).body) == {"a": 1}  # type: ignore[arg-type]


def test_concurrency_bounds_the_requests_across_places() -> None:
    import threading
    import time

    regions = [f"R{n:03d}" for n in range(150)]
    in_flight = {"now": 0, "most": 0}
    lock = threading.Lock()
    url: list[str] = []

    def respond(method: str, path: str) -> Answer:
        if method == "POST":
            endpoints = [{"interface": "public", "region_id": r, "region": r, "url": url[0]} for r in regions]
            body = {
                "token": {"expires_at": "2999-01-01T00:00:00Z", "catalog": [{"type": "image", "endpoints": endpoints}]}
            }
            return json_answer(201, body, ("X-Subject-Token", TOKEN))
        with lock:
            in_flight["now"] += 1
            in_flight["most"] = max(in_flight["most"], in_flight["now"])
        time.sleep(0.01)
        with lock:
            in_flight["now"] -= 1
        return page([image(1)])

    with hostile(respond) as cloud:
        url.append(cloud.url)
        auth = KeystoneAuth(f"{cloud.url}/v3", username="alice", password="pw-hostile-1", project_name="demo")
        with imgql.Client(auth=auth, retries=0, concurrency=2) as client:
            threads: list[int] = []

            def run() -> int:
                count = 0
                for _ in client.query("images where region = *"):
                    count += 1
                    threads.append(threading.active_count())
                return count

            assert within(120, run) == 150
    assert in_flight["most"] <= 2


def test_close_stops_a_query_waiting_for_its_answer() -> None:
    slow = Answer(200, json.dumps({"images": []}).encode(), delay=20)
    with hostile(lambda method, path: slow) as glance:
        client = imgql.Client(glance.url, TOKEN, retries=0, timeout=30)
        outcome: list[BaseException] = []

        def run() -> None:
            try:
                list(client.query("images"))
            except imgql.Error as exc:
                outcome.append(exc)

        import threading
        import time

        worker = threading.Thread(target=run, daemon=True)
        worker.start()
        time.sleep(0.5)
        client.close()
        worker.join(8)  # a bounded wait: the answer would come after 20 s
        assert not worker.is_alive()
        assert outcome and isinstance(outcome[0], imgql.Error)


def test_ctrl_c_on_a_union_exits_at_once() -> None:
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    slow = Answer(200, json.dumps({"images": []}).encode(), delay=25)
    with hostile(lambda method, path: slow) as glance:
        command = Path(sys.executable).parent / "imgql"
        union = "images where os_distro = ubuntu or tag = lts"
        plan = imgql.parse(union).plan()
        assert len(plan.requests) > 1  # a union: its requests run in threads
        process = subprocess.Popen(
            [str(command), "query", "--os-endpoint", glance.url, "--os-token", TOKEN, "--timeout", "30", union],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            deadline = time.monotonic() + 30
            while not glance.requests and time.monotonic() < deadline:
                time.sleep(0.1)
            time.sleep(0.5)  # the request is in flight, in a worker thread
            process.send_signal(signal.SIGINT)
            code = process.wait(timeout=10)  # bounded: the answers would come after 25 s
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    assert code == 130


@pytest.mark.parametrize("asynchronous", [False, True])
def test_a_query_ends_at_its_time_limit(asynchronous: bool) -> None:
    counter = iter(range(1, 10_000))

    def respond(method: str, path: str) -> Answer:
        n = next(counter)
        # Endless pages, each a little slow, each bringing a new image.
        slow = page([image(n, created_at="2025-01-01T00:00:00Z")], "more")
        return Answer(slow.status, slow.body, slow.headers, delay=0.3)

    with hostile(respond) as glance:
        if asynchronous:

            async def run() -> None:
                async with imgql.AsyncClient(glance.url, TOKEN, query_timeout=1.5, page_size=1) as client:
                    await client.collect("images")

            with pytest.raises(imgql.ConnectionError, match="time limit"):
                within(15, lambda: asyncio.run(run()))
        else:
            client = imgql.Client(glance.url, TOKEN, query_timeout=1.5, page_size=1)
            with client, pytest.raises(imgql.ConnectionError, match="time limit"):
                within(15, lambda: list(client.query("images")))


def test_a_server_that_never_sends_its_headers_is_cut_at_the_total_time() -> None:
    # No status line for 20 s: within the per-read timeout of 30 s, past the query's 1 s.
    silent = Answer(200, b"{}", delay=20)
    with hostile(lambda method, path: silent) as glance:
        client = imgql.Client(glance.url, TOKEN, timeout=30, query_timeout=1, retries=0)
        with client, pytest.raises(imgql.ConnectionError):
            within(8, lambda: list(client.query("images")))
