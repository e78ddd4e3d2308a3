"""A search box on a web page, backed by imgql.search_box.

    python examples/search_server.py [--port 8000] [--live]

Open http://127.0.0.1:8000/ and type what you would type anywhere else:
``ubuntu 24.04 tag:lts size<2g -minimal sort:created-desc``. The page shows
how the search was understood (the canonical query) and the matching images.
The application decides which fields a visitor may filter on (``ALLOW``);
anything else is searched for as words in the name, so a visitor cannot widen
what the listing shows. Only the standard library is used.
"""

from __future__ import annotations

import argparse
import html
import http.server
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import imgql
from imgql.lang.searchbox import DEFAULT_ALLOW, describe_allow
from imgql.run.results import ResultList

ALLOW = DEFAULT_ALLOW  # what visitors may filter on
MAX_RESULTS = 50

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Images</title>
<style>body{{font-family:sans-serif;margin:2em}} input{{width:40em}} td,th{{padding:2px 8px;text-align:left}}
code{{background:#eee;padding:2px 4px}}</style></head>
<body><form><input name="q" value="{q}" autofocus placeholder="ubuntu tag:lts size&lt;5g">
<button>Search</button></form>
<p>Understood as <code>{query}</code></p>
{table}
<p style="color:#666">Filters: {fields}. Words match the name; <code>-word</code> excludes;
<code>field:a,b</code>, <code>size:1GB..5GB</code>, <code>created:&gt;2025-01-01</code>,
<code>sort:created-desc</code>.</p>
</body></html>"""


def make_handler(source: Any) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            if url.path != "/":
                self.send_error(404)
                return
            text = parse_qs(url.query).get("q", [""])[0][:10_000]
            query = imgql.search_box(text, allow=ALLOW)  # never raises on what a visitor types
            try:
                images = []
                for image in source.query(query):
                    images.append(image)
                    if len(images) >= MAX_RESULTS:
                        break
                table = ResultList(images)._repr_html_()
            except imgql.Error as exc:
                # The detail (an internal endpoint, a server's own words) is for the log,
                # never for a visitor.
                self.log_error("search failed: %s", exc)
                table = "<p>The search could not be completed just now; please try again later.</p>"
            body = PAGE.format(
                q=html.escape(text),
                query=html.escape(str(query)),
                table=table,
                fields=html.escape(describe_allow(ALLOW)),
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description="a search box over images")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--live", action="store_true", help="search a live cloud (OS_* / clouds.yaml)")
    args = parser.parse_args()
    source: Any = imgql.Client() if args.live else imgql.Catalog(Path(__file__).with_name("catalog.json"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(source))
    print(f"serving on http://127.0.0.1:{args.port}/ (Ctrl-C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
