"""End-to-end fixtures: the local stack as a newcomer runs it (`growthcycle demo`, a separate
process on 127.0.0.1), and Debian's Chromium driven by Playwright in a phone viewport."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = next(
    (p for p in ("/usr/lib/chromium/chromium", "/usr/bin/chromium") if os.path.exists(p)), None
)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Stack:
    def __init__(self, data_dir: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.data_dir = data_dir
        self.process: subprocess.Popen[str] | None = None
        self.log = data_dir.parent / f"demo-{self.port}.log"

    def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "growthcycle.cli.main",
                "demo",
                "--port",
                str(self.port),
                "--data",
                str(self.data_dir),
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            text=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the demo exited early:\n{self.log.read_text()}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"the demo did not start:\n{self.log.read_text()}")

    def stop(self) -> str:
        assert self.process is not None
        self.process.send_signal(2)  # Ctrl-C
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise
        return self.log.read_text()

    def mail_links(self, pattern: str) -> list[str]:
        with urllib.request.urlopen(f"{self.url}/_local/mail", timeout=5) as response:  # noqa: S310
            page = response.read().decode()
        return re.findall(pattern, page)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    running = Stack(tmp_path_factory.mktemp("stack") / "data")
    running.start()
    yield running
    if running.process and running.process.poll() is None:
        running.stop()


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is not installed: run `make chromium`")
        pytest.skip("Debian's chromium is not installed (make chromium installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield playwright, browser
        browser.close()


@pytest.fixture
def phone(chromium: Any) -> Iterator[Any]:
    playwright, browser = chromium
    context = browser.new_context(**playwright.devices["iPhone 13"])
    page = context.new_page()
    yield page
    context.close()


def axe_violations(page: Any) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        page,
        options={
            "runOnly": {
                "type": "tag",
                # WCAG 2.2 AA, and axe's best practices (unique landmarks, heading order...)
                "values": [
                    "wcag2a",
                    "wcag2aa",
                    "wcag21a",
                    "wcag21aa",
                    "wcag22aa",
                    "best-practice",
                ],
            }
        },
    )
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)" for v in results.response["violations"]
    ]


def screenshot_dir() -> Path:
    path = ROOT / "test-results"
    path.mkdir(exist_ok=True)
    return path
