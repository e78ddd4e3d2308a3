"""A real Glance holding thousands of images, for the requests-and-bytes table.

The test harness (``tests/glance/seed.py``) seeds a few hundred awkward images
one at a time, uploads and memberships included: about 8 images a second.
A benchmark needs thousands of plain ones, so this seeder only creates image
records (one POST each) and uploads a few bytes to a share of them, so that
``size`` is set and ``size`` filters have something to select.

The data directory is kept (``--dir``, default ``benchmarks/.glance-data``), so
the images are seeded once and reused by later runs; :func:`ensure_seeded`
tops the catalogue up to the requested count.

    python -m benchmarks.glance_data serve --images 5000      # start, seed, print URL, wait
"""

from __future__ import annotations

import argparse
import contextlib
import random
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIR = ROOT / "benchmarks" / ".glance-data"
PROJECT = "proj-bench"
HEADERS = {
    "X-Identity-Status": "Confirmed",
    "X-Project-Id": PROJECT,
    "X-User-Id": "bench-admin",
    "X-Roles": "admin,reader,member",
}
_NAMESPACE = uuid.UUID("1d0c6b8e-6a51-4f7e-a5b8-2f9d7a1c3e42")

DISTROS = ("ubuntu", "debian", "fedora", "centos", "rocky", "windows")
TAGS = ("lts", "gpu", "prod", "staging", "cloud-init", "hardened", "arm64", "legacy")
FLAVOURS = ("base", "minimal", "server", "desktop", "cuda", "k8s-node", "ci-runner")


@dataclass(frozen=True)
class BenchImage:
    index: int
    id: str
    name: str
    tags: tuple[str, ...]
    properties: dict[str, str]
    visibility: str
    size: int | None

    def body(self) -> dict[str, object]:
        body: dict[str, object] = {
            "id": self.id,
            "name": self.name,
            "visibility": self.visibility,
            "tags": list(self.tags),
            "disk_format": "raw",
            "container_format": "bare",
        }
        body.update(self.properties)
        return body


def bench_image(index: int) -> BenchImage:
    """Image number ``index``: the same for every run, independent of the count."""
    rng = random.Random(index * 7919 + 13)
    distro = rng.choice(DISTROS)
    version = rng.choice(("20.04", "22.04", "24.04", "12", "40", "9", "2022"))
    name = f"{distro}-{version}-{rng.choice(FLAVOURS)}-{index:05d}"
    tags = tuple(sorted({t for t in TAGS if rng.random() < 0.18}))
    properties = {"os_distro": distro, "os_version": version}
    if rng.random() < 0.3:
        properties["hw_disk_bus"] = rng.choice(("scsi", "virtio"))
    if rng.random() < 0.2:
        properties["hw_rng_model"] = "virtio"
    # A quarter get data so that size is set; the rest stay queued (size null).
    size = rng.randrange(0, 4096) if rng.random() < 0.25 else None
    visibility = rng.choice(("private", "private", "public", "shared", "community"))
    return BenchImage(index, str(uuid.uuid5(_NAMESPACE, str(index))), name, tags, properties, visibility, size)


def count_images(client: httpx.Client) -> int:
    total = 0
    for hidden in ("false", "true"):
        marker = None
        while True:
            params = {"visibility": "all", "member_status": "all", "os_hidden": hidden, "limit": "1000"}
            if marker:
                params["marker"] = marker
            body = client.get("/v2/images", params=params, headers=HEADERS).json()
            total += len(body["images"])
            if not body["images"] or "next" not in body:
                break
            marker = body["images"][-1]["id"]
    return total


def _create(client: httpx.Client, image: BenchImage) -> int:
    """Create one image; returns how many requests were retried (SQLite locks)."""
    retries = 0
    for step in ("create", "upload"):
        if step == "upload" and image.size is None:
            break
        attempts = 0
        while True:
            attempts += 1
            if step == "create":
                response = client.post("/v2/images", json=image.body(), headers=HEADERS)
                if response.status_code == 409:  # already there from an interrupted run
                    return retries
            else:
                response = client.put(
                    f"/v2/images/{image.id}/file",
                    content=random.Random(image.id).randbytes(image.size or 0),
                    headers={**HEADERS, "Content-Type": "application/octet-stream"},
                )
            if response.status_code < 300:
                break
            if step == "upload" and response.status_code == 409:
                # A retried upload whose first attempt got through after all.
                break
            if response.status_code >= 500 and attempts < 20:
                retries += 1
                time.sleep(0.05 * attempts)  # "database is locked": wait and retry
                continue
            raise RuntimeError(f"{step} {image.id}: {response.status_code} {response.text[:300]}")
    return retries


def ensure_seeded(url: str, count: int, *, workers: int = 1, progress: bool = True) -> dict[str, float]:
    """Create images 0..count-1 that are missing; returns timing facts."""
    with httpx.Client(base_url=url, timeout=120) as client:
        have = count_images(client)
        if have >= count:
            return {"created": 0, "seconds": 0.0, "retries": 0, "present": have}
        # Images are created in index order, so the first ``have`` exist already
        # (a create that answers 409 is skipped anyway).
        todo = [bench_image(i) for i in range(max(0, have - workers * 2), count)]
        started = time.monotonic()
        done = 0
        retries = 0
        with ThreadPoolExecutor(workers) as pool:
            for retried in pool.map(lambda img: _create(client, img), todo):
                done += 1
                retries += retried
                if progress and done % 250 == 0:
                    rate = done / (time.monotonic() - started)
                    print(f"  seeded {done}/{len(todo)} ({rate:.0f}/s)", file=sys.stderr, flush=True)
        seconds = time.monotonic() - started
        return {"created": len(todo), "seconds": seconds, "retries": retries, "present": count_images(client)}


def glance_installed() -> bool:
    sys.path.insert(0, str(ROOT))
    try:
        from tests.glance.install import venv_bin
    except ImportError:
        return False
    return venv_bin("waitress-serve").exists()


@contextlib.contextmanager
def running_glance(directory: Path = DEFAULT_DIR, *, port: int = 0, api_limit_max: int = 1000) -> Iterator[str]:
    """A Glance serving the kept data directory; yields its URL."""
    sys.path.insert(0, str(ROOT))
    from tests.glance.server import GlanceServer

    directory.mkdir(parents=True, exist_ok=True)
    with GlanceServer.start(directory=directory, port=port, api_limit_max=api_limit_max) as server:
        yield server.url


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["serve", "seed"])
    parser.add_argument("--images", type=int, default=5000)
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--url", help="seed an already running Glance instead of starting one")
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)
    if args.url:
        print(ensure_seeded(args.url, args.images, workers=args.workers))
        return 0
    with running_glance(args.dir, port=args.port) as url:
        print(f"Glance at {url} (data in {args.dir})", flush=True)
        print(ensure_seeded(url, args.images, workers=args.workers), flush=True)
        if args.command == "serve":
            print("serving; Ctrl-C to stop", flush=True)
            with contextlib.suppress(KeyboardInterrupt):
                while True:
                    time.sleep(3600)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
