"""The live preview: ``civicrecord serve DIR`` shows the report while you write it.

The report is read and rendered in memory, served on one local address, and
rendered again on every save of any file it is made from (the report folder,
its logo, the ``--template-dir`` folder). The page holds a small script that
waits for the next rendering on a Server-Sent Events stream and reloads the
page, keeping the scroll position. A report that does not validate is shown
as its last good rendering under a panel listing the problems.

Nothing is written to disk: the script and the panel are added to the page
served, never to a rendered file. Like any other command, this one is a
plugin (``register_commands``); the file watcher (watchfiles) and the HTTP
server (the standard library's :mod:`http.server`) are imported only when the
command runs, so ``validate`` and ``render`` never pay for them.
"""

from __future__ import annotations

import argparse
import sys
import threading
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from civicrecord.command import Command
from civicrecord.plugins.hookspecs import hookimpl

if TYPE_CHECKING:
    from http.server import ThreadingHTTPServer

    from civicrecord.plugins import PluginSet
    from civicrecord.problems import Problem

__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "PreviewPage", "register_commands"]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2

#: Where the served page finds the preview's own script, style and event stream;
#: a name no report page uses.
_PREFIX = "/__civicrecord__/"
_EVENTS = _PREFIX + "events"
_SCRIPT = _PREFIX + "reload.js"
_STYLE = _PREFIX + "serve.css"
#: A comment line on the event stream this often, so a closed tab ends its thread.
_KEEP_ALIVE_SECONDS = 10.0
#: How long a connection may send nothing of its request, or read nothing we send.
_IDLE_SECONDS = 30.0
#: How long watchfiles gathers the events of one save (an editor's write, rename
#: and chmod) into one rebuild, at most; a quiet 50 ms ends a gathering sooner.
_DEBOUNCE_MS = 300
#: How long one wait for changes lasts: the first wait's end says watching has begun.
_READY_TIMEOUT_MS = 200

# The browser side: wait for a version other than the page's own, then reload.
# Reconnecting (the server restarted) gives a new version, so a reload too.
_RELOAD_JS = """\
(() => {
  "use strict";
  const script = document.currentScript;
  const shown = script.dataset.version;
  const key = "civicrecord-serve-scroll:" + location.pathname;
  const saved = sessionStorage.getItem(key);
  if ("scrollRestoration" in history) history.scrollRestoration = "manual";
  if (saved !== null) {
    sessionStorage.removeItem(key);
    const [x, y] = JSON.parse(saved);
    const restore = () => window.scrollTo(x, y);
    restore();
    window.addEventListener("load", restore, {once: true});
  }
  const events = new EventSource(script.dataset.events);
  events.onmessage = (event) => {
    if (event.data === shown) return;
    events.close();
    sessionStorage.setItem(key, JSON.stringify([window.scrollX, window.scrollY]));
    location.reload();
  };
})();
"""

_PANEL_CSS = """\
#civicrecord-serve-problems {
  position: fixed; inset: 0 0 auto 0; z-index: 2147483647; max-height: 60vh;
  overflow: auto; margin: 0; padding: 1rem 1.5rem; box-sizing: border-box;
  background: #fff4f4; color: #1a1a1a; border-bottom: 4px solid #b00020;
  font: 15px/1.45 system-ui, sans-serif; box-shadow: 0 4px 16px rgb(0 0 0 / 25%);
}
#civicrecord-serve-problems h2 { margin: 0 0 0.5rem; font-size: 1.1rem; color: #8a0019; }
#civicrecord-serve-problems ul { margin: 0; padding-left: 1.25rem; }
#civicrecord-serve-problems li { margin: 0.35rem 0; }
#civicrecord-serve-problems code { font: 0.9em ui-monospace, monospace; }
#civicrecord-serve-problems .civicrecord-serve-hint { display: block; color: #444; }
#civicrecord-serve-problems p { margin: 0.5rem 0 0; }
"""


@hookimpl
def register_commands() -> list[Command]:
    return [Command("serve", "preview a report in the browser; it reloads on every save",
                    _configure, _run)]


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0 to 65535)")
    return value


def _configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", type=Path, metavar="DIR",
                        help="the report folder (or a YAML, TOML or JSON report file)")
    parser.add_argument("-p", "--port", type=_port, default=DEFAULT_PORT,
                        help=f"port to listen on (default: {DEFAULT_PORT}; 0 picks a free one)")
    parser.add_argument("--host", default=DEFAULT_HOST,
                        help=f"address to listen on (default: {DEFAULT_HOST}, this machine "
                        "only); 0.0.0.0 exposes the report to every machine that can reach "
                        "this one")
    parser.add_argument("-f", "--format", default="html", metavar="FORMAT",
                        help="format to preview (default: html; a text format such as json "
                        "is shown as text)")
    parser.add_argument("--template-dir", type=Path, metavar="DIR",
                        help="folder of templates overriding the built-in HTML templates; "
                        "watched too")
    parser.add_argument("-O", "--option", dest="options", action="append", default=[],
                        metavar="KEY=VALUE", help="renderer option, repeatable "
                        "(e.g. -O theme.primary=#005a9c)")


def _error(message: str) -> None:
    print(f"civicrecord: error: {message}", file=sys.stderr)


def _run(args: argparse.Namespace) -> int:
    from civicrecord.api import missing_path_problem
    from civicrecord.plugins import PluginError, load_plugins
    from civicrecord.renderer import OptionError, parse_options

    try:
        options = parse_options(args.options)
    except OptionError as error:
        _error(str(error))
        return EXIT_USAGE
    path: Path = args.path
    missing = missing_path_problem(path)
    if missing is not None:
        _error(missing.message)
        if missing.hint:
            print(f"civicrecord: {missing.hint}", file=sys.stderr)
        return EXIT_USAGE
    template_dir: Path | None = args.template_dir
    if template_dir is not None and not template_dir.is_dir():
        _error(f"--template-dir {template_dir}: no such folder")
        return EXIT_USAGE
    try:
        plugins = load_plugins()
        renderer = plugins.renderer(args.format)
    except PluginError as error:
        _error(str(error))
        return EXIT_USAGE
    for fault in plugins.faults:
        print(f"civicrecord: warning: {fault}", file=sys.stderr)
    kind = _page_kind(renderer.media_type)
    if kind is None:
        _error(f"format {args.format!r} ({renderer.media_type}) cannot be shown in a browser "
               "page: serve html, or a text format such as json")
        return EXIT_USAGE
    base_dir = path if path.is_dir() else path.parent
    preview = PreviewPage(lambda: _build(path, args.format, plugins, template_dir, options,
                                         base_dir), as_text=kind == "text")
    try:
        server = _make_server(args.host, args.port, preview)
    except OSError as error:
        _error(_bind_failure(args.host, args.port, error))
        return EXIT_USAGE
    watched = [base_dir, *([template_dir] if template_dir is not None else [])]
    return _serve(server, preview, watched, path, args.host)


def _page_kind(media_type: str) -> str | None:
    """``"html"`` for a page, ``"text"`` for text shown in one, None for neither."""
    base = media_type.split(";")[0].strip().lower()
    if base in ("text/html", "application/xhtml+xml"):
        return "html"
    if base.startswith("text/") or base in ("application/json", "application/xml") \
            or base.endswith(("+json", "+xml")):
        return "text"
    return None


def _bind_failure(host: str, port: int, error: OSError) -> str:
    import errno

    if error.errno == errno.EADDRINUSE:
        return (f"port {port} on {host} is already in use: stop the program using it, or "
                "pick another port with --port (--port 0 picks a free one)")
    if error.errno == errno.EACCES:
        return (f"not allowed to listen on port {port} on {host}: pick a port above 1023 "
                "with --port")
    reason = error.strerror or str(error)
    return f"cannot listen on {host}:{port}: {reason} (check --host and --port)"


class _Rendering:
    """What one read-and-render gave: a page, or the problems that stopped it."""

    __slots__ = ("content", "failure", "problems")

    def __init__(self, content: bytes | None, problems: tuple[Problem, ...] = (),
                 failure: str | None = None) -> None:
        self.content = content
        self.problems = problems
        self.failure = failure


def _build(path: Path, format_name: str, plugins: PluginSet, template_dir: Path | None,
           options: Mapping[str, Any], base_dir: Path) -> _Rendering:
    from civicrecord.api import read, render
    from civicrecord.renderer import RenderError

    result = read(path, plugins=plugins)
    if result.report is None:
        return _Rendering(None, result.problems)
    try:
        content = render(result.report, format_name, template_dir=template_dir,
                         base_dir=base_dir, plugins=plugins, **options)
    except RenderError as error:
        return _Rendering(None, result.problems, str(error))
    except Exception as error:  # noqa: BLE001 - a renderer's bug must not end the preview
        return _Rendering(None, result.problems, f"the renderer failed: "
                          f"{type(error).__name__}: {error}")
    return _Rendering(content, result.problems)


class PreviewPage:
    """The page the preview serves, rebuilt on demand, and the version browsers wait on.

    ``build`` reads and renders the report. A failed build keeps the last good
    page and shows its problems over it. Thread-safe: the watcher rebuilds
    while request threads read and wait.
    """

    def __init__(self, build: Callable[[], _Rendering], *, as_text: bool = False) -> None:
        import secrets

        self._build = build
        self._as_text = as_text
        # A new token per run: a page from an earlier run never matches, so it reloads.
        self._token = secrets.token_hex(4)
        self._count = 0
        self._good: bytes | None = None
        self._latest = _Rendering(None)
        self._page = b""
        self._changed = threading.Condition()
        self._building = threading.Lock()  # one build at a time: the last saved wins
        self._stopping = False

    @property
    def version(self) -> str:
        """Changes on every rebuild; the page served carries the one it was built at."""
        with self._changed:
            return self._version()

    def _version(self) -> str:
        return f"{self._token}-{self._count}"

    @property
    def latest(self) -> _Rendering:
        """The last build's outcome."""
        with self._changed:
            return self._latest

    def rebuild(self) -> _Rendering:
        """Read and render again, then wake every browser waiting for a change."""
        with self._building:
            built = self._build()  # outside _changed: browsers get the last page meanwhile
            with self._changed:
                if built.content is not None:
                    self._good = built.content
                self._latest = built
                self._count += 1
                self._page = self._assemble(built, self._version())
                self._changed.notify_all()
        return built

    def page(self) -> bytes:
        with self._changed:
            return self._page

    def wait(self, seen: str | None, timeout: float) -> str | None:
        """The version once it differs from ``seen`` (or after ``timeout``); None when stopping."""
        with self._changed:
            self._changed.wait_for(lambda: self._stopping or self._version() != seen, timeout)
            return None if self._stopping else self._version()

    def stop(self) -> None:
        """End every wait: the server is going away."""
        with self._changed:
            self._stopping = True
            self._changed.notify_all()

    def _assemble(self, built: _Rendering, version: str) -> bytes:
        import html

        if self._good is None:
            document = ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
                        "<title>civicrecord serve</title></head><body><main><p>Nothing has "
                        "rendered yet: fix the problems above and save.</p></main></body>"
                        "</html>")
        elif self._as_text:
            text = self._good.decode("utf-8", errors="replace")
            document = ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
                        "<title>civicrecord serve</title></head><body><main><pre>"
                        f"{html.escape(text)}</pre></main></body></html>")
        else:
            document = self._good.decode("utf-8", errors="replace")
        panel = "" if built.content is not None else problems_panel(built.problems,
                                                                   built.failure)
        return preview_html(document, version, panel).encode("utf-8")


def problems_panel(problems: Iterable[Problem], failure: str | None = None) -> str:
    """The panel over the page that lists why the report did not render, as escaped HTML."""
    from html import escape

    items = []
    for problem in problems:
        where = str(problem.location) if problem.location else "(no file)"
        hint = (f' <span class="civicrecord-serve-hint">{escape(problem.hint)}</span>'
                if problem.hint else "")
        items.append(f"<li><code>{escape(where)}</code> {escape(problem.severity.value)}: "
                     f"<code>{escape(problem.path or '(document)')}</code>: "
                     f"{escape(problem.message)}{hint}</li>")
    if failure is not None:
        items.append(f"<li>{escape(failure)}</li>")
    errors = failure is not None or any(p.is_error for p in problems)
    title = ("The report does not validate" if errors and failure is None
             else "The report could not be rendered")
    return ('<aside id="civicrecord-serve-problems" role="alert" '
            'aria-labelledby="civicrecord-serve-title">'
            f'<h2 id="civicrecord-serve-title">{title}</h2><ul>{"".join(items)}</ul>'
            "<p>Below is the last page that rendered. Fix the file and save: this panel "
            "goes away by itself.</p></aside>")


def preview_html(document: str, version: str, panel: str = "") -> str:
    """A rendered page as the preview serves it: its policy opened to the preview's own files,
    the stylesheet and problems panel after ``<body>``, the reload script before ``</body>``.
    """
    import re
    from html import escape

    document = re.sub(r"""(<meta\s[^>]*http-equiv\s*=\s*["']?content-security-policy["']?"""
                      r"""[^>]*\scontent\s*=\s*)(["'])(.*?)\2""",
                      lambda m: m.group(1) + m.group(2) + _open_policy(m.group(3))
                      + m.group(2), document, flags=re.IGNORECASE | re.DOTALL)
    head = f'<link rel="stylesheet" href="{_STYLE}">{panel}'
    tail = (f'<script src="{_SCRIPT}" data-version="{escape(version)}" '
            f'data-events="{_EVENTS}"></script>')
    body = re.search(r"<body\b[^>]*>", document, flags=re.IGNORECASE)
    at = body.end() if body else 0
    document = document[:at] + head + document[at:]
    end = document.lower().rfind("</body>")
    if end < 0:
        return document + tail
    return document[:end] + tail + document[end:]


def _open_policy(policy: str) -> str:
    """A Content-Security-Policy that also lets the page load the preview's own files.

    ``'self'`` is added to the script, style and connection sources, starting
    from ``default-src`` where the page names none. The rest of the page's
    policy is kept: adding a source never turns off another, as a nonce would
    turn off ``'unsafe-inline'``.
    """
    directives: dict[str, list[str]] = {}
    for part in policy.split(";"):
        words = part.split()
        if words and words[0].lower() not in directives:
            directives[words[0].lower()] = words[1:]
    default = directives.get("default-src", ["*"])
    for name in ("script-src", "style-src", "connect-src"):
        sources = [s for s in directives.get(name, default) if s.lower() != "'none'"]
        if "'self'" not in sources and "*" not in sources:
            sources.append("'self'")
        directives[name] = sources
    return "; ".join(" ".join([name, *sources]) for name, sources in directives.items())


def _make_server(host: str, port: int, preview: PreviewPage) -> ThreadingHTTPServer:
    """The server, bound and listening; OSError when the address cannot be had."""
    import socket
    from http.server import ThreadingHTTPServer

    class Server(ThreadingHTTPServer):
        address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        daemon_threads = True  # an open event stream never holds up stopping
        # Another program on the same port must be an error, never a shared port.
        allow_reuse_port = False

        def handle_error(self, request: Any, client_address: Any) -> None:
            """A browser that went away is no news; anything else is one line, not a
            traceback burying the report's problems."""
            error = sys.exc_info()[1]
            if not isinstance(error, (ConnectionError, TimeoutError)):
                print(f"civicrecord: warning: a request failed: {type(error).__name__}: "
                      f"{error}", file=sys.stderr)

    return Server((host, port), _handler_class(preview, host))


def _local_host_names(host: str) -> frozenset[str]:
    """The names a browser on this machine may give in ``Host`` when the preview listens
    on a loopback address; empty when it listens on any other, which the user chose."""
    import ipaddress
    import socket

    try:
        addresses = {str(info[4][0]) for info in socket.getaddrinfo(host, None)}
        local = all(ipaddress.ip_address(address.split("%")[0]).is_loopback
                    for address in addresses)
    except (OSError, ValueError):
        local = False
    return frozenset({"localhost", host.lower()}) if local else frozenset()


def _is_local_name(name: str, names: frozenset[str]) -> bool:
    import ipaddress

    if name in names or name.endswith(".localhost"):  # RFC 6761: always this machine
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _handler_class(preview: PreviewPage, host: str) -> Any:
    """The request handler serving ``preview``; a class built when serving starts, as
    :mod:`http.server` is imported only then.

    Listening on this machine only, it answers only requests naming this machine
    in ``Host``: a web page whose name an attacker points at 127.0.0.1 (DNS
    rebinding) must not read a city's draft report.
    """
    import urllib.parse
    from http import HTTPStatus
    from http.server import BaseHTTPRequestHandler

    local_names = _local_host_names(host)

    class Handler(BaseHTTPRequestHandler):
        server_version = "civicrecord-serve"
        # A connection that sends no request, or stops reading, is closed rather than
        # holding a thread for as long as the preview runs.
        timeout = _IDLE_SECONDS

        def do_GET(self) -> None:
            route, named = self.path.split("?", 1)[0], self.headers.get("Host", "")
            if not self.path.startswith("/"):
                # An absolute URL in the request line names the host itself (RFC 9112, 3.2.2).
                target = urllib.parse.urlsplit(self.path)
                route, named = target.path, target.netloc or named
            if local_names and named and not self._names_this_machine(named):
                self._send(f"this preview answers only to this machine's names "
                           f"(localhost, 127.0.0.1), not to {named!r}; to reach it by "
                           "another name, serve it with --host\n".encode(),
                           "text/plain; charset=utf-8", HTTPStatus.FORBIDDEN)
                return
            if route in ("/", "/index.html"):
                self._send(preview.page(), "text/html; charset=utf-8")
            elif route == _SCRIPT:
                self._send(_RELOAD_JS.encode(), "text/javascript; charset=utf-8")
            elif route == _STYLE:
                self._send(_PANEL_CSS.encode(), "text/css; charset=utf-8")
            elif route == _EVENTS:
                self._stream_versions()
            else:
                self._send(b"not found: the preview serves the report at /\n",
                           "text/plain; charset=utf-8", HTTPStatus.NOT_FOUND)

        def _names_this_machine(self, named: str) -> bool:
            try:
                name = urllib.parse.urlsplit("//" + named).hostname
            except ValueError:  # a port that is not a number
                return False
            return name is not None and _is_local_name(name, local_names)

        def do_HEAD(self) -> None:
            """As GET, without the body: the same status and headers (RFC 9110, 9.3.2)."""
            self.do_GET()

        def _send(self, body: bytes, media_type: str,
                  status: HTTPStatus = HTTPStatus.OK) -> None:
            self.send_response(status)
            self.send_header("Content-Type", media_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _stream_versions(self) -> None:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if self.command == "HEAD":
                return
            seen: str | None = None
            try:
                self.wfile.write(b"retry: 500\n\n")
                while True:
                    version = preview.wait(seen, _KEEP_ALIVE_SECONDS)
                    if version is None:
                        return
                    line = b": still here\n\n" if version == seen else \
                        f"data: {version}\n\n".encode()
                    seen = version
                    self.wfile.write(line)
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                return  # the tab was closed or reloaded

        def log_message(self, format: str, *args: Any) -> None:
            pass  # one line per request would bury the report's problems

    return Handler


def _print_outcome(path: Path, built: _Rendering, *, first: bool = False) -> None:
    """Problems and the outcome in the terminal: each save says whether it rendered."""
    for problem in built.problems:
        print(problem, file=sys.stderr)
    if built.content is not None:
        if not first:  # the "Serving" line says so for the first rendering
            print(f"{path}: rendered again", file=sys.stderr, flush=True)
        return
    if built.failure is not None:
        print(f"civicrecord: error: {built.failure}", file=sys.stderr)
    errors = sum(1 for p in built.problems if p.is_error)
    print(f"{path}: not rendered ({errors} error(s)); the page shows the problems over the "
          "last good rendering", file=sys.stderr, flush=True)


def _serve(server: ThreadingHTTPServer, preview: PreviewPage, watched: list[Path],
           path: Path, host: str) -> int:
    import signal

    stop = threading.Event()
    watching = threading.Event()
    failures: list[str] = []
    watcher = threading.Thread(target=_watch,
                               args=(watched, preview, path, stop, watching, failures),
                               name="civicrecord-serve-watch", daemon=True)
    serving = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.25},
                               name="civicrecord-serve-http", daemon=True)
    address, port = str(server.server_address[0]), int(server.server_address[1])
    shown_host = f"[{address}]" if ":" in address else address
    if host not in ("127.0.0.1", "localhost", "::1"):
        print(f"civicrecord: warning: listening on {host}: anyone who can reach this machine "
              "can read the report", file=sys.stderr)
    previous: dict[signal.Signals, Any] = {}
    if threading.current_thread() is threading.main_thread():
        for number in (signal.SIGINT, signal.SIGTERM):
            previous[number] = signal.signal(number, lambda *_: stop.set())
    try:
        # Watching first, then the first build: a save made meanwhile is never missed.
        watcher.start()
        watching.wait()
        if not stop.is_set():
            _print_outcome(path, preview.rebuild(), first=True)
            serving.start()
            print(f"Serving {path} at http://{shown_host}:{port}/ (Ctrl+C to stop)",
                  flush=True)
            stop.wait()
    finally:
        stop.set()
        preview.stop()
        if serving.is_alive():
            server.shutdown()  # waits for serve_forever, so only once it has started
        server.server_close()
        watcher.join(timeout=5)
        for number, handler in previous.items():
            signal.signal(number, handler)
    if failures:
        _error(failures[0])
        return EXIT_PROBLEMS
    print("stopped", file=sys.stderr)
    return EXIT_OK


def _watch(paths: list[Path], preview: PreviewPage, path: Path, stop: threading.Event,
           watching: threading.Event, failures: list[str]) -> None:
    """Rebuild on every batch of file changes until ``stop`` is set.

    ``watching`` is set once the operating system reports changes: watchfiles
    yields nothing before it does, and an empty batch when a wait times out.
    """
    import watchfiles

    try:
        for changes in watchfiles.watch(*paths, stop_event=stop, debounce=_DEBOUNCE_MS,
                                        rust_timeout=_READY_TIMEOUT_MS, yield_on_timeout=True,
                                        raise_interrupt=False):
            if watching.is_set() and changes:
                _print_outcome(path, preview.rebuild())
            watching.set()
    except Exception as error:  # noqa: BLE001 - said to the user, and the server stops
        failures.append(f"watching {', '.join(map(str, paths))} failed: "
                        f"{type(error).__name__}: {error}")
        stop.set()
    finally:
        watching.set()
