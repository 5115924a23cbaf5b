"""`cds-index serve`: the HTTP API (needs the `server` extra)."""

from __future__ import annotations

import argparse

from ..errors import Problem, UsageError
from ..i18n import T, render
from .common import (
    EXIT_OK,
    Subparsers,
    folder_flag,
)


def add_parser(subparsers: Subparsers) -> None:
    p = subparsers.add_parser("serve", help=render(T("the HTTP API (needs the `server` extra)")))
    p.add_argument(
        "--host", default="127.0.0.1", help=render(T("the address to listen on (default: loopback only)"))
    )
    p.add_argument("--port", type=_port, default=8000)
    p.add_argument(
        "--cors-origin",
        action="append",
        default=None,
        metavar="ORIGIN",
        help=render(
            T(
                "let browser pages from this origin call the API, e.g. https://dti.example.gov.vn "
                "(repeatable; off by default)"
            )
        ),
    )
    p.add_argument(
        "--max-body-size",
        type=int,
        default=None,
        metavar="BYTES",
        help=render(T("refuse request bodies larger than this (default 8 MiB)")),
    )
    folder_flag(p)
    p.set_defaults(func=run)


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(
            render(T("{text} is not a port: a number from 0 to 65535, e.g. 8000", text=repr(text)))
        )
    return port


def run(args: argparse.Namespace) -> int:
    try:
        import fastapi  # noqa: F401
        import uvicorn  # noqa: F401

        from ..server import serve
    except ImportError:
        raise UsageError(
            Problem("usage", T("the HTTP API needs the `server` extra: pip install 'cds-index[server]'"))
        ) from None
    serve(
        args.host,
        args.port,
        folder=args.folder,
        cors_origins=args.cors_origin,
        max_body_size=args.max_body_size,
    )
    return EXIT_OK
