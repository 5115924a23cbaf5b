"""HTML reports: self-contained, escaped, opportunities first, and rendered by headless Chromium."""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

import cds_index
from cds_index.cli import main
from cds_index.io.batch import score_many
from cds_index.numbers import show
from cds_index.render.htmlreport import unit_report, write_reports

from .conftest import EXAMPLES
from .synthetic import make_units, write_folder

HUE = "hue-2263-commune"


class _Text(HTMLParser):
    """The visible text of a page, and every tag with its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in {"style", "script", "title"}:
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in {"style", "script", "title"}:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.text.append(data)


def _parse(page: str) -> _Text:
    parser = _Text()
    parser.feed(page)
    return parser


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report")
    examples = sorted(EXAMPLES.glob(f"{HUE}-*.yaml"))
    assert main(["report", HUE, *map(str, examples), "-o", str(out)]) == 0
    return out


def test_one_page_per_unit_and_a_summary(reports: Path) -> None:
    definition = cds_index.load(HUE)
    rows = list(score_many(definition, sorted(EXAMPLES.glob(f"{HUE}-*.yaml"))))
    files = {p.name for p in reports.iterdir()}
    assert files == {"index.html"} | {f"{r.unit_id}.html" for r in rows}
    summary = _parse((reports / "index.html").read_text(encoding="utf-8"))
    links = [a.get("href") for tag, a in summary.tags if tag == "a"]
    assert sorted(links) == sorted(f"{r.unit_id}.html" for r in rows)
    text = " ".join(summary.text)
    for pillar in definition.tree:  # the distribution per pillar
        assert pillar.title in text
    best = max(rows, key=lambda r: r.result.points)  # type: ignore[union-attr]
    assert best.result is not None
    # the ranking table: first row is the best unit, with its total as shown to people
    first_row = re.search(r"<tbody><tr>(.*?)</tr>", (reports / "index.html").read_text(encoding="utf-8"))
    assert first_row and (best.result.unit_name or "") in first_row.group(1)
    assert show(best.result.points, "vi", 2) in first_row.group(1)


def test_pages_are_self_contained_and_printable(reports: Path) -> None:
    for page in reports.glob("*.html"):
        html = page.read_text(encoding="utf-8")
        parsed = _parse(html)
        assert not [t for t, _ in parsed.tags if t in {"script", "link", "img", "iframe", "object"}], page
        for _, attrs in parsed.tags:
            for key in ("src", "href"):
                value = attrs.get(key) or ""
                assert not re.match(r"^[a-z]+:", value), (page, value)  # no external address
        assert "@media print" in html and '<html lang="vi">' in html


def test_criteria_losing_most_come_first() -> None:
    definition = cds_index.load(HUE)
    (row,) = list(score_many(definition, [EXAMPLES / f"{HUE}-weak.yaml"]))
    assert row.result is not None
    page = unit_report(definition, row.result)
    section = page.split("<h2>Cơ hội cải thiện lớn nhất")[1].split("<h2>")[0]
    ids = re.findall(r"<tr><td>([A-Za-z0-9.]+)</td>", section)
    losing = [c for c in row.result.criteria() if c.lost > 0]
    assert len(ids) == len(losing) > 0
    lost = {c.id: c.lost for c in losing}
    assert [lost[i] for i in ids] == sorted(lost.values(), reverse=True)


def test_text_is_escaped_and_english_is_available(tmp_path: Path) -> None:
    definition = cds_index.load(HUE)
    result = cds_index.score(
        definition,
        {"population": 100},
        unit_id="x<y",
        unit_name='<script>alert("x")</script> & Co',
        lang="en",
    )
    page = unit_report(definition, result, lang="en")
    assert "<script>" not in page and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co" in page
    assert "Largest opportunities" in page and '<html lang="en">' in page
    written, failed = write_reports(definition, [], tmp_path / "empty")
    assert [p.name for p in written] == ["index.html"] and failed == 0


def test_units_with_bad_data_are_listed_not_ranked(tmp_path: Path) -> None:
    definition = cds_index.load(HUE)
    units = make_units(definition, 3, seed=5, twins=0)
    folder = write_folder(definition, units, tmp_path / "in")
    text = (folder / f"{units[0]['id']}.yaml").read_text(encoding="utf-8")
    (folder / f"{units[0]['id']}.yaml").write_text(
        text.replace("  population: ", "  population: -", 1), encoding="utf-8"
    )
    assert main(["report", HUE, str(folder), "-o", str(tmp_path / "out"), "--lang", "en"]) == 1
    summary = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "Units not ranked" in summary and "input-range" in summary
    page = (tmp_path / "out" / f"{units[0]['id']}.html").read_text(encoding="utf-8")
    assert "Refused values" in page and "population" in page


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.browser
@pytest.mark.skipif(_chromium() is None, reason="chromium is not installed (Debian package `chromium`)")
def test_report_renders_in_headless_chromium(tmp_path: Path) -> None:
    definition = cds_index.load("hai-duong-707-district")
    example = EXAMPLES / "hai-duong-707-district-huyen-a.yaml"
    out = tmp_path / "report"
    assert main(["report", definition.id, str(example), "-o", str(out)]) == 0
    (row,) = list(score_many(definition, [example]))
    assert row.result is not None
    page = out / f"{row.unit_id}.html"
    done = subprocess.run(
        [
            _chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    rendered = " ".join(" ".join(_parse(done.stdout).text).split())
    total = f"{show(row.result.points, 'vi', 2)} / {show(row.result.max, 'vi', 2)}"
    assert total in rendered
    assert f"{show(row.result.index, 'vi', 2)}%" in rendered  # the declared final index
    for pillar in row.result.pillars:
        assert f"{pillar.id} {pillar.title}" in rendered
        assert f"{show(pillar.points, 'vi', 2)} / {show(pillar.max, 'vi', 2)}" in rendered


@pytest.mark.parametrize("by", ["total", "II"])
def test_the_figure_ranked_by_is_the_one_in_bold_and_histograms_have_axes(tmp_path: Path, by: str) -> None:
    """#14: the summary ranked by a pillar bolds that pillar, not the total; the bars have axes."""
    definition = cds_index.load(HUE)
    rows = list(score_many(definition, sorted(EXAMPLES.glob(f"{HUE}-*.yaml"))))
    write_reports(definition, rows, tmp_path, by=by)
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    first_row = re.search(r"<tbody><tr>(.*?)</tr>", page)
    assert first_row
    cells = re.findall(r"<td[^>]*>(.*?)</td>", first_row.group(1))
    bold = [i for i, c in enumerate(cells) if c.startswith("<b>")]
    column = 2 if by == "total" else 5 + [p.id for p in definition.tree].index(by)
    assert bold == [column], cells
    assert page.count('<div class="hist-x"><span>0%</span><span>50%</span><span>100%</span></div>') == len(
        definition.tree
    )
    assert re.search(r'<div class="hist-y">\d+ đơn vị</div>', page)
