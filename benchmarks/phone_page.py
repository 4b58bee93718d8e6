"""The phone page against formio.js: the self-review form as Growth Cycle serves it, and the same
form defined for formio.js (components generated from forms/self-review.yaml) rendered by
formio.full.min.js with its CSS and the Bootstrap 4 CSS it needs.

Both are served from one static server on 127.0.0.1 that gzips like a real one. Chromium (Debian's)
loads each in an iPhone 13 context with DevTools' "Slow 4G" (562.5 ms RTT, 1.44 Mbit/s down) and
4x CPU slow-down through CDP; we report bytes (raw and as transferred) and first contentful paint,
median of a few fresh loads. formio.js is installed with npm into benchmarks/.work/ (gitignored).
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import statistics
import subprocess
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from benchmarks.forms_page import _context, _page

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "benchmarks" / ".work"
NPM_DIR = WORK / "formio"
SITE = WORK / "phone-site"
RUNS = int(os.environ.get("BENCH_PHONE_RUNS", "3"))
SLOW_4G = {
    "offline": False,
    "latency": 562.5,
    "downloadThroughput": 1_440_000 / 8,
    "uploadThroughput": 675_000 / 8,
}
FORMIO_FILES = {
    "formio.full.min.js": "node_modules/formiojs/dist/formio.full.min.js",
    "formio.full.min.css": "node_modules/formiojs/dist/formio.full.min.css",
    "bootstrap.min.css": "node_modules/bootstrap/dist/css/bootstrap.min.css",
}


def _install_formio() -> None:
    if all((NPM_DIR / path).exists() for path in FORMIO_FILES.values()):
        return
    NPM_DIR.mkdir(parents=True, exist_ok=True)
    (NPM_DIR / "package.json").write_text('{"name": "formio-bench", "private": true}\n')
    subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", "formiojs@4", "bootstrap@4"],
        cwd=NPM_DIR,
        check=True,
        capture_output=True,
    )


def formio_components() -> list[dict[str, Any]]:
    """The self-review form, as formio.js components (same labels, hints, choices, condition)."""
    from growthcycle.domain.forms import load_forms

    form = load_forms().get("self-review")
    ctx = _context("performance")
    refs = form.references(ctx)
    components: list[dict[str, Any]] = []
    for f in form.fields_for("performance"):
        base: dict[str, Any] = {
            "key": f.key,
            "label": f.label,
            "description": f.hint,
            "input": True,
        }
        if f.type == "long_text":
            base |= {"type": "textarea", "rows": 5, "validate": {"maxLength": 5000}}
        elif f.type == "multiple_choice":
            base |= {
                "type": "selectboxes",
                "values": [{"label": c.label, "value": c.value} for c in f.choices_in(refs)],
            }
        elif f.type == "yes_no":
            base |= {
                "type": "radio",
                "values": [{"label": "Yes", "value": "yes"}, {"label": "No", "value": "no"}],
            }
        if f.show_when:
            base["conditional"] = {"show": True, "when": f.show_when.field, "eq": "yes"}
        components.append(base)
    components.append({"type": "button", "action": "submit", "label": "Send", "key": "submit"})
    return components


def _build_site() -> None:
    _install_formio()
    if SITE.exists():
        shutil.rmtree(SITE)
    (SITE / "static").mkdir(parents=True)
    from growthcycle.web.static import static_file

    (SITE / "growthcycle.html").write_text(_page("self-review", "performance"))
    (SITE / "static" / "app.css").write_text((static_file("app.css") or ("", ""))[1])
    for name, path in FORMIO_FILES.items():
        shutil.copy(NPM_DIR / path, SITE / name)
    definition = json.dumps({"components": formio_components()})
    (SITE / "formio.js.html").write_text(
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Your self-review</title>"
        '<link rel="stylesheet" href="bootstrap.min.css">'
        '<link rel="stylesheet" href="formio.full.min.css">'
        '<script src="formio.full.min.js"></script></head>'
        '<body><main class="container"><h1>Your self-review</h1><div id="form"></div></main>'
        f"<script>Formio.createForm(document.getElementById('form'), {definition});</script>"
        "</body></html>\n"
    )


class _Gzipping(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        path = Path(self.translate_path(self.path))
        if not path.is_file():
            self.send_error(404)
            return
        body = path.read_bytes()
        gz = "gzip" in self.headers.get("Accept-Encoding", "")
        if gz:
            body = gzip.compress(body, 6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        if gz:
            self.send_header("Content-Encoding", "gzip")
        self.end_headers()
        self.wfile.write(body)


def _raw_bytes(page: str) -> tuple[int, int]:
    names = {
        "growthcycle.html": ["growthcycle.html", "static/app.css"],
        "formio.js.html": ["formio.js.html", *FORMIO_FILES],
    }[page]
    raw = sum((SITE / n).stat().st_size for n in names)
    zipped = sum(len(gzip.compress((SITE / n).read_bytes(), 6)) for n in names)
    return raw, zipped


def _load(browser: Any, playwright: Any, url: str, ready: str) -> tuple[float, int]:
    context = browser.new_context(**playwright.devices["iPhone 13"])
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    cdp.send("Network.emulateNetworkConditions", SLOW_4G)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
    page.goto(url, wait_until="load", timeout=120_000)
    page.wait_for_selector(ready, timeout=120_000)
    page.wait_for_timeout(200)
    fcp = page.evaluate(
        "() => (performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime || -1"
    )
    transferred = page.evaluate(
        "() => performance.getEntriesByType('navigation').concat("
        "performance.getEntriesByType('resource')).reduce((s, e) => s + e.transferSize, 0)"
    )
    context.close()
    return float(fcp), int(transferred)


def main() -> list[str]:
    from playwright.sync_api import sync_playwright
    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

    if CHROMIUM is None:
        return [
            "## The phone page against formio.js",
            "",
            "Not measured: Chromium is not installed.",
        ]
    _build_site()
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Gzipping, directory=str(SITE)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    results: dict[str, tuple[int, int, int, float]] = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for page, ready in (
                ("growthcycle.html", "textarea"),
                ("formio.js.html", "textarea"),
            ):
                loads = [_load(browser, playwright, f"{base}/{page}", ready) for _ in range(RUNS)]
                raw, zipped = _raw_bytes(page)
                results[page] = (
                    raw,
                    zipped,
                    int(statistics.median(t for _, t in loads)),
                    statistics.median(f for f, _ in loads),
                )
            browser.close()
    finally:
        server.shutdown()
    gc, fx = results["growthcycle.html"], results["formio.js.html"]
    lines = [
        "## The phone page against formio.js (self-review form, blank)",
        "",
        f"iPhone 13 viewport, DevTools Slow 4G (562.5 ms RTT, 1.44 Mbit/s), 4x CPU slow-down; "
        f"median of {RUNS} fresh loads; served gzipped from 127.0.0.1. formio.js "
        f"{_formio_version()} with formio.full.min.css and Bootstrap 4 CSS.",
        "",
        "| page | raw bytes (HTML+CSS+JS) | gzipped | transferred | first contentful paint |",
        "|---|---|---|---|---|",
    ]
    for name, (raw, zipped, moved, fcp) in (("Growth Cycle", gc), ("formio.js", fx)):
        lines.append(f"| {name} | {raw:,} B | {zipped:,} B | {moved:,} B | {fcp:,.0f} ms |")
    lines += [
        "",
        f"Growth Cycle is {fx[1] / gc[1]:.0f}x lighter gzipped (aim: at least 20x, under 14 KB: "
        f"{'met' if gc[1] < 14_000 and fx[1] / gc[1] >= 20 else 'NOT met'}), and paints "
        f"{fx[3] / gc[3]:.1f}x sooner.",
    ]
    return lines


def _formio_version() -> str:
    package = NPM_DIR / "node_modules" / "formiojs" / "package.json"
    return str(json.loads(package.read_text())["version"]) if package.exists() else "?"


if __name__ == "__main__":
    print("\n".join(main()))
