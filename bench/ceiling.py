"""The ceiling: a bare Starlette app that returns recorded response bytes verbatim.

``python -m bench.ceiling --port P ROUTES.json`` where ROUTES.json maps a path to
``{"content_type": ..., "body_b64": ...}``. One uvicorn worker, same defaults as the mock
(uvloop/httptools when installed, no access log), so the gap to it is the mock's own work.
"""

from __future__ import annotations

import argparse
import base64
import json
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


def build_app(routes: dict[str, dict[str, str]]) -> Starlette:
    """One GET route per recorded path, each answering 200 with the same bytes every time."""

    def endpoint_for(body: bytes, content_type: str):
        async def endpoint(request: Request) -> Response:
            return Response(body, media_type=content_type)

        return endpoint

    return Starlette(
        routes=[
            Route(
                path,
                endpoint_for(base64.b64decode(spec["body_b64"]), spec["content_type"]),
                methods=["GET"],
            )
            for path, spec in routes.items()
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.ceiling")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("routes", type=Path)
    args = parser.parse_args()
    app = build_app(json.loads(args.routes.read_text()))
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
