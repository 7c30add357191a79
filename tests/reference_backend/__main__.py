"""``python -m tests.reference_backend --port N``: serve both reference APIs on 127.0.0.1."""

from __future__ import annotations

import argparse

import uvicorn

from . import GLUE_CUSTOMER, GLUE_OTHER_CUSTOMER, SENDCLOUD_BASIC, create_app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.reference_backend")
    parser.add_argument("--port", type=int, default=8090)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args(argv)
    base = f"http://{args.host}:{args.port}"
    print(f"Glue      {base}/glue  customers {GLUE_CUSTOMER[0]}, {GLUE_OTHER_CUSTOMER[0]}")
    print(f"Sendcloud {base}/sendcloud/api/v2  key {SENDCLOUD_BASIC[0]}", flush=True)
    # h11 parses any method token (httptools refuses e.g. FOO before the app sees it)
    uvicorn.run(create_app(), host=args.host, port=args.port, log_level="warning", http="h11")


if __name__ == "__main__":
    main()
