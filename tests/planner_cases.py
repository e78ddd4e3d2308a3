"""The planner's output for each profile, as one table.

Each case is a query and, per profile, the requests it makes, one string per
request: its parameters as sent (unencoded, ``-`` for none, ``limit`` only
when the query's limit is sent as the page size), then, after ``|``, what that
request leaves for the client to filter. ``"no request"`` means the plan makes
none. ``tests/test_planner.py`` checks every row; GLANCE.md says why each
row is right.

Plans are made at NOW, so that relative times are fixed.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

NOW = dt.datetime(2025, 10, 2, 12, 0, 0, tzinfo=dt.timezone.utc)

Expected = list[str] | str


class Case(NamedTuple):
    query: str
    glance: Expected
    documented: Expected
    none: Expected


def case(query: str, *, glance: Expected, documented: Expected, none: Expected) -> Case:
    return Case(query, glance, documented, none)


CASES = [
    # Colon names: a value with ':' is sent as eq:VALUE where the API splits operators, kept on the client where it
    # cannot be sent
    case(
        "images where name = 'a:b'",
        glance=["name=eq:a:b"],
        documented=["- | name = a:b"],
        none=["- | name = a:b"],
    ),
    case(
        "images where name = 'in:x'",
        glance=["name=eq:in:x"],
        documented=["- | name = in:x"],
        none=["- | name = in:x"],
    ),
    case(
        "images where id = 'x:y' and disk_format = qcow2",
        glance=["id=eq:x:y&disk_format=qcow2"],
        documented=["- | id = x:y and disk_format = qcow2"],
        none=["- | id = x:y and disk_format = qcow2"],
    ),
    case(
        "images where owner = 'a:b'",
        glance=["- | owner = a:b"],
        documented=["- | owner = a:b"],
        none=["- | owner = a:b"],
    ),
    case(
        "images where os_distro = 'x:y'",
        glance=["os_distro=x:y"],
        documented=["- | os_distro = x:y"],
        none=["- | os_distro = x:y"],
    ),
    # in: lists: every item double-quoted; an item with a double quote or a trailing backslash cannot be quoted, so
    # the list becomes a union of eq: requests or stays on the client
    case(
        "images where name in ('a,b', c)",
        glance=['name=in:"a,b","c"'],
        documented=["name=a,b", "name=c"],
        none=["- | name in ('a,b', c)"],
    ),
    case(
        "images where status in (active, queued)",
        glance=['status=in:"active","queued"'],
        # A status lists a large share of a catalog: no union of them.
        documented=["- | status in (active, queued)"],
        none=["- | status in (active, queued)"],
    ),
    case(
        "images where container_format in (bare, ovf) and disk_format = raw",
        glance=['container_format=in:"bare","ovf"&disk_format=raw'],
        documented=["- | container_format in (bare, ovf) and disk_format = raw"],
        none=["- | container_format in (bare, ovf) and disk_format = raw"],
    ),
    case(
        "images where name in ('a\"b', c)",
        glance=['name=a"b', "name=c"],
        documented=['name=a"b', "name=c"],
        none=["- | name in ('a\"b', c)"],
    ),
    case(
        "images where name in ('a\\\\', c, d, e, f)",
        glance=["- | name in ('a\\\\', c, d, e, f)"],
        documented=["- | name in ('a\\\\', c, d, e, f)"],
        none=["- | name in ('a\\\\', c, d, e, f)"],
    ),
    case(
        "images where name in ('', 'x:y')",
        glance=['name=in:"","x:y"'],
        documented=["- | name in ('', x:y)"],
        none=["- | name in ('', x:y)"],
    ),
    # Tags: repeated and conjunctive; no in:, so a list is a union; the API strips spaces around a tag
    case(
        "images where tag = lts and tag = gpu",
        glance=["tag=lts&tag=gpu"],
        documented=["tag=lts&tag=gpu"],
        none=["- | tag = lts and tag = gpu"],
    ),
    case(
        "images where tag in (a, b)",
        glance=["tag=a", "tag=b"],
        documented=["tag=a", "tag=b"],
        none=["- | tag in (a, b)"],
    ),
    case(
        "images where tag not in (a, b)",
        glance=["- | tag not in (a, b)"],
        documented=["- | tag not in (a, b)"],
        none=["- | tag not in (a, b)"],
    ),
    case(
        "images where tag = ' lts'",
        glance=["- | tag = ' lts'"],
        documented=["- | tag = ' lts'"],
        none=["- | tag = ' lts'"],
    ),
    case(
        "images where tag = 'in:a,b'",
        glance=["tag=in:a,b"],
        documented=["tag=in:a,b"],
        none=["- | tag = 'in:a,b'"],
    ),
    # Times: one bound per field and request (the last one given wins), the other on the client; bounds moved to
    # whole seconds
    case(
        "images where created_at > 2025-01-01 and created_at < 2025-02-01",
        glance=["created_at=gte:2025-01-01T00:00:01Z | created_at < 2025-02-01T00:00:00Z"],
        documented=["created_at=gte:2025-01-01T00:00:01Z | created_at < 2025-02-01T00:00:00Z"],
        none=["- | created_at > 2025-01-01T00:00:00Z and created_at < 2025-02-01T00:00:00Z"],
    ),
    case(
        "images where updated_at >= 2025-01-01 and created_at < 2025-03-01",
        glance=["updated_at=gte:2025-01-01T00:00:00Z&created_at=lt:2025-03-01T00:00:00Z"],
        documented=["updated_at=gte:2025-01-01T00:00:00Z&created_at=lt:2025-03-01T00:00:00Z"],
        none=["- | updated_at >= 2025-01-01T00:00:00Z and created_at < 2025-03-01T00:00:00Z"],
    ),
    case(
        "images where created_at > '2025-01-01T00:00:00.4Z'",
        glance=["created_at=gte:2025-01-01T00:00:01Z"],
        documented=["created_at=gte:2025-01-01T00:00:01Z"],
        none=["- | created_at > 2025-01-01T00:00:00.400000Z"],
    ),
    case(
        "images where created_at >= '2025-01-01T00:00:00.4Z'",
        glance=["created_at=gte:2025-01-01T00:00:01Z"],
        documented=["created_at=gte:2025-01-01T00:00:01Z"],
        none=["- | created_at >= 2025-01-01T00:00:00.400000Z"],
    ),
    case(
        "images where created_at < '2025-01-01T00:00:00.4Z'",
        glance=["created_at=lt:2025-01-01T00:00:01Z"],
        documented=["created_at=lt:2025-01-01T00:00:01Z"],
        none=["- | created_at < 2025-01-01T00:00:00.400000Z"],
    ),
    case(
        "images where created_at <= '2025-01-01T00:00:00.4Z'",
        glance=["created_at=lt:2025-01-01T00:00:01Z"],
        documented=["created_at=lt:2025-01-01T00:00:01Z"],
        none=["- | created_at <= 2025-01-01T00:00:00.400000Z"],
    ),
    case(
        "images where created_at > 2025-01-01T00:00:00Z",
        glance=["created_at=gte:2025-01-01T00:00:01Z"],
        documented=["created_at=gte:2025-01-01T00:00:01Z"],
        none=["- | created_at > 2025-01-01T00:00:00Z"],
    ),
    case(
        "images where created_at <= 2025-01-01T00:00:00Z",
        glance=["created_at=lt:2025-01-01T00:00:01Z"],
        documented=["created_at=lt:2025-01-01T00:00:01Z"],
        none=["- | created_at <= 2025-01-01T00:00:00Z"],
    ),
    case(
        "images where created_at = 2025-01-01T00:00:00Z",
        glance=["created_at=gte:2025-01-01T00:00:00Z | created_at = 2025-01-01T00:00:00Z"],
        documented=["created_at=gte:2025-01-01T00:00:00Z | created_at = 2025-01-01T00:00:00Z"],
        none=["- | created_at = 2025-01-01T00:00:00Z"],
    ),
    case(
        "images where updated_at = '2025-01-01T00:00:00.4Z'",
        glance=["- | updated_at = 2025-01-01T00:00:00.400000Z"],
        documented=["- | updated_at = 2025-01-01T00:00:00.400000Z"],
        none=["- | updated_at = 2025-01-01T00:00:00.400000Z"],
    ),
    case(
        "images where created_at > '2025-01-01T02:00:00+02:00'",
        glance=["created_at=gte:2025-01-01T00:00:01Z"],
        documented=["created_at=gte:2025-01-01T00:00:01Z"],
        none=["- | created_at > 2025-01-01T00:00:00Z"],
    ),
    case(
        "images where created_at > 7d ago",
        glance=["created_at=gte:2025-09-25T12:00:01Z"],
        documented=["created_at=gte:2025-09-25T12:00:01Z"],
        none=["- | created_at > 2025-09-25T12:00:00Z"],
    ),
    # Sizes: inclusive bounds in bytes
    case(
        "images where size < 1KB",
        glance=["size_max=999"],
        documented=["size_max=999"],
        none=["- | size < 1KB"],
    ),
    case(
        "images where size > 1KB",
        glance=["size_min=1001"],
        documented=["size_min=1001"],
        none=["- | size > 1KB"],
    ),
    case(
        "images where size <= 1KiB",
        glance=["size_max=1024"],
        documented=["size_max=1024"],
        none=["- | size <= 1KiB"],
    ),
    case(
        "images where size >= 1KiB",
        glance=["size_min=1024"],
        documented=["size_min=1024"],
        none=["- | size >= 1KiB"],
    ),
    case(
        "images where size = 5GB",
        glance=["size_min=5000000000&size_max=5000000000"],
        documented=["size_min=5000000000&size_max=5000000000"],
        none=["- | size = 5GB"],
    ),
    case(
        "images where size <= 1KB and size >= 10",
        glance=["size_min=10&size_max=1000"],
        documented=["size_min=10&size_max=1000"],
        none=["- | size >= 10 and size <= 1KB"],
    ),
    case(
        "images where size < 1",
        glance=["size_max=0"],
        documented=["size_max=0"],
        none=["- | size < 1"],
    ),
    case(
        "images where size < 0",
        glance=["- | size < 0"],
        documented=["- | size < 0"],
        none=["- | size < 0"],
    ),
    case(
        "images where not size < 1KB",
        glance=["- | not size < 1KB"],
        documented=["- | not size < 1KB"],
        none=["- | not size < 1KB"],
    ),
    case(
        "images where size != 3",
        glance=["- | size != 3"],
        documented=["- | size != 3"],
        none=["- | size != 3"],
    ),
    case(
        "images where size in (1, 2)",
        glance=["size_min=1&size_max=1", "size_min=2&size_max=2"],
        documented=["size_min=1&size_max=1", "size_min=2&size_max=2"],
        none=["- | size in (1, 2)"],
    ),
    # A one-value list is an equality; a list on an ordered field is the range containing it, or exact ranges
    case(
        "images where protected in (false)",
        glance=["protected=false"],
        documented=["protected=false"],
        none=["- | protected = false"],
    ),
    case(
        "images where tag not in (a)",
        glance=["- | tag != a"],
        documented=["- | tag != a"],
        none=["- | tag != a"],
    ),
    case(
        "images where size in (2604, 604B, 0.918KB)",
        glance=["size_min=2604&size_max=2604", "size_min=604&size_max=604", "size_min=918&size_max=918"],
        documented=["size_min=2604&size_max=2604", "size_min=604&size_max=604", "size_min=918&size_max=918"],
        none=["- | size in (2604, 604, 918)"],
    ),
    case(
        "images where min_ram in (512MiB, 1GiB, 8GiB)",
        glance=["min_ram_min=512&min_ram_max=8192 | min_ram in (512, 1024, 8192)"],
        documented=["- | min_ram in (512, 1024, 8192)"],
        none=["- | min_ram in (512, 1024, 8192)"],
    ),
    case(
        "images where min_disk >= 10 and min_disk < 20",
        glance=["min_disk_min=10&min_disk_max=19"],
        documented=["- | min_disk >= 10 and min_disk < 20"],
        none=["- | min_disk >= 10 and min_disk < 20"],
    ),
    case(
        "images where created_at in (2025-01-01, 2025-03-01T10:00:00)",
        glance=["created_at=gte:2025-01-01T00:00:00Z | created_at in (2025-01-01T00:00:00Z, 2025-03-01T10:00:00Z)"],
        documented=["created_at=gte:2025-01-01T00:00:00Z | created_at in (2025-01-01T00:00:00Z, 2025-03-01T10:00:00Z)"],
        none=["- | created_at in (2025-01-01T00:00:00Z, 2025-03-01T10:00:00Z)"],
    ),
    # Sort and limit: the server sorts when it can sort by every key; the limit is the page size only when one
    # request answers exactly
    case(
        "images order by created_at desc limit 1",
        # id breaks ties; the run of the last shown second is read to its end, in the client's pages.
        glance=["sort=created_at:desc,id:desc"],
        documented=["sort=created_at:desc,id:desc"],
        none=["-"],
    ),
    case(
        "images where tag = lts order by size desc limit 3",
        glance=["tag=lts"],
        documented=["tag=lts"],
        none=["- | tag = lts"],
    ),
    case(
        "images where tag = lts order by os_distro limit 3",
        glance=["tag=lts"],
        documented=["tag=lts"],
        none=["- | tag = lts"],
    ),
    case(
        "images where name like 'u*' order by name limit 3",
        glance=["- | name like 'u*'"],
        documented=["- | name like 'u*'"],
        none=["- | name like 'u*'"],
    ),
    case(
        "images where tag in (a, b) order by name limit 3",
        glance=["tag=a", "tag=b"],
        documented=["tag=a", "tag=b"],
        none=["- | tag in (a, b)"],
    ),
    case(
        "images order by name, size desc",
        glance=["-"],
        documented=["-"],
        none=["-"],
    ),
    # Nulls in name or size break Glance's paging, so the server sorts by them
    # only when a pushed filter rules nulls out.
    case(
        "images where size > 0 order by size desc limit 3",
        glance=["size_min=1&sort=size:desc,id:desc&limit=3"],
        documented=["size_min=1"],
        none=["- | size > 0"],
    ),
    case(
        "images where name in (a, b) order by name desc",
        glance=['name=in:"a","b"&sort=name:desc,id:desc'],
        documented=["name=a&sort=name:desc,id:desc", "name=b&sort=name:desc,id:desc"],
        none=["- | name in (a, b)"],
    ),
    case(
        "images where tag = lts limit 2000",
        glance=["tag=lts&limit=1000"],
        documented=["tag=lts&limit=1000"],
        none=["- | tag = lts"],
    ),
    # Hidden images and visibility: os_hidden=true lists only hidden images; naming visibility widens the listing to
    # visibility=all
    case(
        "images where hidden",
        glance=["os_hidden=true"],
        documented=["os_hidden=true"],
        none=["os_hidden=true"],
    ),
    case(
        "images where hidden or tag = lts",
        glance=["tag=lts", "os_hidden=true"],
        documented=["tag=lts", "os_hidden=true"],
        none=["- | tag = lts", "os_hidden=true"],
    ),
    case(
        "images where not hidden and tag = lts",
        glance=["tag=lts"],
        documented=["tag=lts"],
        none=["- | tag = lts"],
    ),
    case(
        "images where hidden = false",
        glance=["-"],
        documented=["-"],
        none=["-"],
    ),
    case(
        "images where visibility in (public, community)",
        # Public and community images are most of a public cloud: a union would save too little.
        glance=["visibility=all | visibility in (public, community)"],
        documented=["visibility=all | visibility in (public, community)"],
        none=["visibility=all | visibility in (public, community)"],
    ),
    case(
        "images where visibility in (private, shared)",
        # A project's own and shared images are the small side of a public cloud: two requests that cannot overlap.
        glance=["visibility=private", "visibility=shared"],
        documented=["visibility=private", "visibility=shared"],
        none=["visibility=all | visibility in (private, shared)"],
    ),
    case(
        "images where status = active and visibility in (public, community)",
        glance=["visibility=all&status=active | visibility in (public, community)"],
        documented=["visibility=all&status=active | visibility in (public, community)"],
        none=["visibility=all | status = active and visibility in (public, community)"],
    ),
    case(
        "images where visibility = community and tag = x",
        glance=["visibility=community&tag=x"],
        documented=["visibility=community&tag=x"],
        none=["visibility=all | visibility = community and tag = x"],
    ),
    case(
        "images where visibility != public",
        glance=["visibility=all | visibility != public"],
        documented=["visibility=all | visibility != public"],
        none=["visibility=all | visibility != public"],
    ),
    case(
        "images where visibility = shared or hidden",
        glance=["visibility=shared", "os_hidden=true&visibility=all"],
        documented=["visibility=shared", "os_hidden=true&visibility=all"],
        none=["visibility=all | visibility = shared", "os_hidden=true&visibility=all"],
    ),
    # member_status chooses listings; all images lists every scope
    case(
        "images where member_status = pending",
        glance=["member_status=pending"],
        documented=["member_status=pending"],
        none=["member_status=pending"],
    ),
    case(
        "images where member_status in (pending, rejected) and tag = x",
        glance=["member_status=pending&tag=x", "member_status=rejected&tag=x"],
        documented=["member_status=pending&tag=x", "member_status=rejected&tag=x"],
        none=["member_status=pending | tag = x", "member_status=rejected | tag = x"],
    ),
    case(
        "images where member_status = all and name = a",
        glance=["member_status=all&name=a"],
        documented=["member_status=all&name=a"],
        none=["member_status=all | name = a"],
    ),
    case(
        "images where member_status in (accepted, pending, rejected)",
        glance=["member_status=all"],
        documented=["member_status=all"],
        none=["member_status=all"],
    ),
    case(
        "all images",
        glance=["member_status=all&visibility=all", "member_status=all&os_hidden=true&visibility=all"],
        documented=["member_status=all&visibility=all", "member_status=all&os_hidden=true&visibility=all"],
        none=["member_status=all&visibility=all", "member_status=all&os_hidden=true&visibility=all"],
    ),
    case(
        "all images where tag = x limit 5",
        glance=["member_status=all&visibility=all&tag=x", "member_status=all&os_hidden=true&visibility=all&tag=x"],
        documented=["member_status=all&visibility=all&tag=x", "member_status=all&os_hidden=true&visibility=all&tag=x"],
        none=[
            "member_status=all&visibility=all | tag = x",
            "member_status=all&os_hidden=true&visibility=all | tag = x",
        ],
    ),
    # Custom properties: exact string equality, never for names the API reads otherwise
    case(
        "images where os_distro = ubuntu and min_ram = 1024",
        glance=["os_distro=ubuntu&min_ram_min=1024&min_ram_max=1024"],
        documented=["- | os_distro = ubuntu and min_ram = 1024"],
        none=["- | os_distro = ubuntu and min_ram = 1024"],
    ),
    case(
        "images where os_distro in (ubuntu, debian)",
        glance=["os_distro=ubuntu", "os_distro=debian"],
        documented=["- | os_distro in (ubuntu, debian)"],
        none=["- | os_distro in (ubuntu, debian)"],
    ),
    case(
        "images where hw_disk_bus = scsi and checksum = abc",
        glance=["hw_disk_bus=scsi&checksum=abc"],
        documented=["- | hw_disk_bus = scsi and checksum = abc"],
        none=["- | hw_disk_bus = scsi and checksum = abc"],
    ),
    case(
        "images where build_min = 3",
        glance=["- | build_min = 3"],
        documented=["- | build_min = 3"],
        none=["- | build_min = 3"],
    ),
    case(
        "images where deleted = 'true'",
        glance=["- | deleted = true"],
        documented=["- | deleted = true"],
        none=["- | deleted = true"],
    ),
    case(
        "images where limit = 5",
        glance=["- | limit = 5"],
        documented=["- | limit = 5"],
        none=["- | limit = 5"],
    ),
    case(
        "images where os_version > 10",
        glance=["- | os_version > 10"],
        documented=["- | os_version > 10"],
        none=["- | os_version > 10"],
    ),
    # Booleans, owner, unions
    case(
        "images where protected",
        glance=["protected=true"],
        documented=["protected=true"],
        none=["- | protected"],
    ),
    case(
        "images where not protected",
        glance=["- | not protected"],
        documented=["- | not protected"],
        none=["- | not protected"],
    ),
    case(
        "images where protected != true",
        glance=["protected=false"],
        documented=["protected=false"],
        none=["- | protected != true"],
    ),
    case(
        "images where owner = p1 or owner = p2",
        glance=["owner=p1", "owner=p2"],
        documented=["owner=p1", "owner=p2"],
        none=["- | owner in (p1, p2)"],
    ),
    case(
        "images where name = a and (tag = x or tag = y)",
        glance=["name=a&tag=x", "name=a&tag=y"],
        documented=["name=a&tag=x", "name=a&tag=y"],
        none=["- | name = a and tag in (x, y)"],
    ),
    case(
        "images where name = a or name like 'b*'",
        glance=["- | name = a or name like 'b*'"],
        documented=["- | name = a or name like 'b*'"],
        none=["- | name = a or name like 'b*'"],
    ),
    case(
        "images where tag = a or name = x or status = active or size > 4 or id = z",
        glance=["- | tag = a or name = x or status = active or size > 4 or id = z"],
        documented=["- | tag = a or name = x or status = active or size > 4 or id = z"],
        none=["- | tag = a or name = x or status = active or size > 4 or id = z"],
    ),
    case(
        "images where (tag = a and size > 1GB) or (tag = b and size < 1MB)",
        glance=["tag=a&size_min=1000000001", "tag=b&size_max=999999"],
        documented=["tag=a&size_min=1000000001", "tag=b&size_max=999999"],
        none=["- | tag = a and size > 1GB or tag = b and size < 1MB"],
    ),
    # Bounds past what Glance stores (a size below 2**63) are clamped: an upper bound exactly, a
    # lower bound checked on the client too; a stored-range equality on min_ram stays on the client.
    case(
        "images where size < 1e19",
        glance=["size_max=9223372036854775807"],
        documented=["size_max=9223372036854775807"],
        none=["- | size < 10000PB"],
    ),
    case(
        "images where size >= 8192PiB",
        glance=["size_min=9223372036854775807 | size >= 8192PiB"],
        documented=["size_min=9223372036854775807 | size >= 8192PiB"],
        none=["- | size >= 8192PiB"],
    ),
    case(
        "images where size <= 9223372036854775807",
        glance=["size_max=9223372036854775807"],
        documented=["size_max=9223372036854775807"],
        none=["- | size <= 9223372036854775807"],
    ),
    case(
        "images where min_ram = 3000000000",
        glance=["min_ram_min=2147483647&min_ram_max=2147483647 | min_ram = 3000000000"],
        documented=["- | min_ram = 3000000000"],
        none=["- | min_ram = 3000000000"],
    ),
    case(
        "images where stores = fs",
        glance=["- | stores = fs"],
        documented=["- | stores = fs"],
        none=["- | stores = fs"],
    ),
    # Unsatisfiable: no request at all
    case(
        "images where size > 5GB and size < 1GB",
        glance="no request",
        documented="no request",
        none="no request",
    ),
    case(
        "images where tag = a and tag != a",
        glance="no request",
        documented="no request",
        none="no request",
    ),
    case(
        "images where status = active and status = queued",
        glance="no request",
        documented="no request",
        none="no request",
    ),
    case(
        "images where tag = a limit 0",
        glance="no request",
        documented="no request",
        none="no request",
    ),
    case(
        "images where member_status = pending and member_status = rejected",
        glance="no request",
        documented="no request",
        none="no request",
    ),
    case(
        "images where hidden missing",
        glance="no request",
        documented="no request",
        none="no request",
    ),
]
