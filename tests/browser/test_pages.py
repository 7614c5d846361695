"""Every page type, as the role that uses it: axe-core finds no serious or critical violation
(the others are printed), nothing scrolls sideways at 360 px, `<html lang>` follows the
language switch, and a screenshot of each is kept (phone and desktop)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe

from conftest import DESKTOP, NARROW, Sessions, shot, url

STAFF = "staff@yishi.demo"
CPPCC = "cppcc@yishi.demo"
RESIDENT = "resident@yishi.demo"
PROPERTY = "property@yishi.demo"

# name, path (with {place}, {topic} or {meeting}), who, expected status
PAGE_TYPES = [
    ("home", "/", None, 200),
    ("place", "/places/{place}", None, 200),
    ("topic-anonymous", "/topics/{topic}", None, 200),
    ("topic-staff", "/topics/{topic}", STAFF, 200),
    ("topic-new", "/topics/new", RESIDENT, 200),
    ("login", "/login", None, 200),
    ("register", "/register", None, 200),
    ("me", "/me", RESIDENT, 200),
    ("staff", "/staff", STAFF, 200),
    ("tasks", "/tasks", PROPERTY, 200),
    ("consultations", "/consultations", CPPCC, 200),
    ("consultation-new", "/consultations/new", CPPCC, 200),
    ("consultation", "/consultations/{meeting}", CPPCC, 200),
    ("cppcc", "/cppcc", CPPCC, 200),
    ("not-found", "/no-such-page", None, 404),
]
IDS = [p[0] for p in PAGE_TYPES]


@pytest.fixture(scope="module")
def ids(sessions: Sessions) -> dict:
    """Ids of the demo city's pages: 幸福社区, a topic of its catalog, a meeting."""
    found: dict = {}
    page = sessions.page(None)
    page.goto(url("/"))
    link = page.get_by_role("link", name="幸福社区").first
    if link.count():
        found["place"] = urlsplit(link.get_attribute("href")).path.rsplit("/", 1)[-1]
    # A topic of the catalog: the home page lists the latest public ones.
    for href in page.locator("a[href]").evaluate_all("as => as.map(a => a.getAttribute('href'))"):
        m = re.fullmatch(r"(?:https?://[^/]+)?/topics/(\d+)", href or "")
        if m:
            found["topic"] = m.group(1)
            break
    page.context.close()
    page = sessions.page(CPPCC)
    page.goto(url("/consultations"))
    for href in page.locator("a[href]").evaluate_all("as => as.map(a => a.getAttribute('href'))"):
        m = re.fullmatch(r"(?:https?://[^/]+)?/consultations/(\d+)", href or "")
        if m:
            found["meeting"] = m.group(1)
            break
    page.context.close()
    return found


def open_page(sessions: Sessions, ids: dict, name: str, viewport: dict):
    _, path, who, status = next(p for p in PAGE_TYPES if p[0] == name)
    for key in re.findall(r"\{(\w+)\}", path):
        if key not in ids:
            pytest.fail(f"no {key} id found in the demo city's pages to open {path}")
    page = sessions.page(who, viewport=viewport)
    resp = page.goto(url(path.format(**ids)))
    assert resp is not None, f"{path} gave no answer"
    assert resp.status == status, f"{path} as {who or 'anonymous'} answered {resp.status}"
    assert "text/html" in resp.headers.get("content-type", ""), (
        f"{path} answered {resp.headers.get('content-type')}, not HTML"
    )
    return page


@pytest.mark.parametrize("name", IDS)
def test_axe_no_serious_or_critical_violations(sessions, ids, name):
    page = open_page(sessions, ids, name, DESKTOP)
    shot(page, f"page-{name}-desktop")
    results = Axe().run(page)
    violations = results.response.get("violations", [])
    bad = []
    for v in violations:
        nodes = [", ".join(n.get("target", [])) for n in v.get("nodes", [])][:5]
        line = f"{v.get('impact')}: {v['id']} ({v.get('help')}) at {nodes}"
        print(f"[axe {name}] {line}")
        if v.get("impact") in ("serious", "critical"):
            bad.append(line)
    page.context.close()
    assert not bad, f"axe on {name}: " + "; ".join(bad)


@pytest.mark.parametrize("name", IDS)
def test_no_horizontal_scroll_at_360px(sessions, ids, name):
    page = open_page(sessions, ids, name, NARROW)
    lang = page.evaluate("document.documentElement.lang")
    width = page.evaluate("document.documentElement.scrollWidth")
    shot(page, f"page-{name}-phone")
    if width > 360:
        wide = page.evaluate(
            """() => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > 361)
                .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''))"""
        )
    page.context.close()
    assert lang == "zh-CN", f"<html lang> is {lang!r} on {name}"
    assert width <= 360, f"{name} is {width}px wide at 360px: widest elements {wide}"


def test_language_switch_sets_html_lang_and_is_remembered(sessions):
    page = sessions.page(None)
    page.goto(url("/"))
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    switch = page.get_by_role("link", name=re.compile(r"^(English|EN)$", re.I)).or_(
        page.get_by_role("button", name=re.compile(r"^(English|EN)$", re.I))
    ).first
    switch.click()
    page.wait_for_load_state("load")
    assert page.evaluate("document.documentElement.lang") == "en", "after the switch"
    for path in ("/login", "/register", "/"):
        page.goto(url(path))
        lang = page.evaluate("document.documentElement.lang")
        assert lang == "en", f"{path} after switching to English has lang {lang!r}"
    shot(page, "home-english-phone")
    page.context.close()
