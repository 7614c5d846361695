#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The working pages over real HTTP, as a person checks them: /me (my topics, what I
//! support, my roles, the calendar feed), /staff (工作台) and /tasks (我的任务 with its
//! update form).

mod common;

use awc::http::StatusCode;
use common::{DemoCity, Page, TestApp, TestResult, User, make_user, merged};
use serde_json::{Value, json};
use yishi::auth::Role;
use yishi::i18n::{Lang, message};

/// The people of these stories and one topic in 办 with two tasks: the firm's (due in a
/// month) and the department's (past due, so 督办 lists it).
struct World {
    city: DemoCity,
    resident: User,
    neighbour: User,
    staff: User,
    topic: Value,
    /// A topic just raised (在 说: 待受理).
    fresh: Value,
    firm_task: Value,
    dept_task: Value,
}

const TITLE: &str = "3号楼电梯经常故障";
const FRESH: &str = "小区东门路灯不亮";
const FIRM_TASK: &str = "更换3号楼电梯控制柜";
const DEPT_TASK: &str = "检查电梯年检记录";

async fn transition(
    app: &TestApp,
    token: &str,
    topic: &Value,
    action: &str,
    extra: Value,
) -> Value {
    let body = merged(
        json!({"action": action, "expected_version": topic["version"]}),
        extra,
    );
    let r = app
        .post(
            &format!("/api/v1/topics/{}/transitions", topic["id"]),
            Some(token),
            body,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{action}: {:?}", r.body);
    r.body
}

async fn world(app: &TestApp) -> World {
    let city = app.demo_city().await;
    let home = Some(city.community);
    let resident = make_user(app, "zhang", home, &[(Role::Resident, home, None)]).await;
    let neighbour = make_user(app, "li", home, &[(Role::Resident, home, None)]).await;
    let staff = make_user(app, "staff", home, &[(Role::CommunityStaff, home, None)]).await;
    let sub = make_user(
        app,
        "sub",
        None,
        &[(Role::SubdistrictStaff, Some(city.subdistrict), None)],
    )
    .await;
    make_user(
        app,
        "firm",
        None,
        &[(Role::PropertyFirm, home, Some(city.firm))],
    )
    .await;
    make_user(
        app,
        "other-firm",
        None,
        &[(Role::PropertyFirm, home, Some(city.other_firm))],
    )
    .await;

    let raise = |title: &str| json!({"place_id": city.community, "title": title, "body": "一周停了三次，老人上下楼很困难。", "category": "facilities"});
    let r = app
        .post("/api/v1/topics", resident.tok(), raise(TITLE))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let topic = r.body;
    let r = app
        .post(
            &format!("/api/v1/topics/{}/supports", topic["id"]),
            neighbour.tok(),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let topic = transition(app, &staff.token, &topic, "accept", json!({})).await;
    let topic = transition(
        app,
        &staff.token,
        &topic,
        "decide",
        json!({"decision": "物业更换控制柜"}),
    )
    .await;
    let task = |title: &str, org: i64, due: &str| json!({"title": title, "organization_id": org, "due_at": due});
    let tasks = format!("/api/v1/topics/{}/tasks", topic["id"]);
    let due = (chrono::Utc::now() + chrono::Duration::days(30)).to_rfc3339();
    let firm_task = app
        .post(&tasks, staff.tok(), task(FIRM_TASK, city.firm, &due))
        .await;
    assert_eq!(
        firm_task.status,
        StatusCode::CREATED,
        "{:?}",
        firm_task.body
    );
    let dept_task = app
        .post(
            &tasks,
            staff.tok(),
            task(DEPT_TASK, city.dept, "2020-01-01T00:00:00Z"),
        )
        .await;
    assert_eq!(
        dept_task.status,
        StatusCode::CREATED,
        "{:?}",
        dept_task.body
    );
    let topic = transition(app, &staff.token, &topic, "publish_plan", json!({})).await;
    let topic = transition(app, &sub.token, &topic, "approve_plan", json!({})).await;
    assert_eq!(topic["stage"], "act");
    let r = app
        .post("/api/v1/topics", neighbour.tok(), raise(FRESH))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    World {
        city,
        resident,
        neighbour,
        staff,
        topic,
        fresh: r.body,
        firm_task: firm_task.body,
        dept_task: dept_task.body,
    }
}

async fn app() -> TestApp {
    TestApp::builder()
        .setting("workflow.notice_days", "0")
        .demo()
        .build()
        .await
}

/// The HTML of the section whose heading has `id`, up to the next top-level section.
fn section<'p>(page: &'p Page, id: &str) -> &'p str {
    let start = page
        .html
        .find(&format!("aria-labelledby=\"{id}\""))
        .unwrap_or_else(|| panic!("no section {id}"));
    let rest = &page.html[start..];
    let end = rest[1..]
        .find("<section aria-labelledby=")
        .map_or(rest.len(), |e| e + 1);
    &rest[..end]
}

fn zh(code: &str) -> &'static str {
    message(code, Lang::ZhCn)
}

#[actix_rt::test]
async fn me_lists_my_topics_what_i_support_my_roles_and_my_calendar_feed() -> TestResult {
    let app = app().await;
    let w = world(&app).await;

    // Not signed in: to the sign-in page, and back afterwards.
    let anon = app.browser().get("/me").await;
    assert_eq!(anon.status, StatusCode::SEE_OTHER);
    assert_eq!(anon.location.as_deref(), Some("/login?next=%2Fme"));

    let mut b = app.browser_as("zhang@example.com").await;
    let me = b.get("/me").await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.text());
    assert!(me.shows("我的议题") && me.shows("我关注的") && me.shows("日历订阅"));
    let mine = section(&me, "my-topics");
    assert!(mine.contains(TITLE), "{mine}");
    assert!(mine.contains(&format!("href=\"/topics/{}\"", w.topic["id"])));
    assert!(!mine.contains(FRESH), "the neighbour's topic is not mine");
    assert!(section(&me, "roles").contains("居民"));
    assert!(section(&me, "roles").contains("幸福社区"));

    // 我关注的 lists what the neighbour supports (follows arrive with notifications).
    let mut nb = app.browser_as("li@example.com").await;
    let theirs = nb.get("/me").await;
    assert!(section(&theirs, "following").contains(TITLE));
    assert!(section(&theirs, "my-topics").contains(FRESH));

    // The calendar feed: made through the API's action, its address shown once, and it works.
    assert!(me.shows("您还没有开通日历订阅。"));
    assert!(me.has_button("开通日历订阅"));
    let made = b.submit("/me/calendar-feed", &[]).await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.text());
    assert!(made.has_field("订阅地址"));
    let re = regex::Regex::new(r#"value="[^"]*(/api/v1/me/calendar\.ics\?token=[^"]+)""#)?;
    let feed_path = re.captures(&made.html).expect("the feed address")[1].replace("&amp;", "&");
    let (status, content_type, ics) = app.get_text(&feed_path, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(content_type.starts_with("text/calendar"), "{content_type}");
    assert!(ics.contains("BEGIN:VCALENDAR"));
    let again = b.get("/me").await;
    assert!(again.shows("已开通，订阅地址生成于"));
    assert!(
        !again.html.contains("calendar.ics?token="),
        "shown once only"
    );
    assert!(again.has_button("重新生成订阅地址") && again.has_button("停止日历订阅"));
    let stopped = b.submit("/me/calendar-feed/revoke", &[]).await;
    assert_eq!(stopped.location.as_deref(), Some("/me"));
    let after = b.follow(&stopped).await;
    assert!(after.shows("日历订阅已停止"));
    assert_eq!(
        app.get_text(&feed_path, None).await.0,
        StatusCode::UNAUTHORIZED
    );
    let _ = (&w.resident, &w.neighbour, &w.city, &w.staff);
    app.done().await
}

#[actix_rt::test]
async fn the_workbench_is_for_staff_and_lists_intake_steps_and_overdue_work() -> TestResult {
    let app = app().await;
    let w = world(&app).await;

    // A resident gets the 403 page, in HTML.
    let mut resident = app.browser_as("zhang@example.com").await;
    let refused = resident.get("/staff").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.shows("没有权限"), "{}", refused.text());
    assert!(!refused.shows(FRESH));

    for who in ["staff@example.com", "sub@example.com"] {
        let mut b = app.browser_as(who).await;
        let wb = b.get("/staff").await;
        assert_eq!(wb.status, StatusCode::OK, "{who}: {}", wb.text());
        assert!(wb.html.contains("<h1>工作台</h1>"));
        // 待受理: the new topic, linking to its page.
        let intake = section(&wb, "intake");
        assert!(intake.contains(FRESH), "{who}: {intake}");
        assert!(intake.contains(&format!("href=\"/topics/{}\"", w.fresh["id"])));
        assert!(!intake.contains(TITLE), "accepted topics are not waiting");
        // Each step with its count: the lift is in 办.
        let act = section(&wb, "step-act");
        assert!(act.contains(TITLE) && act.contains("共 1 项"), "{act}");
        assert!(section(&wb, "step-discuss").contains("共 0 项"));
        // 督办: the department's past-due task, marked in words, linking to its topic.
        let overdue = section(&wb, "overdue");
        assert!(
            overdue.contains(DEPT_TASK) && overdue.contains("已逾期"),
            "{overdue}"
        );
        assert!(overdue.contains(&format!("href=\"/topics/{}\"", w.topic["id"])));
        assert!(!overdue.contains(FIRM_TASK), "not due yet");
        assert!(section(&wb, "objections").contains("暂无"));
        assert!(section(&wb, "closable").contains("暂无"));
    }

    // Staff of another sub-district see none of it.
    let far = make_user(
        &app,
        "far",
        None,
        &[(Role::CommunityStaff, Some(w.city.far), None)],
    )
    .await;
    let _ = far;
    let mut b = app.browser_as("far@example.com").await;
    let wb = b.get("/staff").await;
    assert_eq!(wb.status, StatusCode::OK);
    assert!(!wb.shows(FRESH) && !wb.shows(DEPT_TASK));
    app.done().await
}

/// The task as the API shows it to staff.
async fn task_now(app: &TestApp, w: &World, id: i64) -> Value {
    let r = app
        .get(
            &format!("/api/v1/tasks?topic_id={}", w.topic["id"]),
            w.staff.tok(),
        )
        .await;
    r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id)
        .cloned()
        .unwrap()
}

#[actix_rt::test]
async fn the_firm_updates_its_task_and_no_other_firm_can() -> TestResult {
    let app = app().await;
    let w = world(&app).await;
    let id = w.firm_task["id"].as_i64().unwrap();
    let task_path = format!("/tasks/{id}");

    let mut firm = app.browser_as("firm@example.com").await;
    let tasks = firm.get("/tasks").await;
    assert_eq!(tasks.status, StatusCode::OK, "{}", tasks.text());
    assert!(tasks.shows(FIRM_TASK) && tasks.shows(TITLE));
    assert!(!tasks.shows(DEPT_TASK), "another organisation's task");
    assert!(
        tasks
            .html
            .contains(&format!("href=\"/topics/{}\"", w.topic["id"]))
    );
    assert!(tasks.shows("待办"));
    assert!(tasks.has_field("状态") && tasks.has_field("进展说明"));
    assert!(tasks.has_button("更新"));

    // A refused update: the message next to its field, nothing written.
    let bad = firm
        .submit(
            &task_path,
            &[
                ("status", "flying"),
                ("progress_note", ""),
                ("expected_version", "1"),
            ],
        )
        .await;
    assert_eq!(
        bad.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        bad.text()
    );
    assert_eq!(
        bad.field_error(&format!("{id}-status")).as_deref(),
        Some(zh("request.invalid_field"))
    );
    let long = "很".repeat(2001);
    let bad = firm
        .submit(
            &task_path,
            &[
                ("status", "in_progress"),
                ("progress_note", &long),
                ("expected_version", "1"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        bad.field_error(&format!("{id}-progress_note")).as_deref(),
        Some(zh("validation.length"))
    );
    assert!(bad.html.contains(&long), "what was typed is kept");
    assert_eq!(task_now(&app, &w, id).await["version"], 1);

    // Another firm neither sees the task nor changes it.
    let mut other = app.browser_as("other-firm@example.com").await;
    let theirs = other.get("/tasks").await;
    assert_eq!(theirs.status, StatusCode::OK);
    assert!(!theirs.shows(FIRM_TASK));
    let forged = other
        .submit(
            &task_path,
            &[
                ("status", "done"),
                ("progress_note", "冒名"),
                ("expected_version", "1"),
            ],
        )
        .await;
    assert_eq!(forged.status, StatusCode::NOT_FOUND, "{}", forged.text());
    assert!(forged.html.contains("<html"), "an HTML page");
    assert_eq!(task_now(&app, &w, id).await["status"], "todo");
    assert_eq!(task_now(&app, &w, id).await["version"], 1);

    // The firm's update: 303 back to /tasks with the flash; the progress shows.
    let done = firm
        .submit(
            &task_path,
            &[
                ("status", "in_progress"),
                ("progress_note", "已订购控制柜"),
                ("expected_version", "1"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text());
    assert_eq!(done.location.as_deref(), Some("/tasks"));
    let back = firm.follow(&done).await;
    assert!(back.shows("任务已更新。"));
    assert!(back.shows("已订购控制柜"));
    assert!(back.shows("状态： 进行中"), "{}", back.text());
    assert_eq!(task_now(&app, &w, id).await["status"], "in_progress");
    assert_eq!(task_now(&app, &w, id).await["version"], 2);

    // The same form again (stale version): refused on the page, nothing written.
    let stale = firm
        .submit(
            &task_path,
            &[
                ("status", "done"),
                ("progress_note", ""),
                ("expected_version", "1"),
            ],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.shows(zh("task.stale_version")));
    assert_eq!(task_now(&app, &w, id).await["status"], "in_progress");

    // Staff see every task of their places, the overdue one marked in words.
    let mut staff = app.browser_as("staff@example.com").await;
    let all = staff.get("/tasks").await;
    assert!(all.shows(FIRM_TASK) && all.shows(DEPT_TASK) && all.shows("已逾期"));

    // Residents have no task list.
    let mut resident = app.browser_as("zhang@example.com").await;
    assert_eq!(resident.get("/tasks").await.status, StatusCode::FORBIDDEN);
    let _ = (&w.resident, &w.neighbour, &w.dept_task, &w.fresh);
    app.done().await
}

#[actix_rt::test]
async fn the_workbench_lists_objections_to_answer_and_topics_ready_to_close() -> TestResult {
    let app = TestApp::builder()
        .settings(&[("workflow.notice_days", "0"), ("workflow.min_ratings", "1")])
        .demo()
        .build()
        .await;
    let w = world(&app).await;
    let staff = w.staff.tok();

    // A plan under public notice with a resident's objection (公示 → 待答复异议).
    let noticed = "楼道堆物清理";
    let r = app
        .post(
            "/api/v1/topics",
            w.resident.tok(),
            json!({"place_id": w.city.community, "title": noticed, "body": "楼道里堆满杂物。", "category": "environment"}),
        )
        .await;
    let t = transition(&app, &w.staff.token, &r.body, "accept", json!({})).await;
    let t = transition(
        &app,
        &w.staff.token,
        &t,
        "decide",
        json!({"decision": "限期清理"}),
    )
    .await;
    let due = (chrono::Utc::now() + chrono::Duration::days(7)).to_rfc3339();
    let r = app
        .post(
            &format!("/api/v1/topics/{}/tasks", t["id"]),
            staff,
            json!({"title": "清理楼道", "organization_id": w.city.firm, "due_at": due}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    transition(&app, &w.staff.token, &t, "publish_plan", json!({})).await;
    let objection = "清理时间应避开周末";
    let r = app
        .post(
            &format!("/api/v1/topics/{}/objections", t["id"]),
            w.neighbour.tok(),
            json!({"body": objection}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);

    // The lift: both tasks done, completed, rated well by its author (待结项).
    for task in [&w.firm_task, &w.dept_task] {
        let r = app
            .patch(
                &format!("/api/v1/tasks/{}", task["id"]),
                staff,
                json!({"status": "done", "expected_version": task["version"]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    }
    let lift = app
        .get(&format!("/api/v1/topics/{}", w.topic["id"]), staff)
        .await
        .body;
    transition(&app, &w.staff.token, &lift, "complete", json!({})).await;
    let r = app
        .post(
            &format!("/api/v1/topics/{}/evaluations", w.topic["id"]),
            w.resident.tok(),
            json!({"score": 5, "comment": "修好了"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);

    let mut b = app.browser_as("staff@example.com").await;
    let wb = b.get("/staff").await;
    assert_eq!(wb.status, StatusCode::OK);
    let objections = section(&wb, "objections");
    assert!(
        objections.contains(noticed) && objections.contains(objection),
        "{objections}"
    );
    assert!(objections.contains(&format!("href=\"/topics/{}\"", t["id"])));
    let closable = section(&wb, "closable");
    assert!(closable.contains(TITLE), "{closable}");
    assert!(section(&wb, "step-evaluate").contains("共 1 项"));
    assert!(section(&wb, "step-plan").contains(noticed));
    assert!(
        section(&wb, "overdue").contains("暂无"),
        "done work is not overdue"
    );
    app.done().await
}

/// A small PNG photo.
fn png() -> Vec<u8> {
    let img = image::DynamicImage::ImageRgb8(image::RgbImage::from_fn(8, 8, |x, y| {
        image::Rgb([(x * 30) as u8, (y * 30) as u8, 100])
    }));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// How many photos the task has, as the API lists them to staff.
async fn photos(app: &TestApp, w: &World, id: i64) -> usize {
    let r = app
        .get(&format!("/api/v1/tasks/{id}/attachments"), w.staff.tok())
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body["items"].as_array().unwrap().len()
}

#[actix_rt::test]
async fn a_photo_goes_with_the_update_and_a_refused_photo_changes_nothing() -> TestResult {
    let app = app().await;
    let w = world(&app).await;
    let id = w.firm_task["id"].as_i64().unwrap();
    let task_path = format!("/tasks/{id}");
    let mut firm = app.browser_as("firm@example.com").await;
    let tasks = firm.get("/tasks").await;
    assert!(tasks.has_field("照片"));
    assert!(tasks.html.contains("enctype=\"multipart/form-data\""));

    // Not an image: refused next to 照片, and neither the status nor a photo is written.
    let refused = firm
        .submit_multipart(
            &task_path,
            &[
                ("status", "done"),
                ("progress_note", "已更换"),
                ("expected_version", "1"),
            ],
            &[("photo", "note.txt", "text/plain", b"not an image at all")],
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.text()
    );
    assert_eq!(
        refused.field_error(&format!("{id}-photo")).as_deref(),
        Some(zh("attachment.unsupported_type"))
    );
    assert!(refused.html.contains("已更换"), "what was typed is kept");
    assert_eq!(task_now(&app, &w, id).await["version"], 1);
    assert_eq!(photos(&app, &w, id).await, 0);

    // No file chosen (the browser sends an empty part): the update alone.
    let no_photo = firm
        .submit_multipart(
            &task_path,
            &[
                ("status", "in_progress"),
                ("progress_note", "已进场"),
                ("expected_version", "1"),
            ],
            &[("photo", "", "application/octet-stream", b"")],
        )
        .await;
    assert_eq!(
        no_photo.status,
        StatusCode::SEE_OTHER,
        "{}",
        no_photo.text()
    );
    assert_eq!(task_now(&app, &w, id).await["status"], "in_progress");
    assert_eq!(photos(&app, &w, id).await, 0);

    // With a photo: the update and the evidence.
    let photo = png();
    let done = firm
        .submit_multipart(
            &task_path,
            &[
                ("status", "done"),
                ("progress_note", "控制柜已更换"),
                ("expected_version", "2"),
            ],
            &[("photo", "lift.png", "image/png", &photo)],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text());
    let back = firm.follow(&done).await;
    assert!(back.shows("任务已更新。") && back.shows("控制柜已更换"));
    assert_eq!(task_now(&app, &w, id).await["status"], "done");
    assert_eq!(photos(&app, &w, id).await, 1);

    // Another firm is refused before its body is read, and nothing is written.
    let mut other = app.browser_as("other-firm@example.com").await;
    let forged = other
        .submit_multipart(
            &task_path,
            &[("status", "blocked"), ("expected_version", "3")],
            &[("photo", "x.png", "image/png", &photo)],
        )
        .await;
    assert!(
        matches!(forged.status.as_u16(), 403 | 404),
        "{}",
        forged.text()
    );
    assert_eq!(task_now(&app, &w, id).await["status"], "done");
    assert_eq!(photos(&app, &w, id).await, 1);
    app.done().await
}
