"""The issue's nine stories, as a person does them in a browser, by the names the SPEC's "Web
pages" table gives (labels and button texts). test_stories.py runs them with JavaScript and
again without it (every action a plain form POST + 303 + GET).

The stories build on each other (one topic goes from 说 to closed), so each keeps what it
learnt in a `World`; a story whose predecessor failed is skipped, naming what it lacked.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field as dc_field
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from conftest import (
    BASE,
    DESKTOP,
    PHONE,
    Sessions,
    body_text,
    field,
    login,
    new_context,
    photo_file,
    shot,
    submit,
    url,
    wait_for_link,
)

COMMUNITY = "幸福社区"
STAFF = "staff@yishi.demo"
SUBDISTRICT = "subdistrict@yishi.demo"
PROPERTY = "property@yishi.demo"
FIRM = "甬城红色物业"
CPPCC = "cppcc@yishi.demo"
NEIGHBOUR = "resident2@yishi.demo"
# Every demo account's email and display name: none may show on a public page.
DEMO_NAMES = {
    "admin@yishi.demo": "系统管理员",
    "district-admin@yishi.demo": "海曙区管理员",
    "resident@yishi.demo": "张阿姨",
    "resident2@yishi.demo": "李师傅",
    "grid@yishi.demo": "网格员小王",
    "staff@yishi.demo": "社区书记陈敏",
    "subdistrict@yishi.demo": "街道干部刘强",
    "cppcc@yishi.demo": "政协委员周文",
    "property@yishi.demo": "物业经理赵磊",
    "department@yishi.demo": "住建局科员孙丽",
}
CATALOG_NO = re.compile(r"\b\d{4}-\d{4}\b")
TZ = dt.timezone(dt.timedelta(hours=8))  # the installation's Asia/Shanghai (no DST)


@dataclass
class World:
    browser: Browser
    sessions: Sessions
    js: bool
    tag: str
    email: str = ""
    password: str = "Yishi-browser-2026!"
    name: str = ""
    title: str = ""
    topic_path: str = ""
    place_path: str = ""
    catalog_no: str = ""
    task_title: str = ""
    meeting_title: str = ""
    meeting_path: str = ""
    resident_state: dict | None = None
    done: set = dc_field(default_factory=set)

    def need(self, *stories: int) -> None:
        missing = [s for s in stories if s not in self.done]
        if missing:
            pytest.skip(f"needs story {', '.join(map(str, missing))} to have passed")

    def page(self, who: str | None, viewport: dict | None = None) -> Page:
        """A page signed in as `who` (None: anonymous; "resident": the registered resident)."""
        if who == "resident":
            ctx = new_context(
                self.browser, js=self.js, viewport=viewport or PHONE,
                storage_state=self.resident_state,
            )
            return ctx.new_page()
        return self.sessions.page(who, js=self.js, viewport=viewport)

    def shot(self, page: Page, name: str) -> None:
        if self.js:
            shot(page, name)


def make_world(browser: Browser, sessions: Sessions, js: bool) -> World:
    tag = "js" if js else "nojs"
    stamp = os.getpid()
    return World(
        browser=browser,
        sessions=sessions,
        js=js,
        tag=tag,
        email=f"neighbour-{tag}-{stamp}@example.org",
        name="测试居民" + ("甲" if js else "乙"),
        title=f"3号楼电梯经常停运（{tag}）",
        task_title=f"更换3号楼电梯控制柜（{tag}）",
        meeting_title=f"加装电梯微协商（{tag}）",
    )


# ---------------------------------------------------------------------------------- helpers


def visit(page: Page, path: str) -> None:
    """Opens a page of the server; a missing page (404) or an error fails with its path."""
    resp = page.goto(url(path))
    assert resp is not None and resp.status < 400, (
        f"GET {path} answered {resp.status if resp else 'nothing'}: {body_text(page)[:200]!r}"
    )


def path_of(page: Page) -> str:
    return urlsplit(page.url).path


def select_containing(select: Locator, text: str) -> None:
    """Chooses the option of a <select> whose label contains `text` (or whose value is it)."""
    options = select.locator("option")
    for i in range(options.count()):
        opt = options.nth(i)
        label = (opt.inner_text() or "").strip()
        value = opt.get_attribute("value") or ""
        if text in label or value == text:
            select.select_option(value=value)
            return
    labels = [options.nth(i).inner_text() for i in range(options.count())]
    raise AssertionError(f"no option with {text!r} among {labels}")


def fill_when(field: Locator, when: dt.datetime) -> None:
    """Fills a date, datetime-local or text field with `when` (installation time)."""
    kind = (field.get_attribute("type") or "text").lower()
    local = when.astimezone(TZ)
    if kind == "date":
        field.fill(local.strftime("%Y-%m-%d"))
    elif kind == "datetime-local":
        field.fill(local.strftime("%Y-%m-%dT%H:%M"))
    else:
        field.fill(local.strftime("%Y-%m-%d %H:%M"))


def press(page: Page, name: str, scope: Locator | Page | None = None) -> None:
    """Presses the button named `name` (exactly) and waits for the answer."""
    button = (scope or page).get_by_role("button", name=name, exact=True)
    expect(button.first).to_be_visible()
    submit(page, button.first)


def form_with_button(page: Page, name: str) -> Locator:
    return page.locator("form").filter(
        has=page.get_by_role("button", name=name, exact=True)
    ).first


def current_step(page: Page) -> str:
    return page.locator('[aria-current="step"]').first.inner_text().strip()


def expect_no_error(page: Page) -> None:
    """No refusal shown after a form (the pages mark errors role=alert or class error)."""
    alerts = page.locator('[role="alert"], .error, .field-error')
    texts = [alerts.nth(i).inner_text().strip() for i in range(alerts.count())]
    texts = [t for t in texts if t]
    assert not texts, f"the page shows an error at {page.url}: {texts}"


def topic_id(world: World) -> str:
    return world.topic_path.rsplit("/", 1)[-1]


# ---------------------------------------------------------------------------------- stories


def story1_register_and_raise(world: World) -> None:
    """A resident on a phone registers, opens the mailed link, signs in and raises a topic with
    a photo."""
    ctx = new_context(world.browser, js=world.js, viewport=PHONE, mobile=True)
    page = ctx.new_page()
    visit(page, "/register")
    world.shot(page, "register-phone")
    field(page, "邮箱").fill(world.email)
    field(page, "密码").fill(world.password)
    field(page, "称呼").fill(world.name)
    select_containing(field(page, "所在社区"), COMMUNITY)
    press(page, "注册")
    expect_no_error(page)

    link = wait_for_link(world.email, r"https?://[^\s\"'<>]+/verify-email\?token=[^\s\"'<>]+")
    assert link.startswith(BASE), f"the mailed link {link} is not on {BASE}"
    resp = page.goto(link)
    assert resp is not None and resp.status < 400, f"{link} answered {resp and resp.status}"
    expect_no_error(page)

    login(page, world.email, world.password)
    world.resident_state = ctx.storage_state()

    visit(page, "/topics/new")
    select_containing(field(page, "社区"), COMMUNITY)
    field(page, "标题").fill(world.title)
    field(page, "详细描述").fill("3号楼电梯这个月停了四次，老人上下楼很困难，请物业尽快检修。")
    select_containing(field(page, "类别"), "facilities")
    field(page, "照片").set_input_files(photo_file(world.browser))
    world.shot(page, "topic-new-phone")
    press(page, "提交")
    expect_no_error(page)
    assert re.fullmatch(r"/topics/\d+", path_of(page)), f"after 提交 the page is {page.url}"
    world.topic_path = path_of(page)
    expect(page.get_by_role("heading", name=world.title)).to_be_visible()
    assert current_step(page).find("说") >= 0, f"current step: {current_step(page)!r}"
    photos = page.locator("main img")
    assert photos.count() >= 1, "the new topic's page shows no photo"
    photos.first.scroll_into_view_if_needed()
    expect(photos.first).to_be_visible()
    if world.js:
        page.wait_for_function(
            "() => [...document.querySelectorAll('main img')].some(i => i.complete && i.naturalWidth > 0)"
        )
    src = photos.first.get_attribute("src")
    got = page.request.get(url(src) if src.startswith("/") else src)
    assert got.status == 200 and got.headers.get("content-type", "").startswith("image/"), (
        f"the photo {src} answered {got.status} {got.headers.get('content-type')}"
    )
    world.shot(page, "topic-say-phone")
    ctx.close()


def story2_staff_accept(world: World) -> None:
    """Staff accept it from /staff; the catalog number shows on the topic page and on
    /places/{id}."""
    page = world.page(STAFF, viewport=DESKTOP)
    visit(page, "/staff")
    expect(page.get_by_role("heading", name="工作台").first).to_be_visible()
    expect(page.get_by_text("待受理").first).to_be_visible()
    world.shot(page, "staff-desktop")
    page.get_by_role("link", name=world.title).first.click()
    page.wait_for_url(url(world.topic_path))
    assert path_of(page) == world.topic_path, f"the /staff link led to {page.url}"
    press(page, "受理")
    expect_no_error(page)
    m = CATALOG_NO.search(body_text(page))
    assert m, "no catalog number (YYYY-NNNN) on the topic page after 受理"
    world.catalog_no = m.group(0)
    assert "议" in current_step(page), f"current step after 受理: {current_step(page)!r}"

    anon = world.page(None)
    visit(anon, "/")
    place = anon.get_by_role("link", name=COMMUNITY).first
    world.place_path = urlsplit(place.get_attribute("href")).path
    visit(anon, world.place_path)
    expect(anon.get_by_text(world.catalog_no).first).to_be_visible()
    expect(anon.get_by_role("link", name=world.title).first).to_be_visible()
    world.shot(anon, "place-phone")
    anon.context.close()
    page.context.close()


def story3_neighbour_supports_and_comments(world: World) -> None:
    """A neighbour supports it (附议 → count 1, button 取消附议) and comments (评论, 立场)."""
    page = world.page(NEIGHBOUR)
    visit(page, world.topic_path)
    press(page, "附议")
    expect_no_error(page)
    expect(page.get_by_role("button", name="取消附议", exact=True)).to_be_visible()
    text = body_text(page)
    assert re.search(r"附议[^\d\n]{0,12}1(?!\d)|(?<!\d)1\s*(人|位)?\s*附议", text), (
        f"the supporters count 1 is not shown: {text[:600]}"
    )
    comment = f"电梯确实经常坏，我家老人也被困过一次。（{world.tag}）"
    field(page, "评论").fill(comment)
    select_containing(field(page, "立场"), "for")
    press(page, "发表评论")
    expect_no_error(page)
    expect(page.get_by_text(comment).first).to_be_visible()
    world.shot(page, "topic-discuss-phone")
    page.context.close()


def story4_decide_plan_publish_approve(world: World) -> None:
    """Staff decide, write the plan, add a task for the property firm and publish it; the
    sub-district approves (only subdistrict_staff may, docs/workflow.md)."""
    page = world.page(STAFF, viewport=DESKTOP)
    visit(page, world.topic_path)
    field(page, "决定内容").fill("由物业更换3号楼电梯控制柜，社区监督。")
    press(page, "形成决定")
    expect_no_error(page)
    assert "筹" in current_step(page), f"current step after 形成决定: {current_step(page)!r}"
    field(page, "方案摘要").fill("物业两周内更换控制柜，维修基金列支，完工后公示。")
    press(page, "保存方案")
    expect_no_error(page)
    field(page, "任务名称").fill(world.task_title)
    select_containing(field(page, "责任单位"), FIRM)
    fill_when(field(page, "截止日期"), dt.datetime.now(TZ) + dt.timedelta(days=30))
    press(page, "添加任务")
    expect_no_error(page)
    expect(page.get_by_text(world.task_title).first).to_be_visible()
    world.shot(page, "topic-plan-desktop")
    press(page, "公示")
    expect_no_error(page)
    page.context.close()

    sub = world.page(SUBDISTRICT, viewport=DESKTOP)
    visit(sub, world.topic_path)
    press(sub, "审批")
    expect_no_error(sub)
    assert "办" in current_step(sub), f"current step after 审批: {current_step(sub)!r}"
    sub.context.close()


def story5_firm_updates_task(world: World) -> None:
    """The firm updates its task at /tasks with a photo; staff complete the topic (办结)."""
    page = world.page(PROPERTY)
    visit(page, "/tasks")
    expect(page.get_by_text("我的任务").first).to_be_visible()
    world.shot(page, "tasks-phone")
    for status, note, photo in (
        ("in_progress", "已订购控制柜，本周五安装。", False),
        ("done", "控制柜已更换，电梯运行正常。", True),
    ):
        form = page.locator("form").filter(has_text=world.task_title).filter(
            has=page.get_by_role("button", name="更新", exact=True)
        )
        if form.count() == 0:  # the title may stand just above its form
            form = page.locator("li, article, section, tr, div").filter(
                has_text=world.task_title
            ).filter(has=page.get_by_role("button", name="更新", exact=True)).last
        form = form.first
        select_containing(field(form, "状态"), status)
        field(form, "进展说明").fill(note)
        if photo:
            field(form, "照片").set_input_files(photo_file(world.browser, "done.jpg"))
        press(page, "更新", scope=form)
        expect_no_error(page)
    page.context.close()

    staff = world.page(STAFF, viewport=DESKTOP)
    visit(staff, world.topic_path)
    expect(staff.get_by_text("控制柜已更换，电梯运行正常。").first).to_be_visible()
    press(staff, "办结")
    expect_no_error(staff)
    assert "评" in current_step(staff), f"current step after 办结: {current_step(staff)!r}"
    staff.context.close()


def story6_rate_and_close(world: World) -> None:
    """Both residents rate it (评分, 评价意见, 提交评价); staff close it (结项)."""
    for who, score in (("resident", "5"), (NEIGHBOUR, "4")):
        page = world.page(who)
        visit(page, world.topic_path)
        rating = field(page, "评分")
        if rating.count() == 1 and rating.evaluate("e => e.tagName") == "SELECT":
            rating.select_option(score)
        else:
            page.get_by_role("radio", name=score, exact=True).check()
        field(page, "评价意见").fill("修得及时，满意。")
        press(page, "提交评价")
        expect_no_error(page)
        page.context.close()
    staff = world.page(STAFF, viewport=DESKTOP)
    visit(staff, world.topic_path)
    press(staff, "结项")
    expect_no_error(staff)
    expect(staff.get_by_role("button", name="结项", exact=True)).to_have_count(0)
    world.shot(staff, "topic-closed-desktop")
    staff.context.close()


def story7_public_page_has_no_personal_data(world: World) -> None:
    """An anonymous visitor reads the topic page: no email address, no display name."""
    page = world.page(None)
    visit(page, world.topic_path)
    expect(page.get_by_role("heading", name=world.title)).to_be_visible()
    expect(page.get_by_text("电梯确实经常坏").first).to_be_visible()
    html = page.content()
    text = body_text(page)
    leaks = []
    for address, name in [*DEMO_NAMES.items(), (world.email, world.name)]:
        for needle in (address, name):
            if needle in html or needle in text:
                leaks.append(needle)
    if re.search(r"[\w.+-]+@[\w-]+\.[\w.]+", text):
        leaks.append(re.search(r"[\w.+-]+@[\w-]+\.[\w.]+", text).group(0))
    assert not leaks, f"the public topic page shows personal data: {sorted(set(leaks))}"
    world.shot(page, "topic-public-phone")
    page.context.close()


def _meeting_times(world: World) -> tuple[dt.datetime, dt.datetime]:
    day = (dt.datetime.now(TZ) + dt.timedelta(days=23)).replace(second=0, microsecond=0)
    start = day.replace(hour=15 if world.js else 16, minute=10)
    return start, start + dt.timedelta(hours=1)


def story8_cppcc_schedules(world: World) -> None:
    """Staff raise, accept and escalate a topic (提请协商); a CPPCC member finds it at /cppcc
    (请你来协商), schedules a micro-consultation (安排协商 → /consultations/new), invites the
    resident and schedules it (安排)."""
    escalated = f"小区加装电梯意见分歧（{world.tag}）"
    staff_escalate(world, escalated)
    cppcc_schedule(world, escalated)


def staff_escalate(world: World, escalated: str) -> None:
    staff = world.page(STAFF, viewport=DESKTOP)
    visit(staff, "/topics/new")
    select_containing(field(staff, "社区"), COMMUNITY)
    field(staff, "标题").fill(escalated)
    field(staff, "详细描述").fill("低层住户与高层住户对加装电梯意见不一，需要协商。")
    select_containing(field(staff, "类别"), "facilities")
    press(staff, "提交")
    expect_no_error(staff)
    press(staff, "受理")
    expect_no_error(staff)
    press(staff, "提请协商")
    expect_no_error(staff)
    staff.context.close()


def cppcc_schedule(world: World, escalated: str) -> None:
    page = world.page(CPPCC, viewport=DESKTOP)
    visit(page, "/cppcc")
    expect(page.get_by_text("请你来协商").first).to_be_visible()
    world.shot(page, "cppcc-desktop")
    item = page.locator("li, article, tr, section").filter(has_text=escalated).filter(
        has=page.get_by_role("button", name="安排协商").or_(page.get_by_role("link", name="安排协商"))
    ).last
    schedule = item.get_by_role("button", name="安排协商").or_(
        item.get_by_role("link", name="安排协商")
    ).first
    schedule.click()
    page.wait_for_url(re.compile(r"/consultations/new"))
    assert path_of(page) == "/consultations/new", f"安排协商 led to {page.url}"
    start, end = _meeting_times(world)
    field(page, "标题").fill(world.meeting_title)
    select_containing(field(page, "类型"), "micro_consultation")
    select_containing(field(page, "形式"), "in_person")
    field(page, "地点").fill("幸福社区党群服务中心二楼会议室")
    fill_when(field(page, "开始时间"), start)
    fill_when(field(page, "结束时间"), end)
    # 议题: the catalog's topics as checkboxes; 安排协商 ticks the escalated one.
    topic_box = page.get_by_role("group", name="议题").get_by_role("checkbox", name=escalated)
    expect(topic_box).to_have_count(1)
    if not topic_box.is_checked():
        topic_box.check()
    world.shot(page, "consultation-new-desktop")
    press(page, "创建")
    expect_no_error(page)
    assert re.fullmatch(r"/consultations/\d+", path_of(page)), f"after 创建 the page is {page.url}"
    world.meeting_path = path_of(page)
    field(page, "受邀人").fill(world.email)
    select_containing(field(page, "类别"), "resident_rep")
    press(page, "邀请")
    expect_no_error(page)
    expect(page.get_by_text(world.name).first).to_be_visible()
    press(page, "安排")
    expect_no_error(page)
    world.shot(page, "consultation-scheduled-desktop")
    page.context.close()


def story9_attend_and_confirm(world: World) -> None:
    """The invited resident accepts (参加); the convener starts (开始), records attendance
    (出席, 记录出席) and ends it (结束 with 会议纪要); the resident confirms the minutes
    (确认纪要)."""
    page = world.page("resident")
    visit(page, "/consultations")
    page.get_by_role("link", name=world.meeting_title).first.click()
    page.wait_for_url(url(world.meeting_path))
    assert path_of(page) == world.meeting_path, f"the list's link led to {page.url}"
    press(page, "参加")
    expect_no_error(page)
    expect(page.get_by_role("link", name="加入日历").first).to_be_visible()
    world.shot(page, "consultation-phone")

    convener = world.page(CPPCC, viewport=DESKTOP)
    visit(convener, world.meeting_path)
    press(convener, "开始")
    expect_no_error(convener)
    # Only attendees sign the minutes off: the convener records who came (出席登记).
    came = convener.get_by_role("group", name="出席").get_by_role("checkbox", name=world.name)
    if not came.is_checked():
        came.check()
    press(convener, "记录出席")
    expect_no_error(convener)
    minutes = f"与会各方同意先做低层住户补偿方案，再表决加装电梯。（{world.tag}）"
    field(convener, "会议纪要").fill(minutes)
    press(convener, "结束")
    expect_no_error(convener)
    expect(convener.get_by_text(minutes).first).to_be_visible()
    convener.context.close()

    visit(page, world.meeting_path)
    press(page, "确认纪要")
    expect_no_error(page)
    expect(page.get_by_role("button", name="确认纪要", exact=True)).to_have_count(0)
    page.context.close()


STORIES = [
    story1_register_and_raise,
    story2_staff_accept,
    story3_neighbour_supports_and_comments,
    story4_decide_plan_publish_approve,
    story5_firm_updates_task,
    story6_rate_and_close,
    story7_public_page_has_no_personal_data,
    story8_cppcc_schedules,
    story9_attend_and_confirm,
]
# What each story needs from the ones before it.
NEEDS = {1: (), 2: (1,), 3: (2,), 4: (3,), 5: (4,), 6: (5,), 7: (3,), 8: (1,), 9: (8,)}


def run_story(world: World, n: int) -> None:
    world.need(*NEEDS[n])
    STORIES[n - 1](world)
    world.done.add(n)
