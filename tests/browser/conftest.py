"""Shared pieces of the browser tests: the server under test, Chromium, signed-in contexts,
the mail folder, and a record of every request and answer (see test_zz_network.py).

.ci/browser sets the environment: YISHI_BROWSER_BASE_URL (a `yishi serve` with the demo seed),
YISHI_BROWSER_MAIL_DIR (its file mail transport), YISHI_BROWSER_SCREENSHOTS (where pictures
go). Chromium is Debian's (/usr/bin/chromium, or YISHI_BROWSER_CHROMIUM); Playwright never
downloads a browser here.
"""

from __future__ import annotations

import base64
import email
import email.policy
import os
import re
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

BASE = os.environ.get("YISHI_BROWSER_BASE_URL", "http://127.0.0.1:8080").rstrip("/")
MAIL_DIR = Path(os.environ.get("YISHI_BROWSER_MAIL_DIR", "data/mail"))
SHOTS = Path(os.environ.get("YISHI_BROWSER_SCREENSHOTS", "target/browser-screenshots"))
CHROMIUM = os.environ.get("YISHI_BROWSER_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "yishi-demo-2026"
PHONE = {"width": 375, "height": 812}
NARROW = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}

# Every request any page made, and every answer of 500 or more: (page url, request url).
REQUESTS: list[tuple[str, str]] = []
SERVER_ERRORS: list[tuple[int, str]] = []

_origin = urlsplit(BASE)


def on_server(url: str) -> bool:
    """Whether a request stays on the server under test (data: and blob: URLs never leave)."""
    if url.startswith(("data:", "blob:", "about:")):
        return True
    parts = urlsplit(url)
    return (parts.scheme, parts.netloc) == (_origin.scheme, _origin.netloc)


def url(path: str) -> str:
    return BASE + path


@pytest.fixture(scope="session")
def browser():
    args = ["--no-sandbox"] if os.geteuid() == 0 else []
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=args)
        yield b
        b.close()


def new_context(
    browser: Browser,
    *,
    js: bool = True,
    viewport: dict | None = None,
    storage_state: dict | None = None,
    mobile: bool = False,
) -> BrowserContext:
    """A fresh context (its own cookies) that records its requests and server errors."""
    ctx = browser.new_context(
        viewport=viewport or PHONE,
        java_script_enabled=js,
        locale="zh-CN",
        storage_state=storage_state,
        is_mobile=mobile,
        has_touch=mobile,
    )
    ctx.set_default_timeout(15_000)
    ctx.yishi_js = js

    def record(req):
        try:
            page_url = req.frame.url
        except Exception:  # a service worker's request has no frame
            page_url = "?"
        REQUESTS.append((page_url, req.url))

    ctx.on("request", record)
    ctx.on(
        "response",
        lambda r: SERVER_ERRORS.append((r.status, r.url)) if r.status >= 500 else None,
    )
    return ctx


def field(scope, name: str):
    """The form field (input, select or textarea) labelled `name`: exactly, or failing that,
    a label that contains it (“照片（可选）”). Sections labelled by a heading of the same
    words (受邀人, 会议纪要) are not fields."""
    fields = scope.locator("input:not([type=hidden]), select, textarea")
    exact = fields.and_(scope.get_by_label(name, exact=True))
    if exact.count():
        return exact.first
    return fields.and_(scope.get_by_label(name)).first


def login(page: Page, who: str, password: str = PASSWORD) -> None:
    """Signs in at /login with the names the SPEC gives (邮箱, 密码, 登录)."""
    page.goto(url("/login"))
    field(page, "邮箱").fill(who)
    field(page, "密码").fill(password)
    submit(page, page.get_by_role("button", name="登录", exact=True))
    if urlsplit(page.url).path.rstrip("/") == "/login":
        raise AssertionError(f"signing in as {who} stayed on /login: {body_text(page)[:400]}")


class Sessions:
    """Signed-in browser states per account, so each story signs in once per person."""

    def __init__(self, browser: Browser):
        self.browser = browser
        self.states: dict[str, dict] = {}

    def context(self, who: str | None, *, js: bool = True, viewport: dict | None = None):
        if who is None:
            return new_context(self.browser, js=js, viewport=viewport)
        if who not in self.states:
            ctx = new_context(self.browser, js=js, viewport=viewport)
            page = ctx.new_page()
            login(page, who)
            self.states[who] = ctx.storage_state()
            ctx.close()
        return new_context(self.browser, js=js, viewport=viewport, storage_state=self.states[who])

    def page(self, who: str | None, *, js: bool = True, viewport: dict | None = None) -> Page:
        return self.context(who, js=js, viewport=viewport).new_page()


@pytest.fixture(scope="session")
def sessions(browser):
    return Sessions(browser)


def submit(page: Page, button, *, timeout: float = 15_000) -> None:
    """Presses a form's button and waits for the answer: a plain POST + 303 + GET without
    JavaScript, or whatever the page's script does with it."""
    if not getattr(page.context, "yishi_js", True):
        with page.expect_navigation(timeout=timeout):
            button.click()
        page.wait_for_load_state("load")
        return
    try:
        with page.expect_response(lambda r: r.request.method == "POST", timeout=timeout):
            button.click()
    finally:
        page.wait_for_load_state("load")
        try:
            page.wait_for_load_state("networkidle", timeout=timeout)
        except Exception:
            pass


def body_text(page: Page) -> str:
    return page.locator("body").inner_text()


def shot(page: Page, name: str, *, full_page: bool = True) -> None:
    """Saves a picture; a busy machine's Chromium may refuse one now and then, and a missing
    picture is no failure of the page."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    try:
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)
    except Exception as e:  # noqa: BLE001
        print(f"screenshot {name} not taken: {str(e).splitlines()[0]}")


def mails_to(address: str) -> list[email.message.EmailMessage]:
    found = []
    for path in sorted(MAIL_DIR.rglob("*.eml"), key=lambda p: p.stat().st_mtime):
        with open(path, "rb") as f:
            msg = email.message_from_binary_file(f, policy=email.policy.default)
        if address.lower() in str(msg.get("To", "")).lower():
            found.append(msg)
    return found


def mail_text(msg: email.message.EmailMessage) -> str:
    """Every text part of a mail, decoded (quoted-printable or base64)."""
    parts = []
    for part in msg.walk():
        if part.get_content_maintype() == "text":
            parts.append(part.get_content())
    return "\n".join(parts)


def wait_for_link(address: str, pattern: str, timeout: float = 30.0) -> str:
    """The first link matching `pattern` in a mail to `address` (the outbox sends within a
    second or so)."""
    rx = re.compile(pattern)
    deadline = time.time() + timeout
    while True:
        for msg in mails_to(address):
            m = rx.search(mail_text(msg))
            if m:
                return m.group(0)
        if time.time() > deadline:
            raise AssertionError(f"no mail to {address} with a link like {pattern} in {MAIL_DIR}")
        time.sleep(0.5)


_jpeg: bytes | None = None


def small_jpeg(browser: Browser) -> bytes:
    """A 64×48 JPEG drawn on a canvas by the browser itself (no image library needed)."""
    global _jpeg
    if _jpeg is None:
        ctx = browser.new_context()
        page = ctx.new_page()
        data_url = page.evaluate(
            """() => { const c = document.createElement('canvas'); c.width = 64; c.height = 48;
            const g = c.getContext('2d'); g.fillStyle = '#b22'; g.fillRect(0, 0, 64, 48);
            g.fillStyle = '#fff'; g.fillRect(12, 10, 24, 20);
            return c.toDataURL('image/jpeg', 0.9); }"""
        )
        ctx.close()
        _jpeg = base64.b64decode(data_url.split(",", 1)[1])
    return _jpeg


def photo_file(browser: Browser, name: str = "photo.jpg") -> dict:
    return {"name": name, "mimeType": "image/jpeg", "buffer": small_jpeg(browser)}
