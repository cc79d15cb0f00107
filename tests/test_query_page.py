"""The endpoint's query page in headless Chromium: a SPARQL editor with highlighting, prefix
buttons and the named queries as examples, answering from the server (offline)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kg.server import ServerConfig, make_server

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"{CHROMIUM} missing: run `make test` (installs Debian's chromium) or "
    "`apt-get install chromium fonts-wqy-microhei`",
)


@pytest.fixture(scope="module")
def endpoint(built_output: Path) -> Iterator[str]:
    server = make_server(ServerConfig(store=built_output / "store", port=0, workers=1))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.url
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture(scope="module")
def page(endpoint: str) -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM),
                                    args=["--headless=new", "--no-sandbox", "--disable-gpu"])
        pg = browser.new_page()
        errors: list[str] = []
        pg.on("pageerror", lambda e: errors.append(str(e)))
        outside: list[str] = []
        pg.on("request", lambda r: None if r.url.startswith(endpoint) else outside.append(r.url))
        pg.goto(endpoint + "/")
        yield pg
        assert not errors, errors
        assert not outside, outside  # offline: nothing but the endpoint itself
        browser.close()


def test_the_named_queries_are_examples_and_load_highlighted(page: Any) -> None:
    names = page.eval_on_selector_all("#examples option", "os => os.map(o => o.value)")
    assert "fund_portfolio" in names and len([n for n in names if n]) >= 20
    page.select_option("#examples", "fund_portfolio")
    text = page.input_value("#q")
    assert text.startswith("# zh:") and "PREFIX kg:" in text
    kinds = page.eval_on_selector_all("#layer span", "ss => ss.map(s => s.className)")
    assert {"tok-k", "tok-v", "tok-p", "tok-c"} <= set(kinds)
    assert page.text_content("#layer").rstrip("\n") == text.rstrip("\n")  # the text, coloured


def test_prefix_buttons_declare_a_prefix_once(page: Any) -> None:
    page.fill("#q", "SELECT * WHERE { ?s a kg:Enterprise } LIMIT 1")
    page.click("button.prefix:text-is('kg:')")
    page.click("button.prefix:text-is('kg:')")
    assert page.input_value("#q").count("PREFIX kg: <https://w3id.org/pinghu-kg/ontology#>") == 1


def test_running_a_query_shows_its_rows(page: Any) -> None:
    page.select_option("#examples", "entities_by_type")
    page.click("#run")
    page.wait_for_selector("#out table tr:nth-child(2)")
    assert "row(s)" in page.text_content("#status")


def test_typed_markup_is_text_in_the_highlight(page: Any) -> None:
    page.fill("#q", '<img src=x onerror="window.pwned=1"> "</pre><b>x</b>"')
    assert page.eval_on_selector_all("#layer img, #layer b", "es => es.length") == 0
    assert page.evaluate("window.pwned") is None
