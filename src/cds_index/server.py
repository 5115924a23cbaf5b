"""The HTTP API (FastAPI, the optional `server` extra): list, show, check and score over JSON.

Run it with ``cds-index serve`` (uvicorn) or mount :func:`create_app` in your own ASGI server.
Points travel as exact decimal strings, as in ``cds-index score --format json``. Every error is
``{"problems": [...]}`` with a stable code; nothing a client sends gets an HTTP 500. Messages are in
the language of the request's ``Accept-Language`` (Vietnamese unless English is preferred, #12), or of
a body's ``lang``.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from dataclasses import replace
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .engine.evaluate import FIRST_YEAR, LAST_YEAR
from .errors import CdsIndexError, Problem, UsageError
from .formats.model import UnitId
from .i18n import Message, T, accept_language, choose_language, using
from .read.registry import FOLDER_ENV as FOLDER_ENV  # the folder to serve instead of the bundled definitions
from .render.documents import Problems, RankingDocument, ResultDocument, TargetsDocument
from .render.jsonbytes import json_bytes as json_bytes  # the bytes of every answer

if TYPE_CHECKING:
    from .formats.model import Definition
    from .read.inputs import UnitInputs

MAX_BODY_SIZE = 8 * 1024 * 1024
"""Bytes of a request body, counted as they arrive (a chunked body too); more is answered 413."""
VERSION_HEADER = "X-Cds-Index-Version"

_log = logging.getLogger("cds_index.server")

# --- requests ---------------------------------------------------------------------------------

Year = Field(None, strict=True, ge=FIRST_YEAR, le=LAST_YEAR, description="the assessment year, e.g. 2024")


ApiUnitId = Annotated[UnitId, Field(max_length=200)]
"""A unit's id as an inputs file takes it (on one line: `"a\\nb"` was a 200 and the id, #11), at most 200."""


class UnitBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: ApiUnitId = "unit"
    name: str | None = Field(None, max_length=500)


class ScoreRequest(BaseModel):
    """One unit's values, as in the `values:` of an inputs file."""

    model_config = ConfigDict(extra="forbid")
    unit: UnitBody = Field(default_factory=UnitBody)
    year: int | None = Year
    values: dict[Annotated[str, Field(max_length=100)], Any] = Field(
        default_factory=dict,
        max_length=1000,
        description="input name → value (at most 1000: five times the largest definition's inputs)",
    )
    lang: Literal["vi", "en"] | None = Field(
        None, description="the language of explanations and messages; left out: the request's Accept-Language"
    )
    peers: dict[ApiUnitId, dict[str, Any]] | None = Field(
        None,
        max_length=2000,
        description="For rank criteria (#13): the other units assessed together, unit id → values; "
        "without it a rank criterion is `pending`. Ignored by `/rank`, which ranks its units.",
    )

    @field_validator("lang", mode="before")
    @classmethod
    def _given(cls, value: Any) -> Any:  # left out means Accept-Language; `null` is no language
        if value is None:
            raise ValueError(T("`lang` is vi or en, or left out for the request's Accept-Language"))
        return value


class RankRequest(BaseModel):
    """Several units' values, scored and ranked together."""

    model_config = ConfigDict(extra="forbid")
    units: list[ScoreRequest] = Field(
        min_length=1,
        max_length=2000,
        description="at most 2000 units, more than any province has communes (scored in seconds)",
    )
    by: str | None = Field(
        None,
        max_length=100,
        description="`index`, `percent`, `total` or a pillar id; default: the measure the definition "
        "declares (`ranking.by`), as `cds-index rank` uses it",
    )


# --- responses (documentation: the endpoints return these shapes, a test checks them) ----------
# Results, rankings and problems are the documents of cds_index.render.documents, as the CLI writes them.
ScoreResponse = ResultDocument
TargetsResponse = TargetsDocument
RankResponse = RankingDocument


class DefinitionSummary(BaseModel):
    id: str
    title: str
    decision: str
    level: str
    effective_from: dt.date
    effective_to: dt.date | None
    total: str | None


class DefinitionDocument(BaseModel):
    """The normalized definition (`cds-index show --format json`): every node has at least id, title,
    points and children."""

    model_config = ConfigDict(extra="allow")
    kind: Literal["definition"]
    id: str
    title: str
    tree: list[dict[str, Any]]


class Health(BaseModel):
    status: Literal["ok"]
    version: str
    definitions: int


class Root(BaseModel):
    name: str
    version: str
    docs: str
    openapi: str
    health: str
    definitions: str


# --- strict bodies ----------------------------------------------------------------------------


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number (RFC 8259): send a finite number, e.g. 85 or 0.5")


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object whose key appears twice is refused: Python's json keeps the last one without a word,
    so `{"staff_total": 1, "staff_total": 9000}` scored 9000 (the inputs files refuse it too)."""
    found = dict(pairs)
    if len(found) < len(pairs):  # one dict built in C, the keys looked at only when one repeats (#11)
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise ValueError(f"the key {key!r} appears twice in one object; send it once")
            seen.add(key)
    return found


def strict_json(body: bytes) -> Any:
    """Parse a request body as RFC 8259 JSON: UTF-8, no ``NaN``/``Infinity``; numbers with a fraction or
    exponent become exact Decimals (``1e400`` is a number the inputs then judge, not a float infinity).

    Raises :class:`json.JSONDecodeError`, which the API answers as 422 ``request-json``.
    """
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise json.JSONDecodeError(f"the body is not UTF-8 ({exc.reason})", "", exc.start) from None
    from decimal import Decimal

    try:
        return json.loads(
            text,
            parse_float=Decimal,
            parse_constant=_refuse_constant,
            object_pairs_hook=_no_duplicate_keys,
        )
    except json.JSONDecodeError:
        raise
    except RecursionError:
        raise json.JSONDecodeError("the body nests arrays or objects too deeply", text, 0) from None
    except ValueError as exc:  # a constant refused above; an integer beyond Python's 4300 digits
        raise json.JSONDecodeError(str(exc), text, 0) from None


@cache
def _json_response() -> Any:
    """Starlette's ``JSONResponse`` writing its body with :func:`json_bytes` (FastAPI imported late)."""
    from fastapi.responses import JSONResponse

    class Json(JSONResponse):
        def render(self, content: Any) -> bytes:
            return json_bytes(content)

    return Json


def _problems(status: int, problems: list[Problem], lang: str | None = None) -> Any:
    return _json_response()({"problems": [p.to_dict(lang) for p in problems]}, status_code=status)


def _request_lang(scope: MutableMapping[str, Any]) -> str:
    """The language a request's ``Accept-Language`` prefers among ours (Vietnamese by default)."""
    header = dict(scope.get("headers") or []).get(b"accept-language", b"")
    return accept_language(header.decode("latin-1"))


Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


class _Wrapper:
    """A plain ASGI wrapper of the app: ``handle`` sees the HTTP requests ``wanted`` accepts; every
    other scope (lifespan, websocket, the methods it leaves alone) goes to the app untouched."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def wanted(self, scope: Scope) -> bool:
        return True

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.wanted(scope):
            await self.app(scope, receive, send)
            return
        await self.handle(scope, receive, send)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise NotImplementedError


class _Language(_Wrapper):
    """Everything a request renders is in its ``Accept-Language`` (:func:`cds_index.i18n.using`)."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        with using(_request_lang(scope)):
            await self.app(scope, receive, send)


class _Head(_Wrapper):
    """HEAD wherever GET is (RFC 9110 §9.3.2): answered as the GET would be, headers only."""

    def wanted(self, scope: Scope) -> bool:
        return scope.get("method") == "HEAD"

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def headers_only(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)


class _Version(_Wrapper):
    """The ``X-Cds-Index-Version`` header on every response, as a plain ASGI wrapper of ``send``.

    (It was ``@app.middleware("http")``, Starlette's BaseHTTPMiddleware, which runs the app in a task
    of its own and streams the response through a memory channel: a third of a score request's time
    over FastAPI alone, #11.)
    """

    def __init__(self, app: Any, version: str) -> None:
        super().__init__(app)
        self.header = (VERSION_HEADER.lower().encode("latin-1"), version.encode("latin-1"))

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def versioned(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = [h for h in message.get("headers", ()) if h[0].lower() != self.header[0]]
                message = {**message, "headers": [*headers, self.header]}
            await send(message)

        await self.app(scope, receive, versioned)


class _BodyLimit(_Wrapper):
    """Refuse a body larger than ``limit`` bytes with 413, counting the bytes that actually arrive
    (a missing or lying Content-Length, a chunked body), before the app reads any of it."""

    def __init__(self, app: Any, limit: int) -> None:
        super().__init__(app)
        self.limit = limit

    def wanted(self, scope: Scope) -> bool:
        return scope.get("method") not in {"GET", "HEAD", "OPTIONS"}

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.strip().isdigit() and int(declared) > self.limit:
            await self._too_large(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await self._too_large(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> MutableMapping[str, Any]:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _too_large(self, scope: Any, receive: Any, send: Any) -> None:
        limit = (
            T("{size} MiB", size=Decimal(self.limit) / 1024 / 1024)
            if self.limit >= 1024 * 1024
            else T("{size} bytes", size=self.limit)
        )
        response = _problems(
            413,
            [
                Problem(
                    "request-too-large",
                    T("the request body is larger than {limit}: send fewer units per request", limit=limit),
                )
            ],
            _request_lang(scope),
        )
        await response(scope, receive, send)


# 422s from FastAPI (pydantic) → the codes a definition's own shape errors use
_PYDANTIC_CODES = {"extra_forbidden": "unknown-key", "missing": "missing-key", "json_invalid": "request-json"}


def _validation_problem(error: Any) -> Problem:
    kind = str(error.get("type", ""))
    loc = tuple(x if isinstance(x, int) else _escaped(str(x)) for x in error.get("loc", ()))
    code = _PYDANTIC_CODES.get(kind)
    if code is None:
        code = "wrong-type" if kind.endswith(("_type", "_parsing")) else "invalid-value"
    if code == "request-json":
        at = loc[1] if len(loc) > 1 and isinstance(loc[1], int) else None  # json's own words are English
        message: Message = (
            T("the body is not JSON (it breaks at character {at}): send a JSON object", at=at)
            if at is not None
            else T("the body is not JSON: send a JSON object")
        )
        loc = ("body",)
    else:
        from .read.loader import pydantic_words

        where = ".".join(str(x) for x in loc[1:]) or str(loc[0] if loc else "body")
        _, said, _ = pydantic_words(error, set())  # pydantic's words → ours, as for a definition (#12)
        got = error.get("input")
        if code == "missing-key" or isinstance(got, dict | list) or kind in _SAYS_GOT:
            message = T("`{where}`: {message}", where=where, message=said)
        else:
            message = T("`{where}`: {message} (got {value})", where=where, message=said, value=repr(got)[:80])
    from .errors import Location

    return Problem(code, message, Location(path=loc), hint=T("the shape of every request is in /docs"))


def _escaped(key: str) -> str:
    """A key of the request as its path shows it: one that is not Unicode (a lone surrogate, JSON's
    ``"\\ud800"``, which pydantic hands on as U+FFFD) as ASCII escapes, so a 422 never carries the
    broken text back (#11)."""
    if key.isascii() or not any("\ud800" <= ch <= "\udfff" or ch == "\ufffd" for ch in key):
        return key
    return key.encode("ascii", "backslashreplace").decode("ascii")


_SAYS_GOT = {"decimal_parsing", "decimal_type", "float_parsing", "float_type", "int_parsing", "int_type"}
_SAYS_GOT |= {"int_from_float", "finite_number", "string_type", "bool_parsing", "bool_type", "list_type"}
_SAYS_GOT |= {
    "dict_type",
    "model_type",
    "model_attributes_type",
    "date_parsing",
    "date_type",
    "literal_error",
}
_SAYS_GOT |= {"greater_than_equal", "greater_than", "less_than_equal", "less_than", "string_too_short"}
_SAYS_GOT |= {"string_pattern_mismatch", "enum", "string_unicode"}
"""Errors whose message in our words already shows the value received, or must not (a lone
surrogate is no text to show: ``string_unicode``, #11)."""


# --- the app ----------------------------------------------------------------------------------


def _unit(definition: Definition, body: ScoreRequest, source: str | None = None) -> UnitInputs:
    """A request's unit, its values read by the definition's inputs, and the problems of the values
    refused in the API's words (:func:`~cds_index.read.literals.for_api`: a request has no
    ``--number-format``, #11)."""
    from .read.inputs import UnitInputs, parse_values
    from .read.literals import for_api

    values, found = parse_values(body.values, definition.inputs, number_format=definition.number_format)
    problems = []
    for p in found:
        message = for_api(p.message)
        problems.append(p if message is p.message else replace(p, message=message))
    return UnitInputs(body.unit.id, body.unit.name, body.year, values, problems, source, definition.inputs)


def _hide(text: str, hidden: str) -> str:
    """``text`` with the server's folder (``in /srv/definitions``) said as "on this server"."""
    if text == hidden:  # a whole message (or parameter) that is the folder: `in {folder}` (#12)
        return T("on this server")
    if isinstance(text, Message):
        params = {k: _hide(v, hidden) if isinstance(v, str) else v for k, v in text.params.items()}
        return Message(text.msgid, params)
    return T("on this server") if text == hidden else text.replace(hidden, "on this server")


def create_app(
    folder: str | Path | None = None,
    *,
    cors_origins: list[str] | None = None,
    max_body_size: int = MAX_BODY_SIZE,
) -> Any:
    """The ASGI app. Errors come back as JSON ``{"problems": [...]}`` with 400, 404, 413 or 422.

    Definition ids are looked up among the bundled definitions, or only in ``folder`` (default: the
    ``CDS_INDEX_FOLDER`` environment variable): never as a path. ``cors_origins`` lets browser pages from
    those origins call the API (none by default). Definitions are loaded and compiled at start-up.
    """
    from fastapi import FastAPI, Query, Request
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse
    from fastapi.responses import Response as Raw
    from fastapi.routing import APIRoute
    from starlette.concurrency import run_in_threadpool
    from starlette.exceptions import HTTPException

    from . import __version__
    from .read.registry import (
        bundled_dir,
        kept_definition,
        list_definitions,
        load_file,
        resolve_id,
        search_folder,
    )
    from .render.documents import ranking_json, result_text, targets_json
    from .render.report import definition_json

    # pinned now: the configured folder, else CDS_INDEX_FOLDER, else the bundled definitions
    Json = _json_response()  # every answer's body written by json_bytes
    served = search_folder(folder) or bundled_dir()
    if max_body_size < 1:
        raise UsageError(
            Problem("usage", T("max_body_size is a number of bytes, got {value}", value=repr(max_body_size)))
        )

    def catalogue() -> list[Any]:
        return list_definitions(served)

    @asynccontextmanager
    async def lifespan(_: Any) -> AsyncIterator[None]:
        # load, check and compile every definition now, so the first request is as fast as the next
        from .engine.evaluate import score

        infos = catalogue()
        for info in infos:
            definition = load_file(info.path)
            if definition.scoring == "points":
                score(definition, {})
        listed = {info.path for info in infos}
        for path in sorted(served.glob("*.yaml")):
            if str(path) not in listed:
                _log.warning(
                    "cds_index: %s is not served: it does not check (cds-index check %s)", path, path
                )
        yield

    class StrictRequest(Request):
        async def json(self) -> Any:
            if not hasattr(self, "_json"):
                self._json = strict_json(await self.body())
            return self._json

    class Route(APIRoute):
        """Strict JSON bodies; any exception that is not an answer becomes a 500 `internal` (logged)."""

        def get_route_handler(self) -> Callable[[Request], Any]:
            handler = super().get_route_handler()

            async def strict(request: Request) -> Any:
                try:
                    return await handler(StrictRequest(request.scope, request.receive))
                except (CdsIndexError, RequestValidationError, HTTPException):
                    raise
                except Exception:
                    return _internal(request)

            return strict

    def _internal(request: Request) -> Any:
        _log.exception("cds_index: internal error on %s %s", request.method, request.url.path)
        return _problems(
            500,
            [
                Problem(
                    "internal",
                    T(
                        "a bug in cds_index, not in your request; the server log has the details. "
                        "Please report it with the request you sent."
                    ),
                )
            ],
            _request_lang(request.scope),  # outside the language middleware: read the header here
        )

    make_app: Callable[..., FastAPI]
    try:  # Swagger UI and ReDoc served from the installed package: /docs works without the internet
        from fastapi_offline import FastAPIOffline as make_app
    except ImportError:  # pragma: no cover - the `server` extra installs it
        make_app = FastAPI

    errors: dict[int | str, dict[str, Any]] = {
        status: {"model": Problems, "description": text}
        for status, text in {
            400: "a wrong call (e.g. rank by an unknown pillar)",
            404: "no definition (or route) of that name",
            413: "the request body is too large",
            422: "the body or a query parameter does not fit, or the definition does not check",
        }.items()
    }
    app = make_app(
        title="cds_index",
        version=__version__,
        description="Digital-transformation indices of Vietnamese provinces: definitions and exact, "
        'explained scores. Every error is `{"problems": [...]}` with a stable `code`.',
        lifespan=lifespan,
        responses=errors,
    )
    app.router.route_class = Route

    # the last added is the outermost: CORS, then the version header, then the body limit (so a 413
    # carries both)
    app.add_middleware(_Head)
    app.add_middleware(_BodyLimit, limit=max_body_size)
    app.add_middleware(_Language)  # outside the body limit, so a 413 speaks the request's language

    app.add_middleware(_Version, version=__version__)

    if cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type"],
            expose_headers=[VERSION_HEADER],
        )

    @app.exception_handler(CdsIndexError)
    async def _cds_error(_: Any, exc: CdsIndexError) -> JSONResponse:
        status = 404 if exc.code == "definition-not-found" else 400 if isinstance(exc, UsageError) else 422
        result: JSONResponse = _problems(status, list(exc.problems))
        return result

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Any, exc: RequestValidationError) -> JSONResponse:
        result: JSONResponse = _problems(422, [_validation_problem(e) for e in exc.errors()])
        return result

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> JSONResponse:
        words = {
            404: T("no route {path}: see /docs", path=request.url.path),
            405: T("{method} is not allowed here", method=request.method),
        }
        text = words.get(exc.status_code, str(exc.detail))
        result: JSONResponse = _problems(exc.status_code, [Problem("usage", text)])
        if exc.headers:
            result.headers.update(exc.headers)
        return result

    @app.exception_handler(Exception)
    async def _bug(request: Request, _: Exception) -> JSONResponse:  # a middleware's bug: still no traceback
        result: JSONResponse = _internal(request)
        return result

    def _path(definition_id: str, on: dt.date | None) -> Path:
        # ids (and id@YYYY-MM-DD) only, never a path: no request reaches another file
        try:
            return resolve_id(definition_id, on, served)
        except UsageError as exc:  # where the server keeps its definitions is not the client's business
            hidden = f"in {served}"
            raise UsageError([replace(p, message=_hide(p.message, hidden)) for p in exc.problems]) from None

    def _definition(definition_id: str, on: dt.date | None) -> Any:
        return load_file(_path(definition_id, on))

    @app.get("/", response_model=Root, summary="What this server is")
    def root() -> Any:
        return Json(
            {
                "name": "cds_index",
                "version": __version__,
                "docs": "/docs",
                "openapi": "/openapi.json",
                "health": "/health",
                "definitions": "/definitions",
            }
        )

    @app.get("/health", response_model=Health, summary="The server is up, with how many definitions")
    def health() -> Any:
        return Json({"status": "ok", "version": __version__, "definitions": len(catalogue())})

    @app.get("/definitions", response_model=list[DefinitionSummary])
    def definitions() -> Any:
        return Json([{k: v for k, v in i.to_dict().items() if k != "path"} for i in catalogue()])

    @app.get("/definitions/{definition_id}", response_model=DefinitionDocument)
    def show(definition_id: str, on: dt.date | None = None) -> Any:
        return Json(definition_json(_definition(definition_id, on)))

    def scored(definition: Definition, request: ScoreRequest, explain: bool) -> Any:
        """One unit's answer: its result document, or its yearly targets' (nothing else is read)."""
        if definition.scoring == "targets":
            from .engine.targets import evaluate_year

            if request.year is None:
                raise UsageError(Problem("usage", T("a yearly-targets definition needs `year`, e.g. 2024")))
            # a refused value is shown as refused (`invalid`, with its problem), as for points (#11)
            unit = _unit(definition, request)
            year = evaluate_year(definition, request.year, unit, lang=choose_language(request.lang))
            with using(request.lang):  # a body's `lang` wins over Accept-Language, for messages too
                return Json(targets_json(request.unit.id, request.unit.name, year, unit.problems))
        from .engine.evaluate import score

        result = score(
            definition, _unit(definition, request), lang=choose_language(request.lang), peers=request.peers
        )
        with using(request.lang):  # a body's `lang` wins over Accept-Language, for messages too
            return Raw(result_text(result, explain=explain).encode(), media_type="application/json")

    @app.post("/definitions/{definition_id}/score", response_model=ScoreResponse | TargetsResponse)
    async def score_unit(
        definition_id: str,
        request: ScoreRequest,
        on: dt.date | None = None,
        explain: bool = Query(
            True, description="false: every node's points without its `explanation` (none is written)"
        ),
    ) -> Any:
        # One unit of a loaded definition is scored at once, on the event loop: a millisecond or so
        # of work, bounded by the body's limits, where the hop to a worker thread and back cost a
        # tenth of the request (#11). What may take longer runs in the thread pool, as a plain `def`
        # endpoint would: a definition to be read (new or edited: `kept_definition` reads no file)
        # and peers, each of them a unit to score. (Finding the file reads at most the heading of a
        # file new in the folder, once.)
        path = _path(definition_id, on)
        definition = None if request.peers else kept_definition(path)
        if definition is not None:
            return scored(definition, request, explain)
        return await run_in_threadpool(lambda: scored(load_file(path), request, explain))

    @app.post("/definitions/{definition_id}/rank", response_model=RankResponse)
    def rank_units(definition_id: str, request: RankRequest, on: dt.date | None = None) -> Any:
        """Score every unit and rank them (ties share a rank); a unit with refused values, or whose id
        repeats an earlier unit's, is listed under `unranked` with its problems, never dropped."""
        from .analyse.ranking import keys
        from .io.batch import score_many

        definition = _definition(definition_id, on)
        if definition.scoring == "targets":
            raise UsageError(
                Problem("usage", T("{id} has yearly targets: there is nothing to rank", id=definition.id))
            )
        if request.by is not None and request.by not in keys(definition):
            raise UsageError(
                Problem(
                    "usage", T("rank by one of {keys}", keys=", ".join(f"`{k}`" for k in keys(definition)))
                )
            )
        asked = choose_language(None)  # the request's Accept-Language: a unit that gives no `lang`
        langs = sorted({u.lang if u.lang is not None else asked for u in request.units})
        if len(langs) > 1:  # one document, one language: never the first unit's for every unit (#11)
            raise UsageError(
                Problem(
                    "usage",
                    T(
                        "the units ask for {count} languages ({langs}); a ranking is written in one: give "
                        "every unit the same `lang`, or none (the request's Accept-Language)",
                        count=len(langs),
                        langs=", ".join(langs),
                    ),
                )
            )
        lang = langs[0] if langs else None
        units = [_unit(definition, u, f"units[{i}]") for i, u in enumerate(request.units)]
        # the batch scorer, as `cds-index rank` uses it: the second unit with an id already seen is refused
        rows = list(score_many(definition, units, lang=choose_language(lang)))
        good = [r.result for r in rows if r.ok and r.result is not None]
        with using(lang):
            return Json(ranking_json(definition, good, request.by, [r for r in rows if not r.ok]))

    return app


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    folder: str | Path | None = None,
    cors_origins: list[str] | None = None,
    max_body_size: int | None = None,
) -> None:  # pragma: no cover - runs a server (tests start it in a subprocess)
    import uvicorn

    limit = MAX_BODY_SIZE if max_body_size is None else max_body_size
    app = create_app(folder, cors_origins=cors_origins, max_body_size=limit)
    uvicorn.run(app, host=host, port=port)
