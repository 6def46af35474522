"""The run report: plots/ and a self-contained report.html, redrawn by ``defsim plot``."""

from __future__ import annotations

import html
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from builders import DESCRIPTION, EVERY_CHART, write_scenario
from helpers import defsim

from sim.errors import InputError
from sim.metrics import KEY_METRICS, format_value, label_of
from sim.report.headline import with_interval
from sim.report.run_report import SECTORS_PER_TABLE, write_report
from sim.results.read import read_run

CHARTS = {"capacity_use", "capacity_use_by_sector", "absorption_share", "firms",
          "licence_pipeline", "export_markets"}
DATA_FILES = ("scenario.yaml", "manifest.json", "summary.json", "replications.csv", "monthly.csv")


class _Page(HTMLParser):
    """Collects tags, resource attributes and text; fails on unbalanced sections."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.resources: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        wanted = ("src", "href", "srcset")
        self.resources += [value or "" for name, value in attrs if name in wanted]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    return page


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("report")
    out = folder / "run"
    scenario = write_scenario(folder, **EVERY_CHART)
    ran = defsim("run", scenario, "-n", "4", "--workers", "1", "--quiet", "--out", out)
    assert ran.code == 0, ran.err
    return out


def test_run_writes_every_chart_and_the_report(saved: Path) -> None:
    assert {p.stem for p in (saved / "plots").glob("*.png")} == CHARTS
    assert all(p.stat().st_size > 10_000 for p in (saved / "plots").iterdir())
    assert (saved / "report.html").is_file()


def test_report_is_self_contained_html(saved: Path) -> None:
    page = _parse(saved / "report.html")
    assert page.tags[:1] == ["html"] and "body" in page.tags and "table" in page.tags
    assert page.tags.count("img") == len(CHARTS)
    assert page.resources and all(r.startswith("data:image/") for r in page.resources)
    html = (saved / "report.html").read_text(encoding="utf-8")
    assert "http://" not in html and "https://" not in html
    assert "<link" not in html and "<script" not in html


def test_report_holds_scenario_metrics_and_scenario_text_escaped(saved: Path) -> None:
    html = (saved / "report.html").read_text(encoding="utf-8")
    text = "".join(_parse(saved / "report.html").text)
    assert DESCRIPTION in text and "<b>test</b>" not in html
    assert "Tiny &lt;b&gt;test&lt;/b&gt; scenario &amp; friends" in html
    for name in KEY_METRICS:
        assert name in text
    summary = json.loads((saved / "summary.json").read_text())
    assert summary["scenario"] in text
    assert "name: tiny" in text and "capacity_usd: 1.2e9" in text


def test_report_opens_with_the_answer_in_a_sentence(saved: Path) -> None:
    """Exports in USD, the three absorption shares and the exits, each with its interval."""
    summary = json.loads((saved / "summary.json").read_text())["metrics"]
    text = " ".join("".join(_parse(saved / "report.html").text).split())
    start = text.index("licensed exports of")
    sentence = text[start - 80:text.index("Key metrics")]
    assert text.index("licensed exports of") < text.index("Key metrics")
    assert format_value("export_usd", summary["export_usd"]["mean"]) in sentence
    for name in ("absorption_share", "absorption_of_initial_surplus",
                 "absorption_share_exportable"):
        assert with_interval(name, summary[name]) in sentence
    assert "firms exit" in sentence and sentence.count("95% CI") >= 4


def test_report_names_metrics_by_their_labels(saved: Path) -> None:
    cells = re.findall(r"<tr><td>([^<]*)</td>", (saved / "report.html").read_text())
    for name in KEY_METRICS:
        assert html.escape(label_of(name)) in cells, name


def test_by_sector_tables_fit_a_laptop_page_with_intervals_on_one_line(saved: Path) -> None:
    """At most four sectors side by side; each CI one unbreakable line under its mean."""
    page = (saved / "report.html").read_text(encoding="utf-8")
    tables = re.findall(r'<table class="sectors">(.*?)</table>', page, flags=re.S)
    assert tables
    for table in tables:
        header = re.search(r"<thead>(.*?)</thead>", table, flags=re.S)
        assert header and header.group(1).count("<th>") <= 1 + SECTORS_PER_TABLE
    assert re.search(r"\.ci \{[^}]*display: block", page)
    assert re.search(r"table\.sectors td, table\.sectors th \{[^}]*white-space: nowrap", page)


def test_values_that_do_not_vary_have_no_interval(saved: Path) -> None:
    summary = json.loads((saved / "summary.json").read_text())
    capacity = summary["sectors"]["artillery"]["capacity_usd"]
    assert capacity["ci_low"] == pytest.approx(capacity["ci_high"])
    page = (saved / "report.html").read_text(encoding="utf-8")
    row = re.search(r"<tr><td>capacity</td>(.*?)</tr>", page.split('class="sectors"')[1])
    assert row and f"<td>{format_value('capacity_usd', capacity['mean'])}</td>" in row.group(1)
    assert '<span class="ci">' in row.group(1), "the sectors that vary keep their interval"


def test_scenario_as_run_is_readable_and_keeps_the_files_comments(tmp_path: Path) -> None:
    scenario = write_scenario(tmp_path, **EVERY_CHART)
    text = scenario.read_text(encoding="utf-8")
    commented = re.sub(r"budget_usd: .*", "budget_usd: 20.0e9  # source: the budget law, 2026",
                       text)
    scenario.write_text("# A header: every figure has a source.\n" + commented, encoding="utf-8")
    out = tmp_path / "run"
    ran = defsim("run", scenario, "-n", "2", "--workers", "1", "--quiet", "--out", out,
                 "--set", "licensing.preparation_days=45")
    assert ran.code == 0, ran.err
    page = (out / "report.html").read_text(encoding="utf-8")
    listing = page[page.index("<h2>Scenario as run"):]
    assert "20000000000.0" not in listing and "budget_usd: 20e9" in listing
    assert "source: the budget law, 2026" in listing
    assert "A header: every figure has a source." in listing
    assert "preparation_days: 45" in listing and "(file: 20)" in listing
    assert "(default)" in listing
    assert (out / "scenario_file.yaml").read_text(encoding="utf-8").startswith("# A header")


def test_defsim_plot_reproduces_the_plots_and_touches_nothing_else(saved: Path,
                                                                   tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(saved, copy)
    before = {p.name: p.read_bytes() for p in (copy / "plots").iterdir()}
    data = {name: (copy / name).read_bytes() for name in DATA_FILES}
    shutil.rmtree(copy / "plots")
    (copy / "report.html").unlink()
    assert defsim("plot", copy).code == 0
    after = {p.name: p.read_bytes() for p in (copy / "plots").iterdir()}
    assert after.keys() == before.keys()
    assert after == before, "same files, same matplotlib: same bytes"
    assert (copy / "report.html").read_bytes() == (saved / "report.html").read_bytes()
    assert {name: (copy / name).read_bytes() for name in DATA_FILES} == data
    assert not list(copy.glob(".*partial*"))


@pytest.mark.parametrize("fmt", ["svg", "pdf"])
def test_defsim_plot_other_formats_replace_plots(saved: Path, tmp_path: Path, fmt: str) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(saved, copy)
    assert defsim("plot", copy, "--format", fmt).code == 0
    assert {p.name for p in (copy / "plots").iterdir()} == {f"{stem}.{fmt}" for stem in CHARTS}
    assert _parse(copy / "report.html").tags.count("img") == len(CHARTS)


def test_bad_folders_are_refused_in_one_line(tmp_path: Path, saved: Path) -> None:
    missing = defsim("plot", tmp_path / "nowhere")
    assert missing.code == 2 and missing.err.strip().count("\n") == 0
    broken = tmp_path / "broken"
    shutil.copytree(saved, broken)
    (broken / "summary.json").write_text("{not json")
    with pytest.raises(InputError, match=r"summary.json: not valid JSON"):
        read_run(broken)
    (broken / "monthly.csv").unlink()
    with pytest.raises(InputError, match=r"missing monthly\.csv"):
        write_report(broken)
    assert defsim("plot", saved, "--format", "gif").code == 2
