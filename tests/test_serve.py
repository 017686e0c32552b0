"""``civicrecord serve``: the live preview, run as a user runs it.

Each test starts the real command in a subprocess on a free port, on a copy of
the worked example, and edits the copy's files as an editor would. Tests
marked ``chromium`` look at the page in Debian's Chromium (``tests/browser.py``).
"""

from __future__ import annotations

import base64
import os
import re
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import attrs
import lxml.html
import pytest
from hypothesis import given
from hypothesis import strategies as st

from browser import chromium
from civicrecord import serve
from civicrecord.problems import Location, Problem, Severity
from civicrecord.serve import PreviewPage, preview_html, problems_panel
from conftest import EXAMPLE

AXIS = Path("axes") / "mobilites.yaml"
#: Generous: the shared test machine may be slow; the preview itself answers
#: a save after a quiet 50 ms and one rendering.
PATIENCE_MS = 15_000


@attrs.frozen
class Served:
    process: subprocess.Popen[str]
    url: str
    log: Path

    def stderr(self) -> str:
        return self.log.read_text(encoding="utf-8")


def _start(arguments: list[str], log: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with log.open("w", encoding="utf-8") as stderr:
        return subprocess.Popen([sys.executable, "-m", "civicrecord.cli", "serve", *arguments],
                                stdout=subprocess.PIPE, stderr=stderr, text=True, env=env)


@contextmanager
def serving(*arguments: str, log: Path) -> Iterator[Served]:
    """The command running until the block ends; stopped with SIGTERM if still running."""
    process = _start([*arguments, "--port", "0"], log)
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + 60
        line = ""
        while not line and time.monotonic() < deadline:
            ready, _, _ = select.select([process.stdout], [], [], 0.5)
            if ready:
                line = process.stdout.readline()
                if not line:
                    break  # the command ended
        found = re.fullmatch(r"Serving \S+ at (http://127\.0\.0\.1:\d+/) \(Ctrl\+C to stop\)\n",
                             line)
        assert found, f"no 'Serving' line: {line!r}\n{log.read_text(encoding='utf-8')}"
        yield Served(process, found.group(1), log)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process.stdout is not None:
            process.stdout.close()


@pytest.fixture
def report(tmp_path: Path) -> Path:
    folder = tmp_path / "report"
    shutil.copytree(EXAMPLE, folder)
    return folder


def _files(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def _save(path: Path, old: str, new: str, count: int = 1) -> None:
    """Change a file in place as an editor saves it."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        body: bytes = response.read()
        return body.decode("utf-8")


def _wait_for_page(url: str, predicate: Any) -> str:
    deadline = time.monotonic() + PATIENCE_MS / 1000
    while True:
        page = _get(url)
        if predicate(page) or time.monotonic() > deadline:
            return page
        time.sleep(0.05)


@contextmanager
def browser_page(chromium_path: str, url: str) -> Iterator[tuple[Any, list[str]]]:
    """The page open in Chromium, and every console error and uncaught exception it shows.

    Requests anywhere but the preview are aborted, and recorded as errors.
    """
    with chromium(chromium_path) as browser:
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda message: message.type == "error"
                and errors.append(message.text))
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("dialog", lambda dialog: (errors.append(f"dialog: {dialog.message}"),
                                          dialog.dismiss()))

        def only_the_preview(route: Any) -> None:
            if route.request.url.startswith(url):
                route.continue_()
            else:
                errors.append(f"request to {route.request.url}")
                route.abort()

        page.route("**/*", only_the_preview)
        try:
            page.goto(url, wait_until="load")
            yield page, errors
        finally:
            context.close()


def _eventually(value: Any, expected: object) -> object:
    """What ``value()`` gives once it gives ``expected``, or at the end of our patience.

    Polled from here: the page's policy forbids the string evaluation that
    Playwright's ``wait_for_function`` uses.
    """
    deadline = time.monotonic() + PATIENCE_MS / 1000
    while (found := value()) != expected and time.monotonic() < deadline:
        time.sleep(0.05)
    return found


def _mark_this_load(page: Any) -> None:
    """A mark that only this load of the page holds: gone once the page reloads."""
    page.evaluate("window.loadedBeforeTheEdit = true")


def _reloaded(page: Any) -> bool:
    return bool(page.evaluate("window.loadedBeforeTheEdit === undefined"))


# --- In the browser --------------------------------------------------------------


@pytest.mark.chromium
def test_a_saved_axis_shows_in_the_open_page_by_itself_at_the_same_scroll_position(
        chromium_path: str, report: Path, tmp_path: Path) -> None:
    before = _files(report)
    with serving(str(report), log=tmp_path / "serve.log") as served, \
            browser_page(chromium_path, served.url) as (page, errors):
        page.evaluate("window.scrollTo(0, 2400)")
        assert page.evaluate("window.scrollY") == 2400
        _mark_this_load(page)
        # The same length, so the page above the reader keeps its height.
        _save(report / AXIS, "Augmenter la fréquence de la ligne 2",
              "Augmenter la fréquence de la LIGNE 2")
        page.get_by_text(re.compile("fréquence de la LIGNE 2")).first.wait_for(timeout=PATIENCE_MS)
        page.wait_for_load_state("load")
        assert _reloaded(page), "the page changed without being loaded again"
        assert _eventually(lambda: page.evaluate("window.scrollY"), 2400) == 2400
        assert errors == []
    edited = {**before, str(AXIS): (report / AXIS).read_bytes()}
    assert _files(report) == edited, "serve wrote into the report folder"


@pytest.mark.chromium
def test_a_broken_status_shows_its_problem_over_the_last_page_until_it_is_fixed(
        chromium_path: str, report: Path, tmp_path: Path) -> None:
    hostile = "<img src=x onerror=alert(1)>"
    with serving(str(report), log=tmp_path / "serve.log") as served, \
            browser_page(chromium_path, served.url) as (page, errors):
        title = page.locator("h1").inner_text()
        _mark_this_load(page)
        _save(report / AXIS, "status: done", "status: donne")
        _save(report / AXIS, "status: done", f'status: "{hostile}"')
        panel = page.locator("#civicrecord-serve-problems")
        panel.wait_for(state="visible", timeout=PATIENCE_MS)
        assert _reloaded(page)
        shown = panel.inner_text()
        lines = (report / AXIS).read_text(encoding="utf-8").splitlines()
        for broken in ("donne", hostile):
            line = next(number for number, text in enumerate(lines, start=1) if broken in text)
            assert f"{report.name}/axes/mobilites.yaml:{line}:" in shown
        assert re.search(r"axes\[\d+\]\.actions\[\d+\]\.status", shown)
        assert f"got text ('{hostile}')" in shown  # the value, shown as text
        assert "did you mean 'done'?" in shown  # the hint
        assert panel.locator("img").count() == 0
        assert page.locator("h1").inner_text() == title, "the last good page is not under it"
        assert panel.evaluate("element => getComputedStyle(element).position") == "fixed"

        _save(report / AXIS, "status: donne", "status: done")
        _save(report / AXIS, f'status: "{hostile}"', "status: done")
        panel.wait_for(state="detached", timeout=PATIENCE_MS)
        assert errors == []
    assert "error: axes[" in served.stderr()  # the terminal says it too


# --- On the wire -----------------------------------------------------------------


def _svg(colour: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="4" height="2">'
            f'<rect width="4" height="2" fill="{colour}"/></svg>')


@pytest.mark.parametrize("edited", ["report.yaml", "axis", "template", "logo"])
def test_every_file_the_page_is_made_from_rebuilds_it(edited: str, report: Path,
                                                      tmp_path: Path) -> None:
    templates = tmp_path / "templates" / "partials"
    templates.mkdir(parents=True)
    (templates / "footer.html.j2").write_text("<footer>first footer</footer>\n",
                                              encoding="utf-8")
    (report / "logo.svg").write_text(_svg("red"), encoding="utf-8")
    change = {
        "report.yaml": (report / "report.yaml", "title: Hauts de Chambéry",
                        "title: Hauts-de-Chambéry"),
        "axis": (report / AXIS, "la ligne 2", "la ligne 2 bis"),
        "template": (templates / "footer.html.j2", "first footer", "second footer"),
        "logo": (report / "logo.svg", "red", "blue"),
    }
    path, old, new = change[edited]
    looked_for = {"report.yaml": "Hauts-de-Chambéry",
                  "logo": base64.b64encode(_svg("blue").encode()).decode()}.get(edited, new)
    with serving(str(report), "--template-dir", str(tmp_path / "templates"),
                 "-O", "theme.logo=logo.svg", log=tmp_path / "serve.log") as served:
        first = _get(served.url)
        assert "first footer" in first and looked_for not in first
        _save(path, old, new)
        assert looked_for in _wait_for_page(served.url, lambda page: looked_for in page)


def test_the_script_and_panel_are_in_the_served_page_only(report: Path, tmp_path: Path) -> None:
    from civicrecord import load, render

    rendered = render(load(report), "html").decode("utf-8")
    with serving(str(report), log=tmp_path / "serve.log") as served:
        page = _get(served.url)
        script = _get(served.url + "__civicrecord__/reload.js")
    assert "__civicrecord__" not in rendered and "<script" not in rendered
    assert page.count("<script") == 1 and "EventSource" in script
    # The page's own policy still forbids everything else: no inline script, no remote file.
    policy = lxml.html.document_fromstring(page).xpath(
        "//meta[@http-equiv='Content-Security-Policy']/@content")
    assert policy == ["default-src 'none'; style-src 'unsafe-inline' 'self'; img-src data:; "
                      "base-uri 'none'; form-action 'none'; script-src 'self'; "
                      "connect-src 'self'"]


def test_a_report_invalid_from_the_start_is_served_as_its_problems(report: Path,
                                                                  tmp_path: Path) -> None:
    _save(report / AXIS, "status: done", "status: finished")
    with serving(str(report), log=tmp_path / "serve.log") as served:
        page = lxml.html.document_fromstring(_get(served.url))
        panel = page.get_element_by_id("civicrecord-serve-problems")
        assert "status: expected one of" in panel.text_content()
        _save(report / AXIS, "status: finished", "status: done")
        fixed = _wait_for_page(served.url, lambda text: "civicrecord-serve-problems" not in text)
    assert "civicrecord-serve-problems" not in fixed and "<h1" in fixed


def test_a_text_format_is_shown_as_text(report: Path, tmp_path: Path) -> None:
    with serving(str(report), "--format", "json", log=tmp_path / "serve.log") as served:
        page = lxml.html.document_fromstring(_get(served.url))
    (text,) = page.xpath("//pre/text()")
    assert '"format_version": "2"' in text


def _raw(url: str, method: str, path: str) -> tuple[str, dict[str, str], bytes]:
    """One HTTP/1.0 request on a bare socket: the status line, the headers (but the
    date) and every byte after them, read until the server closes the connection
    (the endless event stream: until its first event)."""
    parsed = urllib.parse.urlsplit(url)
    assert parsed.hostname is not None and parsed.port is not None
    with socket.create_connection((parsed.hostname, parsed.port), timeout=10) as connection:
        connection.sendall(f"{method} {path} HTTP/1.0\r\n\r\n".encode())
        received = b""
        while b"\r\n\r\n" not in received:
            chunk = connection.recv(65536)
            assert chunk, f"{method} {path}: closed before the headers ended: {received!r}"
            received += chunk
        head, rest = received.split(b"\r\n\r\n", 1)
        if method == "GET" and path == "/__civicrecord__/events":
            while b"\n\n" not in rest:  # the stream's first event, then it waits
                chunk = connection.recv(65536)
                assert chunk, f"the event stream closed: {rest!r}"
                rest += chunk
        else:
            while chunk := connection.recv(65536):
                rest += chunk
    status, *lines = head.decode("iso-8859-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines)
    del headers["Date"]  # the one header that may change between two requests
    return status, headers, rest


@pytest.mark.parametrize("path", ["/", "/index.html", "/?from=bookmark",
                                  "/__civicrecord__/reload.js", "/__civicrecord__/serve.css",
                                  "/__civicrecord__/events", "/no-such-page"])
def test_head_answers_as_get_does_without_the_body(path: str, report: Path,
                                                   tmp_path: Path) -> None:
    with serving(str(report), log=tmp_path / "serve.log") as served:
        got = _raw(served.url, "GET", path)
        headed = _raw(served.url, "HEAD", path)
    status, headers, body = got
    assert headed == (status, headers, b"")
    assert status.split()[1] == ("404" if path == "/no-such-page" else "200")
    if path == "/__civicrecord__/events":  # a stream has no length, and GET's goes on
        assert "Content-Length" not in headers and body.startswith(b"retry: 500\n\n")
    else:
        assert int(headers["Content-Length"]) == len(body) > 0


def _ask(url: str, request: bytes) -> tuple[str, bytes]:
    """The status line and body of one raw request, read until the server closes."""
    parsed = urllib.parse.urlsplit(url)
    assert parsed.hostname is not None and parsed.port is not None
    with socket.create_connection((parsed.hostname, parsed.port), timeout=10) as connection:
        connection.sendall(request)
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    return head.split(b"\r\n")[0].decode("iso-8859-1"), body


def test_only_requests_naming_this_machine_are_answered(report: Path, tmp_path: Path) -> None:
    """A page whose name an attacker points at 127.0.0.1 (DNS rebinding) reads nothing."""
    with serving(str(report), log=tmp_path / "serve.log") as served:
        port = urllib.parse.urlsplit(served.url).port

        def status(host: str, target: str = "/") -> tuple[str, bytes]:
            request = f"GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
            line, body = _ask(served.url, request.encode())
            return line.split()[1], body

        for host in ["127.0.0.1", f"127.0.0.1:{port}", f"localhost:{port}", "LocalHost",
                     f"[::1]:{port}", "preview.localhost"]:
            assert status(host)[0] == "200", host
        for host in ["evil.example", f"evil.example:{port}", "127.0.0.1.nip.io",
                     "127.0.0.1@evil.example", "2130706433"]:
            code, body = status(host)
            assert code == "403", host
            assert "Hauts de Chambéry".encode() not in body and b"--host" in body
        assert status("evil.example", "/__civicrecord__/events")[0] == "403"
        # An absolute URL in the request line is the name asked for, whatever Host says.
        assert status("127.0.0.1", "http://evil.example/")[0] == "403"
        assert status("evil.example", f"http://127.0.0.1:{port}/")[0] == "200"
        assert _ask(served.url, b"GET / HTTP/1.0\r\n\r\n")[0].split()[1] == "200"


def test_a_browser_leaving_mid_answer_is_no_news_in_the_terminal(report: Path,
                                                                 tmp_path: Path) -> None:
    with serving(str(report), log=tmp_path / "serve.log") as served:
        parsed = urllib.parse.urlsplit(served.url)
        for _ in range(5):
            with socket.create_connection((parsed.hostname, parsed.port)) as connection:
                connection.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
                connection.sendall(b"GET / HTTP/1.0\r\n\r\n")
                # Closed with a reset, as a browser stopping a load may.
                connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                      struct.pack("ii", 1, 0))
        assert "Hauts" in _get(served.url)  # still serving
        served.process.send_signal(signal.SIGTERM)
        assert served.process.wait(timeout=20) == 0
    assert served.stderr().endswith("stopped\n")
    assert "Traceback" not in served.stderr() and "Exception" not in served.stderr()


def test_a_connection_that_sends_nothing_is_closed_and_blocks_no_one(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(serve, "_IDLE_SECONDS", 0.5)
    preview = PreviewPage(lambda: serve._Rendering(b"<html><body>page</body></html>"))
    preview.rebuild()
    server = serve._make_server("127.0.0.1", 0, preview)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        slow = [socket.create_connection(("127.0.0.1", server.server_address[1]), timeout=10)
                for _ in range(20)]
        for connection in slow:
            connection.sendall(b"GET / HTTP/1.1\r\nHost: 127.0")  # and nothing more
        assert "page" in _get(url)  # the slow ones block no one
        for connection in slow:
            assert connection.recv(100) == b""  # closed by the server, unanswered
            connection.close()
    finally:
        preview.stop()
        server.shutdown()
        server.server_close()


# --- Starting and stopping -------------------------------------------------------


@pytest.mark.parametrize("sent", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_and_sigterm_stop_it_cleanly(sent: signal.Signals, report: Path,
                                            tmp_path: Path) -> None:
    with serving(str(report), log=tmp_path / "serve.log") as served:
        with urllib.request.urlopen(served.url + "__civicrecord__/events", timeout=10) as events:
            assert events.readline() == b"retry: 500\n"  # a browser is waiting
            served.process.send_signal(sent)
            assert served.process.wait(timeout=20) == 0
        with pytest.raises(OSError):
            _get(served.url)
    stderr = served.stderr()
    assert "Traceback" not in stderr
    assert stderr.endswith("stopped\n")


def test_a_port_in_use_is_a_clear_error(report: Path, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "civicrecord.cli", "serve", str(report),
                               "--port", str(port)], capture_output=True, text=True,
                              timeout=60)
    assert done.returncode == 2
    assert done.stderr == (f"civicrecord: error: port {port} on 127.0.0.1 is already in use: "
                           "stop the program using it, or pick another port with --port "
                           "(--port 0 picks a free one)\n")
    assert done.stdout == ""


@pytest.mark.parametrize(("arguments", "code", "message"), [
    (["missing"], 2, "no such file or folder: missing"),
    (["REPORT", "--format", "docx"], 2, "cannot be shown in a browser page"),
    (["REPORT", "--format", "nope"], 2, "no renderer for format 'nope'"),
    (["REPORT", "--template-dir", "missing"], 2, "--template-dir missing: no such folder"),
    (["REPORT", "-O", "theme"], 2, "option 'theme' must be KEY=VALUE"),
    (["REPORT", "--port", "70000"], 2, "'70000' is not a port number"),
])
def test_what_cannot_be_served_is_said_before_listening(arguments: list[str], code: int,
                                                        message: str, report: Path) -> None:
    argv = [str(report) if argument == "REPORT" else argument for argument in arguments]
    done = subprocess.run([sys.executable, "-m", "civicrecord.cli", "serve", *argv],
                          capture_output=True, text=True, timeout=60, cwd=report.parent)
    assert done.returncode == code
    assert message in done.stderr and "Traceback" not in done.stderr
    assert "Serving" not in done.stdout


def test_help_lists_serve_and_its_host_warning() -> None:
    done = subprocess.run([sys.executable, "-m", "civicrecord.cli", "--help"],
                          capture_output=True, text=True, timeout=60)
    assert re.search(r"^ +serve +preview a report", done.stdout, flags=re.MULTILINE)
    done = subprocess.run([sys.executable, "-m", "civicrecord.cli", "serve", "--help"],
                          capture_output=True, text=True, timeout=60)
    assert "exposes the report" in " ".join(done.stdout.split())


def test_validate_and_render_import_neither_the_watcher_nor_the_server() -> None:
    code = ("import sys; from civicrecord import cli; from civicrecord.plugins import "
            "load_plugins; cli._add_plugin_commands(cli._build_parser(), load_plugins()); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('watchfiles', 'anyio', 'http', 'socketserver')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, check=True)
    assert done.stdout == "[]\n", done.stdout


# --- The page the preview serves ---------------------------------------------------


_TEXT = st.text(st.characters(exclude_categories=("Cs", "Cc")), min_size=1)


@given(message=_TEXT, path=_TEXT, hint=_TEXT, file=_TEXT)
def test_the_problems_panel_shows_any_text_as_text(message: str, path: str, hint: str,
                                                   file: str) -> None:
    problem = Problem(Severity.ERROR, path, message, hint, Location(file, 3, 7))
    panel = lxml.html.fragment_fromstring(problems_panel([problem]))
    assert [element.tag for element in panel.iter()] == [
        "aside", "h2", "ul", "li", "code", "code", "span", "p"]
    (item,) = panel.xpath("//li")
    assert item.text_content() == f"{file}:3:7 error: {path}: {message} {hint}"


def test_the_page_policy_is_opened_to_the_preview_alone() -> None:
    page = ('<html><head><meta http-equiv="content-security-policy" content="default-src '
            "'none'; style-src 'unsafe-inline'; script-src 'none'\"></head>"
            "<body class=x><main>report</main></body></html>")
    served = preview_html(page, "v1", "<aside>panel</aside>")
    assert ("content=\"default-src 'none'; style-src 'unsafe-inline' 'self'; script-src "
            "'self'; connect-src 'self'\"") in served
    assert served.index("<aside>panel</aside>") == served.index("<main>") - len(
        "<aside>panel</aside>")
    assert re.search(r'<script src="/__civicrecord__/reload\.js" data-version="v1" '
                     r'data-events="/__civicrecord__/events"></script></body></html>$', served)


def test_a_failed_rebuild_keeps_the_last_good_page_and_bumps_the_version() -> None:
    from civicrecord.serve import _Rendering

    outcomes = iter([_Rendering(b"<html><body><h1>good</h1></body></html>"),
                     _Rendering(None, (Problem(Severity.ERROR, "id", "bad"),))])
    preview = PreviewPage(lambda: next(outcomes))
    preview.rebuild()
    first = preview.version
    assert "<h1>good</h1>" in preview.page().decode()
    assert preview.wait(first, timeout=0) == first  # nothing new: the same version
    preview.rebuild()
    assert preview.version != first
    assert preview.wait(first, timeout=0) == preview.version
    page = preview.page().decode()
    assert "<h1>good</h1>" in page and "civicrecord-serve-problems" in page
    preview.stop()
    assert preview.wait(preview.version, timeout=5) is None
