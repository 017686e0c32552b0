"""Driving Debian's Chromium through Playwright, for tests that look at real pages.

Never ``playwright install``: the browser is the system's (``chromium_path``).
A :class:`PageWatch` records what a page did that a test may forbid: console
errors, uncaught exceptions, dialogs (``alert()`` from an injected script) and
requests to anything but ``data:``/``about:`` URLs, which are aborted.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

from attrs import define, field

#: Keep Chromium quiet and local: no sandbox (root in CI), no background traffic.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
#: axe-core rule tags for WCAG 2.0 and 2.1, levels A and AA.
WCAG_AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@contextmanager
def chromium(executable_path: str) -> Iterator[Any]:
    """A headless Chromium browser, closed on exit."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable_path,
                                             args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@define
class PageWatch:
    """What a page did while a test looked at it."""

    page: Any
    console_errors: list[str] = field(factory=list)
    page_errors: list[str] = field(factory=list)
    dialogs: list[str] = field(factory=list)
    requests: list[str] = field(factory=list)


@contextmanager
def open_page(browser: Any, html: str, *, width: int = 1280, height: int = 800,
              bypass_csp: bool = False, media: str = "screen") -> Iterator[PageWatch]:
    """Load ``html`` in a fresh context and watch it; every outside request is aborted.

    ``bypass_csp`` lets a test inject axe-core (an inline script) into a page
    whose Content-Security-Policy forbids scripts; leave it off otherwise.
    """
    context = browser.new_context(viewport={"width": width, "height": height},
                                  bypass_csp=bypass_csp, java_script_enabled=True)
    page = context.new_page()
    watch = PageWatch(page)

    def on_console(message: Any) -> None:
        if message.type == "error":
            watch.console_errors.append(message.text)

    def on_dialog(dialog: Any) -> None:
        watch.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def on_route(route: Any) -> None:
        url = route.request.url
        if url.startswith(("data:", "about:")):
            route.continue_()
            return
        watch.requests.append(url)
        route.abort()

    page.on("console", on_console)
    page.on("pageerror", lambda error: watch.page_errors.append(str(error)))
    page.on("dialog", on_dialog)
    page.route("**/*", on_route)
    page.emulate_media(media=media)
    try:
        page.set_content(html, wait_until="load")
        yield watch
    finally:
        context.close()


@cache
def axe_source() -> str:
    """axe-core's script, as bundled by the axe-playwright-python test dependency."""
    from importlib.resources import files

    return (files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")


def run_axe(page: Any, tags: list[str] = WCAG_AA_TAGS) -> dict[str, Any]:
    """Run axe-core in the page (loaded with ``bypass_csp``) and return its results."""
    page.add_script_tag(content=axe_source())
    results: dict[str, Any] = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})", tags)
    return results


def describe_violations(violations: list[dict[str, Any]]) -> str:
    """axe violations as lines a person can act on: rule, impact, help, elements."""
    lines = []
    for violation in violations:
        targets = [", ".join(map(str, node["target"])) for node in violation["nodes"][:5]]
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} -> "
                     f"{'; '.join(targets)}")
    return "\n".join(lines)


def screenshot(page: Any, path: Path) -> Path:
    """Save a full-page PNG for people to look at."""
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path
