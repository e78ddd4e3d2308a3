"""A search box on a web page, backed by imgql.search_box: a JSON endpoint and a page that uses it.

    python examples/search_server.py [--port 8000] [--live]

Open http://127.0.0.1:8000/ and type what you would type anywhere else:
``ubuntu 24.04 tag:lts size<2g -minimal sort:created-desc``. The page shows how
the search was understood (the canonical query), the terms it ignored and why,
the number of matches, and the images a page at a time. ``/?q=TEXT`` opens with
that search run.

The page is a client of the JSON endpoint, which an application can use on its own:

    GET /api/search?q=TEXT[&limit=N][&marker=ID]      (also /?format=json&q=...)

    {"query": "images where ...", "ignored": [{"term": "size<5xb", "reason": "..."}],
     "total": 173, "limit": 25, "images": [{"id": ..., "name": ..., ...}, ...],
     "next": "<id of the last image>" or null}

``next`` is the marker of the following page: ``marker=`` asks for the images after
that one, in the same order. ``total`` counts every match (up to ``MAX_SCAN``). A
search the box refuses (text longer than imgql's limit) is a 400 with ``{"error": ...}``;
a cloud that fails is a 502 with a generic message (the detail is logged, never shown).
The application decides which fields a visitor may filter on (``ALLOW``); a visitor
cannot widen what the listing shows. Only the standard library is used.
"""

from __future__ import annotations

import argparse
import html
import http.server
import json
import logging
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import imgql
from imgql.lang.searchbox import DEFAULT_ALLOW, describe_allow

ALLOW = DEFAULT_ALLOW  # what visitors may filter on
PAGE_SIZE = 25  # images per page unless ?limit= says otherwise (at most MAX_PAGE)
MAX_PAGE = 200
MAX_SCAN = 10_000  # matches read to count the total and find a marker

log = logging.getLogger("search_server")

# The fields of each row: enough to tell apart images that share a name.
ROW_FIELDS = ("id", "name", "status", "os_distro", "os_version", "architecture", "size", "disk_format",
              "visibility", "created_at", "tags")  # fmt: skip

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Images</title>
<style>
body{font-family:sans-serif;margin:1em;max-width:72em}
form{display:flex;gap:.5em;flex-wrap:wrap}
input{flex:1 1 16em;min-width:0;box-sizing:border-box;font-size:1em;padding:.3em}
code{background:#eee;padding:1px 4px;word-break:break-all}
table{border-collapse:collapse;width:100%} td,th{padding:3px 6px;text-align:left;vertical-align:top}
tr:nth-child(even){background:#f6f6f6} .id{font-family:monospace;font-size:.85em;color:#555}
.tag{display:inline-block;background:#e4ecf7;border-radius:3px;padding:0 4px;margin:1px;white-space:nowrap}
#ignored{color:#a40} .muted{color:#666}
@media (max-width:40em){thead{display:none} td{display:block;padding:1px 6px} tr{display:block;padding:4px 0}}
</style></head>
<body>
<form id="search"><input id="q" name="q" autofocus placeholder="ubuntu tag:lts size&lt;5g" aria-label="search">
<button>Search</button></form>
<p>Understood as <code id="query">images</code></p>
<p id="ignored"></p>
<p id="total" class="muted"></p>
<table><thead><tr><th>Name</th><th>OS</th><th>Size</th><th>Created</th><th>Status</th><th>Tags</th></tr></thead>
<tbody id="rows"></tbody></table>
<p><button id="more" hidden>More</button></p>
<p class="muted">Filters: __FIELDS__. Words match the name; <code>-word</code> excludes;
<code>field:a,b</code>, <code>size:1GB..5GB</code>, <code>created:&gt;2025-01-01</code>,
<code>sort:created-desc</code>.</p>
<script>
"use strict";
const $ = (id) => document.getElementById(id);
let text = "", next = null, shown = 0;
function cell(row, value, cls) {
  const td = document.createElement("td");
  if (cls) td.className = cls;
  td.textContent = value == null ? "" : String(value);
  row.appendChild(td);
  return td;
}
function size(bytes) {
  if (bytes == null) return "";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0, n = bytes;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return (i ? n.toFixed(1) : n) + " " + units[i];
}
function render(answer, append) {
  $("query").textContent = answer.query;
  $("ignored").textContent = answer.ignored.length
    ? "ignored: " + answer.ignored.map((i) => i.term + " (" + i.reason + ")").join("; ") : "";
  if (!append) { $("rows").replaceChildren(); shown = 0; }
  for (const image of answer.images) {
    const row = document.createElement("tr");
    row.className = "image";
    const name = cell(row, image.name, "name");
    const id = document.createElement("div");
    id.className = "id";
    id.textContent = image.id;
    name.appendChild(id);
    cell(row, [image.os_distro, image.os_version, image.architecture].filter(Boolean).join(" "));
    cell(row, size(image.size) + (image.disk_format ? " " + image.disk_format : ""));
    cell(row, (image.created_at || "").slice(0, 10));
    cell(row, image.status + (image.visibility === "public" ? "" : " (" + image.visibility + ")"));
    const tags = cell(row, "");
    for (const tag of image.tags || []) {
      const span = document.createElement("span");
      span.className = "tag";
      span.textContent = tag;
      tags.appendChild(span);
    }
    $("rows").appendChild(row);
  }
  shown += answer.images.length;
  $("total").textContent = shown + " of " + answer.total + " image" + (answer.total === 1 ? "" : "s");
  next = answer.next;
  $("more").hidden = !next;
  document.body.dataset.state = "done";
}
async function search(append) {
  document.body.dataset.state = "searching";
  const params = new URLSearchParams({q: text});
  if (append && next) params.set("marker", next);
  const response = await fetch("/api/search?" + params);
  const answer = await response.json();
  if (!response.ok) {
    $("total").textContent = answer.error;
    document.body.dataset.state = "error";
    return;
  }
  render(answer, append);
}
$("search").addEventListener("submit", (event) => {
  event.preventDefault();
  text = $("q").value;
  history.replaceState(null, "", "?" + new URLSearchParams({q: text}));
  search(false);
});
$("more").addEventListener("click", () => search(true));
text = new URLSearchParams(location.search).get("q") || "";
$("q").value = text;
search(false);
</script>
</body></html>"""


def answer(source: Any, text: str, limit: int = PAGE_SIZE, marker: str | None = None) -> dict[str, Any]:
    """What the JSON endpoint says for a search: raises imgql.SearchBoxError for text the
    box refuses, and imgql.Error when the source fails."""
    query = imgql.search_box(text, allow=ALLOW)
    matches = []
    for image in source.query(query):
        matches.append(image)
        if len(matches) >= MAX_SCAN:
            break
    start = 0
    if marker:
        # A marker that is gone (or never was) starts over, as a fresh search.
        start = next((i + 1 for i, image in enumerate(matches) if image.id == marker), 0)
    page = matches[start : start + limit]
    more = start + limit < len(matches)
    return {
        "query": str(query),
        "ignored": [{"term": term, "reason": reason} for term, reason in query.ignored],
        "total": len(matches),
        "limit": limit,
        "images": [{name: image.raw.get(name) for name in ROW_FIELDS} for image in page],
        "next": page[-1].id if more and page else None,
    }


def make_handler(source: Any) -> type[http.server.BaseHTTPRequestHandler]:
    page = PAGE.replace("__FIELDS__", html.escape(describe_allow(ALLOW))).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            params = parse_qs(url.query)
            if url.path == "/api/search" or (url.path == "/" and params.get("format") == ["json"]):
                self.api(params)
            elif url.path == "/":
                self.send(200, "text/html; charset=utf-8", page)
            else:
                self.send_json(404, {"error": "not found: try / or /api/search?q=..."})

        def api(self, params: dict[str, list[str]]) -> None:
            text = params.get("q", [""])[0]
            try:
                limit = min(MAX_PAGE, max(1, int(params.get("limit", [str(PAGE_SIZE)])[0])))
            except ValueError:
                self.send_json(400, {"error": "limit must be a whole number"})
                return
            try:
                body = answer(source, text, limit, params.get("marker", [None])[0])
            except imgql.SearchBoxError as exc:
                self.send_json(400, {"error": str(exc)})
                return
            except imgql.Error:
                # The detail may name internal endpoints: it goes to the log, not to visitors.
                log.exception("search %r failed", text[:200])
                self.send_json(502, {"error": "the image service is not available; try again later"})
                return
            self.send_json(200, body)

        def send_json(self, status: int, body: dict[str, Any]) -> None:
            self.send(status, "application/json", json.dumps(body).encode())

        def send(self, status: int, content_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's name
            log.info("%s %s", self.address_string(), format % args)

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description="a search box over images")
    parser.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (0: a free one)")
    parser.add_argument("--live", action="store_true", help="search a live cloud (OS_* / clouds.yaml)")
    parser.add_argument("--catalog", type=Path, default=Path(__file__).with_name("catalog.json"))
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    source: Any = imgql.Client() if args.live else imgql.Catalog(args.catalog)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(source))
    print(f"serving on http://127.0.0.1:{server.server_address[1]}/ (Ctrl-C to stop)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
