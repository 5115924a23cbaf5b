"""The leak sweep of issue #12's "done when": every command, the HTML report, the workbooks and the API.

Every command of ``cds-index`` (``cds_index.cli.main.COMMANDS``: a new command without cases here
fails :func:`test_every_command_has_cases`) is run in-process on the bundled examples and on bad
inputs (a mistyped option, a missing argument, a missing file, an unknown id, broken files), with
``--lang vi`` and ``--lang en``; the HTML reports and Excel workbooks it writes are read back; the
HTTP API is asked with ``Accept-Language``. Nothing may leak: no common English word in Vietnamese
output, no Vietnamese letter in English output, once the decisions' words, the users' values and
what is code are removed (the detector of ``tests/test_i18n_leaks.py``).

What is code in a command line: the option names, metavars, choices and command names of the parser
itself (``--year YEAR``, ``{text,json,github}``, ``list``): the words a user types, the same in both
languages.
"""

from __future__ import annotations

import argparse
import bisect
import functools
import html
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import DEFINITIONS, EXAMPLES, ROOT, TINY
from .test_i18n_leaks import _content_of, _decoded, leaks

HUE, HAI_DUONG = "hue-2263-commune", "hai-duong-707-district"
WEAK = str(EXAMPLES / "hue-2263-commune-weak.yaml")
AVERAGE = str(EXAMPLES / "hue-2263-commune-average.yaml")
STRONG = str(EXAMPLES / "hue-2263-commune-strong.yaml")
DISTRICTS = str(EXAMPLES / "hai-duong-707-districts.csv")
HUYEN_A = str(EXAMPLES / "hai-duong-707-district-huyen-a.yaml")
SCENARIO = str(EXAMPLES / "scenarios" / "hai-duong-707-district-online-services.yaml")
REARRANGEMENT = str(EXAMPLES / "rearrangements" / "hue-communes.yaml")
OLD_UNITS = str(EXAMPLES / "rearrangements" / "2024")
NEW_UNITS = str(EXAMPLES / "rearrangements" / "2025")
FICTIONAL = EXAMPLES / "definitions" / "tinh-x-commune-fictional.yaml"
FICTIONAL_2026 = EXAMPLES / "definitions" / "tinh-x-commune-fictional@2026.yaml"
TEST_CASES = str(ROOT / "tests" / "cases" / "hue-2263-nhan-thuc.yaml")

# The bad files of the cases, written once per module into a temporary folder ({tmp}/<name>)
BAD_FILES: dict[str, str] = {
    "bad-inputs.yaml": (
        f"kind: inputs\ndefinition: {HUE}\nunit: {{id: xa}}\nyear: 2024\n"
        "values: {population: 25 người, staf: 3, dx_budget: '1.000'}\n"
    ),
    "bad-definition.yaml": TINY.replace("points: 10\n    children", "points: 10,5\n    children", 1),
    "bad-yaml.yaml": "kind: inputs\nvalues: {a: 1\n  b: [\n",
    "bad-scenario.yaml": (
        f"kind: scenario\nid: sai\ntitle: Sai\ndefinition: {HAI_DUONG}\nchanges:\n"
        "  - {op: points, node: CQS.9.9, points: 3}\n"
        "  - {op: rule, node: CQS.4.10.2, set: {target: 0.8}, rule: {kind: yes_no}}\n"
        "  - {op: step, node: CQS.1.1.3, step: 9}\n"
        "  - {op: points, node: CQS.4.10.1, points: 50}\n"
        "  - {op: input, name: khong_co, remove: true}\n"
        "  - {op: add, under: CQS.4.10.1, node: {id: CQS.X, title: Mới, points: 1, rule: {kind: yes_no, "
        "input: x}}}\n"
        "  - {op: rule, node: CQS.4.10.2, set: {target: nhiều}}\n"
    ),
    "bad-tests.yaml": (
        f"kind: tests\ndefinition: {HUE}\ncases:\n"
        "  - name: sai\n    year: 2024\n    values: {dx_committee_head_role: head}\n"
        "    expect: {points: {I.1.1: 7}, total: 3}\n"
    ),
    "bad-rearrangement.yaml": "kind: rearrangement\nid: sai\n",
    "bad-units.csv": (
        "Mã đơn vị,Tên đơn vị,Năm,staff_total\nhuyen-a,Huyện A,2024,nhiều\nhuyen-a,Huyện A,20x4,5\n"
    ),
}

# command -> cases: (case name, argv with {tmp} for the temporary folder, the exit codes it may end with)
OK, INVALID, USAGE = {0}, {1}, {2}
CASES: dict[str, list[tuple[str, list[str], set[int]]]] = {
    "list": [
        ("table", ["list"], OK),
        ("json", ["list", "--format", "json"], OK),
        ("an extra argument", ["list", "thừa"], USAGE),
    ],
    "check": [
        ("the bundled definitions", ["check", str(DEFINITIONS)], {0, 1}),
        ("an example", ["check", str(FICTIONAL), "-v"], OK),
        ("bad inputs", ["check", "{tmp}/bad-inputs.yaml"], INVALID),
        ("a bad definition", ["check", "{tmp}/bad-definition.yaml"], INVALID),
        ("a bad definition, json", ["check", "--format", "json", "{tmp}/bad-definition.yaml"], INVALID),
        ("a bad definition, github", ["check", "--format", "github", "{tmp}/bad-definition.yaml"], INVALID),
        ("broken YAML", ["check", "{tmp}/bad-yaml.yaml"], INVALID),
        ("a bad scenario", ["check", "{tmp}/bad-scenario.yaml"], INVALID),
        ("a missing file", ["check", "{tmp}/khong-co.yaml"], {1, 2}),
        ("an unknown id", ["check", "hue-2263-comune"], {1, 2}),
        ("a bad format", ["check", "--format", "txt", str(FICTIONAL)], USAGE),
    ],
    "schema": [
        ("to a folder", ["schema", "-o", "{tmp}/schemas"], OK),
        ("to a file", ["schema", "-o", "{tmp}/bad-inputs.yaml"], USAGE),
    ],
    "show": [
        ("table", ["show", HUE], OK),
        ("assumptions", ["show", HUE, "--assumptions"], OK),
        ("markdown", ["show", HAI_DUONG, "--format", "markdown"], OK),
        ("json", ["show", HUE, "--format", "json"], OK),
        ("an unknown id", ["show", "hue-2263-comune"], {1, 2}),
        ("no definition", ["show"], USAGE),
    ],
    "template": [
        ("yaml", ["template", HUE], OK),
        ("xlsx", ["template", HUE, "--format", "xlsx", "-o", "{tmp}/template.xlsx"], OK),
        ("yaml to a file", ["template", HAI_DUONG, "-o", "{tmp}/template.yaml"], OK),
        ("an unknown id", ["template", "hai-duong-707-distric"], {1, 2}),
    ],
    "score": [
        ("a unit", ["score", HUE, WEAK], OK),
        ("a unit, json", ["score", HUE, WEAK, "--format", "json"], OK),
        ("units as csv", ["score", HUE, WEAK, STRONG, "--format", "csv", "--headers", "{lang}"], OK),
        ("units as a workbook", ["score", HUE, WEAK, AVERAGE, "--format", "xlsx", "-o", "{tmp}/kq.xlsx"], OK),
        ("a table of units", ["score", HAI_DUONG, DISTRICTS], {0, 1}),
        ("bad inputs", ["score", HUE, "{tmp}/bad-inputs.yaml"], INVALID),
        ("bad units", ["score", HAI_DUONG, "{tmp}/bad-units.csv"], INVALID),
        (
            "bad units in a workbook",
            ["score", HAI_DUONG, "{tmp}/bad-units.csv", "--format", "xlsx", "-o", "{tmp}/sai.xlsx"],
            {1},
        ),
        ("a workbook's name for a table", ["score", HAI_DUONG, DISTRICTS, "-o", "{tmp}/bang.xlsx"], USAGE),
        ("a missing file", ["score", HUE, "{tmp}/khong-co.yaml"], {1, 2}),
        ("no inputs", ["score", HUE], USAGE),
        ("a mistyped option", ["score", HUE, WEAK, "--fromat", "csv"], USAGE),
        ("a bad choice", ["score", HUE, WEAK, "--format", "xml"], USAGE),
        ("a bad year", ["score", HUE, WEAK, "--year", "hai nghìn"], USAGE),
        ("an option without its value", ["score", HUE, WEAK, "--year"], USAGE),
    ],
    "rank": [
        ("table", ["rank", HAI_DUONG, DISTRICTS], {0, 1}),
        ("csv", ["rank", HAI_DUONG, DISTRICTS, "--format", "csv", "--headers", "{lang}"], {0, 1}),
        ("markdown", ["rank", HUE, WEAK, AVERAGE, STRONG, "--format", "markdown"], OK),
        ("by an unknown pillar", ["rank", HUE, WEAK, AVERAGE, "--by", "XYZ"], {1, 2}),
        ("duplicate units", ["rank", HUE, WEAK, WEAK], {1, 2}),
    ],
    "sensitivity": [
        ("table", ["sensitivity", HUE, WEAK, AVERAGE, STRONG, "--combinations", "20"], OK),
        ("markdown", ["sensitivity", HUE, WEAK, AVERAGE, "--format", "markdown", "--combinations", "5"], OK),
        ("html", ["sensitivity", HUE, WEAK, AVERAGE, "--format", "html", "-o", "{tmp}/nhay.html"], OK),
        ("one unit", ["sensitivity", HUE, WEAK], {0, 1, 2}),
        ("a bad number", ["sensitivity", HUE, WEAK, AVERAGE, "--combinations", "nhiều"], USAGE),
    ],
    "report": [
        ("units", ["report", HUE, WEAK, STRONG, "-o", "{tmp}/reports"], OK),
        ("bad inputs", ["report", HUE, "{tmp}/bad-inputs.yaml", "-o", "{tmp}/reports-bad"], {0, 1}),
        ("no output folder", ["report", HUE, WEAK], USAGE),
    ],
    "gaps": [
        ("table", ["gaps", HUE, WEAK], OK),
        ("markdown", ["gaps", HAI_DUONG, HUYEN_A, "--format", "markdown"], OK),
        ("bad inputs", ["gaps", HUE, "{tmp}/bad-inputs.yaml"], {0, 1}),
    ],
    "serve": [
        ("a bad port", ["serve", "--port", "tám nghìn"], USAGE),
        ("a mistyped option", ["serve", "--hots", "0.0.0.0"], USAGE),
    ],
    "test": [
        ("cases", ["test", TEST_CASES], OK),
        ("failing cases", ["test", "{tmp}/bad-tests.yaml", "-v"], INVALID),
        ("a missing file", ["test", "{tmp}/khong-co.yaml"], {1, 2}),
    ],
    "diff": [
        ("two versions", ["diff", str(FICTIONAL), str(FICTIONAL_2026)], {0, 1}),
        ("markdown", ["diff", str(FICTIONAL), str(FICTIONAL_2026), "--format", "markdown"], {0, 1}),
        ("two definitions", ["diff", HUE, "thanh-hoa-1829-commune"], {0, 1}),
        ("an unknown id", ["diff", HUE, "hue-2263-comune"], {1, 2}),
    ],
    "whatif": [
        ("a scenario", ["whatif", HAI_DUONG, SCENARIO, DISTRICTS], {0, 1}),
        ("markdown", ["whatif", HAI_DUONG, SCENARIO, HUYEN_A, "--format", "markdown"], {0, 1}),
        ("a bad scenario", ["whatif", HAI_DUONG, "{tmp}/bad-scenario.yaml", HUYEN_A], INVALID),
        ("a missing scenario", ["whatif", HAI_DUONG, "{tmp}/khong-co.yaml", HUYEN_A], {1, 2}),
    ],
    "rollup": [
        ("table", ["rollup", HUE, OLD_UNITS, "--rearrangement", REARRANGEMENT, "--compare", NEW_UNITS], OK),
        (
            "csv",
            [
                "rollup",
                HUE,
                OLD_UNITS,
                "--rearrangement",
                REARRANGEMENT,
                "--format",
                "csv",
                "--headers",
                "{lang}",
            ],
            OK,
        ),
        (
            "rescore",
            ["rollup", HUE, OLD_UNITS, "--rearrangement", REARRANGEMENT, "--method", "rescore"],
            INVALID,
        ),
        (
            "a bad rearrangement",
            ["rollup", HUE, OLD_UNITS, "--rearrangement", "{tmp}/bad-rearrangement.yaml"],
            {1},
        ),
        ("no rearrangement", ["rollup", HUE, OLD_UNITS], USAGE),
    ],
}
"""Every command's cases; each command also gets its ``-h``."""

TOP_LEVEL: list[tuple[str, list[str], set[int]]] = [
    ("the help", ["-h"], OK),
    ("no command", [], USAGE),
    ("a mistyped command", ["scroe", HUE, WEAK], USAGE),
]


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    (action,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(action.choices)


@functools.cache
def _parser() -> argparse.ArgumentParser:
    from cds_index.cli.main import build_parser

    return build_parser()


def _command_names() -> list[str]:
    """The command of each module of ``COMMANDS`` (``add_parser`` adds one command each)."""
    from cds_index.cli.main import COMMANDS

    names = list(_subparsers(_parser()))
    assert len(names) == len(COMMANDS)
    return names


@functools.cache
def _parser_words() -> tuple[str, ...]:
    """What is code in a command line: the parser's option names, metavars, choices, command names."""
    words: set[str] = {"cds-index"}
    parsers = [_parser(), *_subparsers(_parser()).values()]
    for parser in parsers:
        words.add(parser.prog)
        for action in parser._actions:
            words |= set(action.option_strings)
            for name in (action.metavar, action.dest):
                if isinstance(name, str):
                    words.add(name)
                    words.add(name.upper())
            if action.choices:
                choices = [str(c) for c in action.choices]
                words |= set(choices)
                words.add("{" + ",".join(choices) + "}")
    return tuple(w for w in words if w and w != "==SUPPRESS==")


@functools.cache
def _content() -> tuple[str, ...]:
    """The decisions' words, the examples' values, the bad files' lines and the parser's code: once."""
    files = [
        *DEFINITIONS.rglob("*.yaml"),
        *EXAMPLES.rglob("*.yaml"),
        ROOT / "tests" / "cases" / "hue-2263-nhan-thuc.yaml",
    ]
    extra = [
        *_parser_words(),
        *(line for text in BAD_FILES.values() for line in text.splitlines()),
        *(part for text in BAD_FILES.values() for part in re.findall(r"[^\s:{},\[\]]+", text)),
        *_csv_cells(Path(DISTRICTS)),
        "25 người",
        "1.000",
        "nhiều",
        "tám nghìn",
        "hai nghìn",
        "thừa",
        "XYZ",
    ]
    return tuple(_content_of(*files, extra=extra))


@functools.cache
def _content_folded() -> tuple[list[tuple[str, str]], list[int]]:
    """The content with each piece casefolded once (thousands of pieces, looked for in every output),
    shortest first, and the folded lengths: a short output is compared with the short pieces only."""
    pieces = sorted(((piece, piece.casefold()) for piece in _content()), key=lambda p: len(p[1]))
    return pieces, [len(folded) for _, folded in pieces]


def _csv_cells(path: Path) -> Iterator[str]:
    import csv

    with path.open(encoding="utf-8-sig") as handle:
        for row in csv.reader(handle):
            yield from row


def _assert_speaks(text: str, lang: str, where: str) -> None:
    # only the content that occurs in the text: the same answer, a small pattern (content is thousands)
    view = _decoded(text).casefold()  # as the detector reads it: JSON decoded, capitals or not
    pieces, lengths = _content_folded()
    shorter = pieces[: bisect.bisect_right(lengths, len(view))]  # a longer piece cannot be in the text
    found = leaks(text, lang, [piece for piece, folded in shorter if folded in view])
    assert found == [], f"{where} ({lang}) has {found}:\n{text[:3000]}"


@pytest.fixture(scope="module")
def tmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("sweep")
    for name, text in BAD_FILES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


# What the sweep still finds: nothing (session 6 emptied it). A case that cannot pass yet is listed
# here with its reason, never hidden; strict, so a case that passes must leave this list.
NOT_YET: dict[str, str] = {}


def _all_cases() -> list[Any]:
    named = [(f"cds-index {name}", argv, codes) for name, argv, codes in TOP_LEVEL]
    for command, entries in CASES.items():
        named.append((f"{command} -h", [command, "-h"], OK))
        named += [(f"{command} {name}", argv, codes) for name, argv, codes in entries]
    cases = []
    for name, argv, codes in named:
        for lang in ("vi", "en"):
            reason = NOT_YET.get(f"{name}-{lang}")
            marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
            cases.append(pytest.param(argv, codes, lang, marks=marks, id=f"{name}-{lang}"))
    return cases


def test_every_command_has_cases() -> None:
    """A command added to ``COMMANDS`` without cases here fails: the sweep covers every command."""
    assert sorted(CASES) == sorted(_command_names())


def test_the_parser_words_are_code_not_sentences() -> None:
    """What the sweep counts as code is short: names and choices, never a help sentence."""
    assert all(len(w.split()) == 1 or w.startswith("cds-index ") for w in _parser_words())


@pytest.mark.parametrize(("argv", "codes", "lang"), _all_cases())
def test_the_command_speaks_the_language(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp: Path,
    argv: list[str],
    codes: set[int],
    lang: str,
) -> None:
    from cds_index.cli import main

    monkeypatch.delenv("COLUMNS", raising=False)  # unwrapped: a title is found whole among the content
    monkeypatch.setenv("CDS_INDEX_LANG", lang)  # `-h` before --lang, and no command at all, read it
    args = [a.format(tmp=tmp, lang=lang) for a in argv]
    try:
        code = main([*args, "--lang", lang] if argv else args)
    except SystemExit as exc:  # only `--help`/`--version` of the top level exit through argparse
        code = exc.code if isinstance(exc.code, int) else 2
    out, err = capsys.readouterr()
    assert code in codes, f"exit {code}:\n{out}\n{err}"
    assert out + err
    _assert_speaks(out, lang, " ".join(argv))  # apart: a JSON document on stdout is read as JSON
    _assert_speaks(err, lang, f"{' '.join(argv)}: stderr")
    for written in dict.fromkeys(_written(args)):  # a title in every sheet is read once
        _assert_speaks(written, lang, f"{' '.join(argv)}: its files")


def _written(args: list[str]) -> Iterator[str]:
    """The text of the files a command wrote (-o): HTML without tags, every cell of a workbook."""
    if "-o" not in args:
        return
    out = Path(args[args.index("-o") + 1])
    files = sorted(out.rglob("*")) if out.is_dir() else [out] if out.is_file() else []
    for path in files:
        if path.suffix == ".html":
            yield _html_text(path.read_text(encoding="utf-8"))
        elif path.suffix == ".xlsx":
            yield from _workbook_strings(path)
        elif path.suffix in {".yaml", ".csv", ".md"}:
            yield path.read_text(encoding="utf-8")


def _html_text(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def _workbook_strings(path: Path) -> Iterator[str]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=False)
    for sheet in book.worksheets:
        yield sheet.title
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and not cell.value.startswith("="):
                    yield cell.value
                if cell.comment is not None:
                    yield cell.comment.text
        for validation in sheet.data_validations.dataValidation:
            for text in (validation.prompt, validation.error, validation.promptTitle, validation.errorTitle):
                if text:
                    yield text


# --- the detector still finds a sentence planted in each machine format ------------------------

PLANTED = {"vi": "the value is missing", "en": "giá trị bị thiếu"}
"""A sentence of the other language: planted in an output, the detector must find its words."""


def _in_annotation(text: str, sentence: str) -> str:  # the message of GitHub's annotation
    return re.sub(r"^(::error [^:\n]*::)", rf"\1{sentence}; ", text, count=1, flags=re.M)


def _in_flow_mapping(text: str, sentence: str) -> str:  # a value of `{from: …, to: …}`
    return re.sub(r"\{(\w+): ", rf"{{\1: {sentence}, ", text, count=1)


def _in_comment(text: str, sentence: str) -> str:  # a comment under the modeline of the template
    return text.replace("\n", f"\n# {sentence}\n", 1)


def _in_json(text: str, sentence: str) -> str:  # a string of the document
    data = json.loads(text)
    data["planted"] = sentence
    return json.dumps(data, ensure_ascii=False, indent=2)


def _in_capitals(text: str, sentence: str) -> str:  # beside a title in capitals
    title = next(line for line in text.splitlines() if line.isupper() and len(line.split()) > 1)
    return text.replace(title, f"{title}: {sentence.upper()}", 1)


def _in_header(text: str, sentence: str) -> str:  # in the batch table's header
    first, _, rest = text.partition("\n")
    return f"{first} {sentence}\n{rest}"


PLANTS: list[tuple[str, list[str], str, Any]] = [
    ("github", ["check", "--format", "github", "{tmp}/bad-definition.yaml"], "vi", _in_annotation),
    ("diff", ["diff", str(FICTIONAL), str(FICTIONAL_2026)], "vi", _in_flow_mapping),
    ("template modeline", ["template", HUE], "vi", _in_comment),
    ("template flow mapping", ["template", HUE], "vi", _in_flow_mapping),
    ("show json", ["show", HUE, "--format", "json"], "en", _in_json),
    ("show json", ["show", HUE, "--format", "json"], "vi", _in_json),
    ("workbook capitals", ["template", HUE, "--format", "xlsx", "-o", "{tmp}/mau.xlsx"], "en", _in_capitals),
    ("batch header", ["score", HAI_DUONG, DISTRICTS], "en", _in_header),
    ("batch header", ["score", HAI_DUONG, DISTRICTS], "vi", _in_header),
]


@pytest.mark.parametrize(
    ("argv", "lang", "plant"), [pytest.param(*p[1:], id=f"{p[0]}-{p[2]}") for p in PLANTS]
)
def test_the_detector_finds_a_sentence_planted_in_the_format(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp: Path,
    argv: list[str],
    lang: str,
    plant: Any,
) -> None:
    """What the detector reads as code or content (annotation keys, flow-mapping keys, the modeline,
    JSON, titles in capitals, whole headers) hides nothing else: a sentence planted there is found."""
    from cds_index.cli import main

    monkeypatch.delenv("COLUMNS", raising=False)
    args = [a.format(tmp=tmp) for a in argv]
    main([*args, "--lang", lang])
    out = capsys.readouterr().out
    text = "\n".join(_written(args)) if "-o" in args else out
    _assert_speaks(text, lang, " ".join(argv))  # clean as written ...
    planted = plant(text, PLANTED[lang])
    assert planted != text
    view = _decoded(planted).casefold()
    content = [piece for piece in _content() if piece.casefold() in view]
    alone = leaks(PLANTED[lang], lang, content)  # the sentence on its own ("is" is a bad file's word)
    assert len(alone) >= 3
    missed = {w.casefold() for w in alone} - {w.casefold() for w in leaks(planted, lang, content)}
    assert missed == set(), f"{missed} planted but not found in:\n{planted[:2000]}"  # ... found planted


# --- the HTTP API --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from cds_index.server import create_app

    with TestClient(create_app()) as test_client:
        yield test_client


def _inputs_of(path: str) -> dict[str, Any]:
    from ruamel.yaml import YAML

    data: dict[str, Any] = YAML(typ="safe").load(Path(path).read_text(encoding="utf-8"))
    return data


REQUESTS: list[tuple[str, str, Any]] = [
    ("GET", "/", None),
    ("GET", "/health", None),
    ("GET", "/definitions", None),
    ("GET", f"/definitions/{HUE}", None),
    ("GET", "/definitions/hue-2263-comune", None),
    ("POST", f"/definitions/{HUE}/score", {"values": _inputs_of(WEAK)["values"], "year": 2024}),
    ("POST", f"/definitions/{HUE}/score", {"values": {"population": "25 người", "staf": 1}}),
    ("POST", f"/definitions/{HUE}/score", {"values": "nhiều"}),
    ("POST", "/definitions/hue-2263-comune/score", {"values": {}}),
    (
        "POST",
        f"/definitions/{HUE}/rank",
        {
            "units": [
                {"unit": {"id": "xa-a"}, "values": _inputs_of(WEAK)["values"], "year": 2024},
                {"unit": {"id": "xa-b"}, "values": _inputs_of(STRONG)["values"], "year": 2024},
            ]
        },
    ),
    ("POST", f"/definitions/{HUE}/rank", {"units": [{"values": {}}], "by": "XYZ"}),
    ("POST", f"/definitions/{HUE}/rank", "không phải JSON"),
    ("GET", "/nowhere", None),
]


def _answer_strings(data: Any, *, under: str = "") -> Iterator[str]:
    """The strings of an answer meant for people: messages, hints, explanations, statuses' words.

    Keys and ids are the format's; the definition's own document (GET /definitions/{id}) is content.
    """
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for key, value in data.items():
            if key in {"code", "id", "kind", "status", "type", "unit", "version", "severity", "lang"}:
                continue
            yield from _answer_strings(value, under=key)
    elif isinstance(data, list):
        for value in data:
            yield from _answer_strings(value, under=under)


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize(
    ("method", "url", "body"), REQUESTS, ids=[f"{m} {u} {i}" for i, (m, u, _) in enumerate(REQUESTS)]
)
def test_the_api_speaks_the_language(client: Any, method: str, url: str, body: Any, lang: str) -> None:
    header = {"vi": "vi-VN,vi;q=0.9", "en": "en-GB, en;q=0.9, vi;q=0.1"}[lang]
    if isinstance(body, str):
        answer = client.request(
            method, url, content=body, headers={"Accept-Language": header, "Content-Type": "application/json"}
        )
    else:
        answer = client.request(  # a date read from an example file is sent as its ISO text
            method,
            url,
            content=json.dumps(body, default=str),
            headers={"Accept-Language": header, "Content-Type": "application/json"},
        )
    assert answer.status_code < 500, answer.text
    if url.startswith("/definitions/") and url.count("/") == 2 and answer.status_code == 200:
        return  # a definition's document: the decision's words and the format's keys, nothing of ours
    text = "\n".join(_answer_strings(answer.json()))
    _assert_speaks(text, lang, f"{method} {url}")


def test_the_catalogues_read_without_a_warning() -> None:
    """Every entry whole (a merge once left two msgids without msgstr: Babel warned on every run)."""
    from babel.messages.pofile import read_po

    from cds_index import i18n

    for path in [
        i18n.catalogue_path("vi"),
        i18n.catalogue_path("en"),
        Path(i18n.LOCALE_DIR, "cds_index.pot"),
    ]:
        with path.open("rb") as handle:
            read_po(handle, abort_invalid=True)
