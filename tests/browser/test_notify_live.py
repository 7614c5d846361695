"""Notifications in the browser: a resident follows a topic (关注), staff accept it, and the
resident's /me shows the notification; with JavaScript on, the unread count (#unread-count)
goes up without a reload, over the live stream signed in by the page session's cookie."""

from __future__ import annotations

import time

from playwright.sync_api import expect

from conftest import PASSWORD, body_text, new_context, shot, submit, url

RESIDENT = "resident@yishi.demo"
FOLLOWER = "resident2@yishi.demo"
STAFF = "staff@yishi.demo"
COMMUNITY = "幸福社区"


def api_token(ctx, who: str) -> str:
    r = ctx.request.post(url("/api/v1/auth/login"), data={"email": who, "password": PASSWORD})
    assert r.ok, r.text()
    return r.json()["access_token"]


def community_id(ctx) -> int:
    r = ctx.request.get(url("/api/v1/places?limit=100"))
    assert r.ok, r.text()
    return next(p["id"] for p in r.json()["items"] if p["name"] == COMMUNITY)


def test_a_follower_sees_the_unread_count_rise_without_a_reload(browser, sessions):
    api = new_context(browser)
    resident = api_token(api, RESIDENT)
    staff = api_token(api, STAFF)
    title = f"小区门口积水 {int(time.time())}"
    r = api.request.post(
        url("/api/v1/topics"),
        headers={"Authorization": f"Bearer {resident}"},
        data={
            "place_id": community_id(api),
            "title": title,
            "body": "下雨天小区门口积水很深，老人出门不方便。",
            "category": "facilities",
        },
    )
    assert r.status == 201, r.text()
    topic = r.json()

    # The neighbour follows it on the topic page.
    page = sessions.page(FOLLOWER, js=True)
    page.goto(url(f"/topics/{topic['id']}"))
    submit(page, page.get_by_role("button", name="关注", exact=True))
    expect(page.get_by_role("button", name="取消关注", exact=True)).to_be_visible()

    # /me, open while the staff accept the topic.
    page.goto(url("/me"))
    count = page.locator("#unread-count")
    before = int(count.inner_text())
    expect(page.locator("#notifications-h")).to_contain_text("通知")
    r = api.request.post(
        url(f"/api/v1/topics/{topic['id']}/transitions"),
        headers={"Authorization": f"Bearer {staff}"},
        data={"action": "accept", "expected_version": topic["version"]},
    )
    assert r.ok, r.text()
    expect(count).to_have_text(str(before + 1), timeout=20_000)
    expect(page.locator("#live-list")).to_contain_text("受理")
    shot(page, "notify-live-me")

    # After a reload the item is in the unread list, and 全部标为已读 empties it.
    page.reload()
    assert title in body_text(page) or "受理" in body_text(page)
    submit(page, page.get_by_role("button", name="全部标为已读", exact=True))
    expect(page.locator("#unread-count")).to_have_text("0")
    page.context.close()
    api.close()
