"""HTTP: `POST /definitions/{id}/score` of the cds_index API against a bare FastAPI endpoint, same run.

    python benchmarks/bench_http.py [--requests 300] [--repeat 5] [--definition ID] [--uvicorn]

Both apps answer the same requests, in the same process, through the same client: httpx over its
ASGI transport (no sockets: the strictest comparison, nothing but the apps themselves is timed), or
with ``--uvicorn`` two uvicorn servers on localhost and an httpx client keeping its connection.

The bare endpoint is what a programmer would write with FastAPI alone: the same route (a plain
`def`, run in FastAPI's thread pool; the server's scores one unit of a loaded definition on the event
loop, and goes to the thread pool for the rest, #11) with the same query parameters (``on``,
``explain``), the same request model (``ScoreRequest``: the unit, the year, at most 1000 values, the
language) read by FastAPI as usual; it answers
``{"ok": true}`` and scores nothing. The cds_index side also reads the body strictly (exact
decimals, no NaN, no key given twice), passes its middlewares (HEAD, body limit, version header),
scores the unit and answers the whole result: every node's points, and its explanation unless
``?explain=false``. The bodies are synthetic communes (``synthetic.py``, seeded), each round its
own (a unit is sent in one round only, to every side: values kept from an earlier round would
flatter any cache), sides alternated request by request (so a machine busy with other work
slows every side alike). Times are wall clock per request, best round of ``--repeat``; with
``--cpu`` the CPU time of the process instead (on a machine shared with other work, a long request
is interrupted more often than a short one, which the wall clock counts and the CPU time does not).

Two more bare sides answer a result document of the same definition, made once, with
``JSONResponse``: the explained one and the points-only one, the cost of encoding and sending an
answer of that size, without scoring. Each cds_index side is compared with the bare endpoint and with
the bare side that sends an answer of its own size.

Target (issue #11): ``POST …/score`` at most 2× the bare endpoint (the ratios printed).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import socket
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpx
from fastapi import FastAPI
from fastapi.responses import JSONResponse

import cds_index
from cds_index.render.documents import result_json
from cds_index.server import ScoreRequest, create_app
from synthetic import YEAR, synthetic_rows

WARM_UP: list[bytes] = []
"""Twenty bodies sent before timing, none of them timed or sent again."""
CLOCK = time.perf_counter
"""What a request is timed by: wall clock, or with ``--cpu`` the CPU time of this whole process
(client, apps and servers all run in it), which another program's load on a shared machine does
not inflate."""


def bare_app() -> FastAPI:
    """FastAPI alone: the same route and request model, answering without scoring anything."""
    app = FastAPI()

    @app.post("/definitions/{definition_id}/score")
    def score(
        definition_id: str, request: ScoreRequest, on: dt.date | None = None, explain: bool = True
    ) -> Any:
        return JSONResponse({"ok": True, "values": len(request.values)})

    return app


def bare_same_size_app(document: Any) -> FastAPI:
    """FastAPI alone answering ``document`` (a result of the same definition, made once) through
    ``JSONResponse``: what encoding and sending a document of the score answer's size costs."""
    app = FastAPI()

    @app.post("/definitions/{definition_id}/score")
    def score(
        definition_id: str, request: ScoreRequest, on: dt.date | None = None, explain: bool = True
    ) -> Any:
        return JSONResponse(document)

    return app


def bodies(definition: cds_index.Definition, count: int, seed: int) -> list[bytes]:
    """Request bodies for ``count`` synthetic units (dates as ISO text, as a JSON client sends them)."""
    out = []
    for i, values in enumerate(synthetic_rows(definition, count, seed)):
        plain = {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in values.items()}
        body = {"unit": {"id": f"xa-{i:05d}"}, "year": YEAR, "values": plain, "lang": "vi"}
        out.append(json.dumps(body).encode())
    return out


async def _round(
    clients: dict[str, httpx.AsyncClient], sides: dict[str, tuple[Any, str]], payloads: list[bytes]
) -> dict[str, float]:
    """Each body sent to every side in turn (a load on the machine falls on every side alike);
    the seconds a request of each side took, on average."""
    headers = {"content-type": "application/json"}
    spent = dict.fromkeys(sides, 0.0)
    for body in payloads:
        for name, (_, url) in sides.items():
            start = CLOCK()
            response = await clients[name].post(url, content=body, headers=headers)
            spent[name] += CLOCK() - start
            if response.status_code != 200:
                raise SystemExit(f"{url}: {response.status_code} {response.text[:300]}")
    return {name: seconds / len(payloads) for name, seconds in spent.items()}


def _rounds(payloads: list[bytes], repeat: int) -> list[list[bytes]]:
    """The bodies of each round: every round its own units (none sent in an earlier round), so a
    cache of values seen before helps a round no more than it would help a stream of new units."""
    size = len(payloads) // repeat
    return [payloads[i * size : (i + 1) * size] for i in range(repeat)]


async def in_process(
    sides: dict[str, tuple[Any, str]], payloads: list[bytes], repeat: int
) -> dict[str, float]:
    clients = {
        name: httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench")
        for name, (app, _) in sides.items()
    }
    try:
        await _round(clients, sides, WARM_UP)  # warm up: compile the definition, start the threads
        best = dict.fromkeys(sides, float("inf"))
        for chunk in _rounds(payloads, repeat):
            for name, seconds in (await _round(clients, sides, chunk)).items():
                best[name] = min(best[name], seconds)
        return best
    finally:
        for client in clients.values():
            await client.aclose()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def over_uvicorn(sides: dict[str, tuple[Any, str]], payloads: list[bytes], repeat: int) -> dict[str, float]:
    import uvicorn

    servers, bases = [], {}
    for name, (app, _) in sides.items():
        port = _free_port()
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        threading.Thread(target=server.run, daemon=True).start()
        servers.append(server)
        bases[name] = f"http://127.0.0.1:{port}"
    for server in servers:
        while not server.started:
            time.sleep(0.05)
    try:
        with httpx.Client(timeout=60) as client:

            def one_round(chunk: list[bytes]) -> dict[str, float]:  # sides alternated request by request
                spent = dict.fromkeys(sides, 0.0)
                for body in chunk:
                    for name in sides:
                        url = bases[name] + sides[name][1]
                        start = CLOCK()
                        headers = {"content-type": "application/json"}
                        response = client.post(url, content=body, headers=headers)
                        spent[name] += CLOCK() - start
                        if response.status_code != 200:
                            raise SystemExit(f"{url}: {response.status_code} {response.text[:300]}")
                return {name: seconds / len(chunk) for name, seconds in spent.items()}

            one_round(WARM_UP)
            best = dict.fromkeys(sides, float("inf"))
            for chunk in _rounds(payloads, repeat):
                for name, seconds in one_round(chunk).items():
                    best[name] = min(best[name], seconds)
            return best
    finally:
        for server in servers:
            server.should_exit = True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--definition", default="hue-2263-commune")
    parser.add_argument("--requests", type=int, default=300, help="requests per side per round")
    parser.add_argument("--repeat", type=int, default=5, help="best of this many rounds")
    parser.add_argument("--seed", type=int, default=2263)
    parser.add_argument("--uvicorn", action="store_true", help="over localhost sockets, not in process")
    parser.add_argument(
        "--cpu", action="store_true", help="time by this process's CPU time, not the wall clock"
    )
    args = parser.parse_args()
    if args.cpu:
        global CLOCK
        CLOCK = time.process_time

    definition = cds_index.load(args.definition)
    global WARM_UP
    payloads = bodies(definition, args.requests * args.repeat + 20, args.seed)
    WARM_UP, payloads = payloads[-20:], payloads[:-20]
    url = f"/definitions/{args.definition}/score"
    cds = create_app()
    first = json.loads(payloads[0])
    scored = cds_index.score(definition, first["values"], year=first["year"])
    sides = {
        "bare FastAPI": (bare_app(), url),
        "bare, explained answer": (bare_same_size_app(result_json(scored, explain=True)), url),
        "bare, points answer": (bare_same_size_app(result_json(scored, explain=False)), url),
        "cds_index, explained": (cds, url),
        "cds_index, points only": (cds, url + "?explain=false"),
    }
    if args.uvicorn:
        best = over_uvicorn(sides, payloads, args.repeat)
    else:
        best = asyncio.run(in_process(sides, payloads, args.repeat))
    size = statistics.mean(len(b) for b in payloads)
    how = "uvicorn on localhost" if args.uvicorn else "in process (httpx ASGI transport)"
    how += ", CPU time of the process" if args.cpu else ", wall clock"
    print(
        f"definition: {definition.id}, {args.requests} requests per side (bodies {size:,.0f} B), "
        f"best of {args.repeat}, {how}, Python {sys.version.split()[0]}"
    )
    for name, seconds in best.items():
        print(f"{name:<24} {seconds * 1000:7.3f} ms a request  {1 / seconds:8,.0f} requests/s")
    for name, same_size in (
        ("cds_index, explained", "bare, explained answer"),
        ("cds_index, points only", "bare, points answer"),
    ):
        for bare in ("bare FastAPI", same_size):
            ratio = best[name] / best[bare]
            print(f"{name} / {bare}: {ratio:5.2f}  (target ≤ 2.00: {'met' if ratio <= 2 else 'NOT met'})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
