"""Open the dashboard of a national campaign in Chromium on a slow mobile link.

Chromium's own network throttling (the DevTools protocol's Network.emulateNetworkConditions:
1.6 Mbps down, 750 kbps up, 400 ms latency) between the browser and the app under gunicorn
with the production settings (deploy/gunicorn.conf.py), on the database a
``bench/analytics.py --keep`` run left. For a first visit (empty cache, signed in) and a
repeat visit (the same browser, a new navigation to the page), it reports:

- when the headline (communes meeting against the target) is painted, from the start of the
  navigation (the Element Timing API's renderTime of ``#headline``);
- when the page's load event fired and when the network went quiet (charts drawn, the weekly
  trend fetched);
- the bytes that crossed the network (encoded, headers included), by kind of file.

Only 127.0.0.1 is contacted.

    .venv/bin/python bench/analytics.py --keep --database survey_bench_analytics
    .venv/bin/python bench/dashboard_load.py --database survey_bench_analytics
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fixtures.browser import CHROMIUM_FLAGS  # noqa: E402
from tests.fixtures.gunicorn import Gunicorn  # noqa: E402

DEFAULT_SERVER = "postgresql+psycopg://root@127.0.0.1:5432/test"
#: The link the issue names: 1.6 Mbps down, 400 ms from request to first byte.
DOWN_BPS, UP_BPS, LATENCY_MS = 1_600_000, 750_000, 400
USER, PASSWORD = "bench", "bench-analytics-2026"

HEADLINE = """() => new Promise((resolve) => {
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.identifier === 'headline') resolve(entry.renderTime || entry.loadTime);
    }
  }).observe({type: 'element', buffered: true});
  setTimeout(() => resolve(null), 30000);
})"""
LOAD = "() => performance.getEntriesByType('navigation')[0].loadEventEnd"
#: Where the time before the headline went: the request, the server, the transfer.
TIMING = """() => {
  const n = performance.getEntriesByType('navigation')[0];
  const paint = performance.getEntriesByName('first-contentful-paint')[0];
  return {request: n.requestStart, first_byte: n.responseStart, last_byte: n.responseEnd,
          interactive: n.domInteractive, first_paint: paint ? paint.startTime : null};
}"""


class Traffic:
    """Bytes per request from the DevTools protocol's network events."""

    def __init__(self, cdp) -> None:
        self.kinds: dict[str, str] = {}
        self.sizes: Counter[str] = Counter()
        self.cached = 0
        cdp.on("Network.responseReceived", self.received)
        cdp.on("Network.loadingFinished", self.finished)
        cdp.on("Network.requestServedFromCache", self.from_cache)

    def received(self, event: dict) -> None:
        self.kinds[event["requestId"]] = event["type"]

    def finished(self, event: dict) -> None:
        kind = self.kinds.get(event["requestId"], "Other")
        self.sizes[kind] += int(event["encodedDataLength"])

    def from_cache(self, _event: dict) -> None:
        self.cached += 1

    def reset(self) -> None:
        self.kinds.clear()
        self.sizes.clear()
        self.cached = 0


def visit(page, traffic: Traffic, url: str) -> dict:
    traffic.reset()
    start = time.perf_counter()
    page.goto(url, wait_until="commit")
    headline = page.evaluate(HEADLINE)
    page.wait_for_load_state("load")
    load = page.evaluate(LOAD)
    timing = page.evaluate(TIMING)
    page.wait_for_load_state("networkidle")
    # Network idle is 500 ms without a request: those 500 ms are not the page's.
    quiet = (time.perf_counter() - start) * 1000 - 500
    return {"headline_ms": headline, "load_ms": load, "quiet_ms": quiet,
            "bytes": sum(traffic.sizes.values()), "by_kind": dict(traffic.sizes),
            "from_cache": traffic.cached, **{f"{k}_ms": v for k, v in timing.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", default=DEFAULT_SERVER)
    parser.add_argument("--database", default="survey_bench_analytics",
                        help="a database a bench/analytics.py --keep run left")
    parser.add_argument("--runs", type=int, default=3, help="first and repeat visits each")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    url = make_url(args.server).set(database=args.database).render_as_string(
        hide_password=False)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    with tempfile.TemporaryDirectory() as folder:
        server = Gunicorn(url, Path(folder) / "gunicorn.log", workers=2)
        server.start()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=chromium, headless=True,
                                                     args=CHROMIUM_FLAGS)
                results = measure(browser, server.url, args.runs)
                browser.close()
        finally:
            server.stop()
    print(report(results, args))


def measure(browser, base: str, runs: int) -> dict[str, list[dict]]:
    results: dict[str, list[dict]] = {"first": [], "repeat": []}
    for _ in range(runs):
        context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN")
        page = context.new_page()
        page.goto(f"{base}/dang-nhap")
        page.fill("#username", USER)
        page.fill("#password", PASSWORD)
        with page.expect_navigation():
            page.locator("button[type=submit]").first.click()
        target = f"{base}/bang-dieu-khien/"
        # The server warm (each worker has rendered the page and holds a connection): the
        # figures are the browser's and the link's, not a cold worker's first request.
        # Each visit waits for the network to go quiet, so that no earlier visit's weekly
        # trend still holds a worker when the measured one starts.
        for _ in range(4):
            page.goto(target)
            page.wait_for_load_state("networkidle")
        cdp = context.new_cdp_session(page)
        traffic = Traffic(cdp)
        cdp.send("Network.enable")
        cdp.send("Network.clearBrowserCache")
        cdp.send("Network.emulateNetworkConditions", {
            "offline": False, "latency": LATENCY_MS, "downloadThroughput": DOWN_BPS / 8,
            "uploadThroughput": UP_BPS / 8})
        results["first"].append(visit(page, traffic, target))
        results["repeat"].append(visit(page, traffic, target))
        context.close()
    return results


def report(results: dict[str, list[dict]], args) -> str:
    def median(visits: list[dict], key: str) -> float:
        return statistics.median(v[key] for v in visits)

    lines = [
        "| visit | request sent | first byte | last byte | first paint |",
        "|---|---|---|---|---|",
        *(f"| {name} | {median(v, 'request_ms'):,.0f} ms | {median(v, 'first_byte_ms'):,.0f} ms "
          f"| {median(v, 'last_byte_ms'):,.0f} ms | {median(v, 'first_paint_ms'):,.0f} ms |"
          for name, v in results.items()),
        "",
        f"Dashboard of database {args.database} in Chromium, throttled to "
        f"{DOWN_BPS / 1e6:.1f} Mbps down, {UP_BPS / 1e3:.0f} kbps up, {LATENCY_MS} ms latency; "
        f"medians of {args.runs} runs:",
        "",
        "| visit | headline painted | load event | network quiet | bytes transferred |",
        "|---|---|---|---|---|",
    ]
    for name, visits in results.items():
        kinds = Counter()
        for v in visits:
            kinds.update(v["by_kind"])
        detail = ", ".join(f"{kind} {size / len(visits) / 1000:,.0f} KB"
                           for kind, size in kinds.most_common())
        lines.append(
            f"| {name} | {median(visits, 'headline_ms'):,.0f} ms | "
            f"{median(visits, 'load_ms'):,.0f} ms | {median(visits, 'quiet_ms'):,.0f} ms | "
            f"{median(visits, 'bytes') / 1000:,.0f} KB ({detail}; "
            f"{visits[0]['from_cache']} files from the cache) |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
