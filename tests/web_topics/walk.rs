//! The whole walk 说→议→筹→办→评→结项 through the topic pages' forms, each step by the person
//! docs/workflow.md gives it to: the resident raises, staff accept, escalate and decide, staff
//! write the plan and its task and publish it, a neighbour objects and staff answer,
//! sub-district staff approve, the firm finishes its task, staff complete, the resident rates,
//! staff close.

use serde_json::json;

use crate::common::{Browser, Page, StatusCode, TestResult};
use crate::world::{self, World, current_step, version};

/// Presses the button of workflow `action` on topic `id` (with the version the page shows),
/// with the form's `extra` fields.
pub async fn act(b: &mut Browser<'_>, id: i64, action: &str, extra: &[(&str, &str)]) -> Page {
    let page = b.get(&format!("/topics/{id}")).await;
    let v = version(&page);
    let mut fields = vec![("action", action), ("expected_version", v.as_str())];
    fields.extend_from_slice(extra);
    b.submit(&format!("/topics/{id}/transitions"), &fields)
        .await
}

/// Presses `action` and follows the 303 back to the topic page.
async fn done(b: &mut Browser<'_>, id: i64, action: &str, extra: &[(&str, &str)]) -> Page {
    let r = act(b, id, action, extra).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{action}: {}", r.text());
    b.follow(&r).await
}

#[actix_rt::test]
async fn a_topic_walks_from_say_to_closed_through_the_pages() -> TestResult {
    let w = World::with(&[("workflow.notice_days", "0"), ("workflow.min_ratings", "1")]).await;
    let mut zhang = w.app.browser_as(world::ZHANG).await;
    let mut li = w.app.browser_as(world::LI).await;
    let mut staff = w.app.browser_as(world::STAFF).await;
    let mut sub = w.app.browser_as(world::SUB).await;

    // 说: the resident raises it.
    let community = w.city.community.to_string();
    let sent = zhang
        .submit_multipart(
            "/topics/new",
            &[
                ("place_id", community.as_str()),
                ("title", "3号楼电梯经常故障"),
                ("body", "一周停了三次。"),
                ("category", "facilities"),
            ],
            &[],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);
    let id: i64 = sent
        .location
        .as_deref()
        .and_then(|l| l.strip_prefix("/topics/"))
        .and_then(|s| s.parse().ok())
        .expect("the new topic's page");

    // 议: staff accept and escalate; a neighbour supports and comments.
    let page = done(&mut staff, id, "accept", &[]).await;
    assert!(page.shows(&w.catalog_no(1)));
    let page = done(&mut staff, id, "escalate", &[]).await;
    assert!(page.shows("已提请协商"));
    let r = li.submit(&format!("/topics/{id}/support"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = li
        .submit(
            &format!("/topics/{id}/comments"),
            &[("body", "同意更换控制柜"), ("stance", "for")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);

    // 形成决定 needs its 决定内容: refused next to the field first.
    let refused = act(&mut staff, id, "decide", &[]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.field_error("decision").is_some(),
        "{}",
        refused.text()
    );
    assert!(refused.has_field("决定内容"));
    let page = done(
        &mut staff,
        id,
        "decide",
        &[("decision", "由物业更换电梯控制柜，维修资金列支")],
    )
    .await;
    assert_eq!(current_step(&page).as_deref(), Some("筹"));
    assert!(page.shows("由物业更换电梯控制柜，维修资金列支"));

    // 筹: the plan and its task, then 公示.
    assert!(page.has_field("方案摘要") && page.has_button("保存方案"));
    for label in ["任务名称", "责任单位", "截止日期"] {
        assert!(page.has_field(label), "{label}");
    }
    assert!(page.has_button("添加任务"));
    let early = act(&mut staff, id, "publish_plan", &[]).await;
    assert_eq!(early.status, StatusCode::CONFLICT, "no task yet");
    assert!(early.shows(yishi::i18n::message(
        "topic.plan_has_no_tasks",
        yishi::i18n::Lang::ZhCn
    )));
    let r = staff
        .submit(
            &format!("/topics/{id}/plan"),
            &[("summary", "更换3号楼电梯控制柜，两周内完成。")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let due = (chrono::Utc::now() + chrono::Duration::days(14))
        .format("%Y-%m-%d")
        .to_string();
    let firm = w.city.firm.to_string();
    let bad = staff
        .submit(
            &format!("/topics/{id}/tasks"),
            &[
                ("title", "更换控制柜"),
                ("organization_id", ""),
                ("due_date", due.as_str()),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.field_error("organization_id").is_some());
    let r = staff
        .submit(
            &format!("/topics/{id}/tasks"),
            &[
                ("title", "更换控制柜"),
                ("organization_id", firm.as_str()),
                ("due_date", due.as_str()),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let page = staff.follow(&r).await;
    assert!(page.shows("任务已添加"));
    assert!(page.shows("更换3号楼电梯控制柜，两周内完成。"));
    assert!(page.shows("更换控制柜"));
    assert!(page.shows("甬城红色物业服务有限公司"));
    assert!(page.shows(&due));
    assert!(!page.has_button("审批"), "community staff do not approve");
    let page = done(&mut staff, id, "publish_plan", &[]).await;
    assert!(page.shows("公示中"));
    assert!(!page.has_button("保存方案"), "a published plan is frozen");

    // A neighbour objects during the notice; approval waits for the answer.
    let page = li.get(&format!("/topics/{id}")).await;
    assert!(page.has_field("异议") && page.has_button("提出异议"));
    let r = li
        .submit(
            &format!("/topics/{id}/objections"),
            &[("body", "施工期间请保留一部电梯运行")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let waiting = act(&mut sub, id, "approve_plan", &[]).await;
    assert_eq!(waiting.status, StatusCode::CONFLICT);
    assert!(waiting.shows(yishi::i18n::message(
        "topic.objections_unanswered",
        yishi::i18n::Lang::ZhCn
    )));
    let page = staff.get(&format!("/topics/{id}")).await;
    assert!(page.shows("施工期间请保留一部电梯运行"));
    assert!(page.has_button("维持") && page.has_button("驳回异议"));
    let objection = w.app.with_db(|c| {
        use diesel::prelude::*;
        use yishi::db::schema::objections;
        objections::table
            .select(objections::id)
            .first::<i64>(c)
            .expect("objection")
    });
    let r = staff
        .submit(
            &format!("/topics/{id}/objections/{objection}/answer"),
            &[("decision", "dismissed"), ("reason", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.field_error(&format!("answer_{objection}_reason"))
            .is_some(),
        "{}",
        r.text()
    );
    let r = staff
        .submit(
            &format!("/topics/{id}/objections/{objection}/answer"),
            &[
                ("decision", "dismissed"),
                ("reason", "分两天施工，始终保留一部电梯"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());

    // 办: sub-district staff approve; the firm finishes its task; staff complete.
    let page = done(&mut sub, id, "approve_plan", &[]).await;
    assert_eq!(current_step(&page).as_deref(), Some("办"));
    let firm_token = w.app.login(world::FIRM).await;
    let tasks = w
        .app
        .get(&format!("/api/v1/topics/{id}/tasks"), Some(&firm_token))
        .await;
    let task = &tasks.body["items"][0];
    let r = w
        .app
        .patch(
            &format!("/api/v1/tasks/{}", task["id"]),
            Some(&firm_token),
            json!({"status": "done", "expected_version": task["version"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let page = done(&mut staff, id, "complete", &[]).await;
    assert_eq!(current_step(&page).as_deref(), Some("评"));
    assert!(page.shows("1 项已完成，共 1"), "{}", page.text());

    // 评: the resident rates; staff close.
    let page = zhang.get(&format!("/topics/{id}")).await;
    assert!(page.has_field("评分") && page.has_field("评价意见"));
    assert!(page.has_button("提交评价"));
    let unscored = zhang
        .submit(
            &format!("/topics/{id}/evaluations"),
            &[("score", ""), ("comment", "还行")],
        )
        .await;
    assert_eq!(unscored.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unscored.field_error("score").is_some());
    assert!(unscored.html.contains("还行"), "the typed comment stays");
    assert_eq!(w.app.count("evaluations"), 0);
    let r = zhang
        .submit(
            &format!("/topics/{id}/evaluations"),
            &[("score", "5"), ("comment", "修得很快，谢谢")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let page = zhang.follow(&r).await;
    assert!(page.shows("评价已提交"));
    assert!(page.shows("评价人数 1"));
    assert!(page.shows("平均分 5.00"));
    let page = done(&mut staff, id, "close", &[]).await;
    assert!(page.shows("已结项 · 已解决"), "{}", page.text());
    assert_eq!(
        current_step(&page),
        None,
        "a closed topic has no current step"
    );
    assert_eq!(page.html.matches("<li class=\"done\">").count(), 5);
    for button in ["结项", "返工", "附议", "发表评论"] {
        assert!(!page.has_button(button), "{button} after closing");
    }

    // Anyone reads the result, without names.
    let public = w.app.browser().get(&format!("/topics/{id}")).await;
    assert_eq!(public.status, StatusCode::OK);
    assert!(public.shows("已结项 · 已解决"));
    assert!(public.shows("更换控制柜"));
    assert!(public.shows("平均分 5.00"));
    assert!(!public.html.contains("@example.com"));
    w.app.done().await
}

#[actix_rt::test]
async fn an_upheld_objection_sends_the_plan_back_to_the_plan_form() -> TestResult {
    let w = World::new().await;
    let id = w.raise_by_api("3号楼电梯经常故障").await;
    w.accept_by_api(id).await;
    let mut staff = w.app.browser_as(world::STAFF).await;
    done(&mut staff, id, "decide", &[("decision", "更换控制柜")]).await;
    let due = (chrono::Utc::now() + chrono::Duration::days(7))
        .format("%Y-%m-%d")
        .to_string();
    let firm = w.city.firm.to_string();
    let r = staff
        .submit(
            &format!("/topics/{id}/tasks"),
            &[
                ("title", "更换控制柜"),
                ("organization_id", firm.as_str()),
                ("due_date", due.as_str()),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    done(&mut staff, id, "publish_plan", &[]).await;

    let mut li = w.app.browser_as(world::LI).await;
    let r = li
        .submit(&format!("/topics/{id}/objections"), &[("body", "")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.field_error("objection_body").is_some());
    let r = li
        .submit(
            &format!("/topics/{id}/objections"),
            &[("body", "费用分摊方式没有公示")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(li.follow(&r).await.shows("异议已提交"));

    let oid = w.app.with_db(|c| {
        use diesel::prelude::*;
        use yishi::db::schema::objections;
        objections::table
            .select(objections::id)
            .first::<i64>(c)
            .expect("objection")
    });
    let page = staff.get(&format!("/topics/{id}")).await;
    assert!(!page.has_button("保存方案"), "frozen while published");
    let r = staff
        .submit(
            &format!("/topics/{id}/objections/{oid}/answer"),
            &[
                ("decision", "upheld"),
                ("reason", "补充费用分摊方式后重新公示"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let page = staff.follow(&r).await;
    assert!(page.shows("异议已答复"));
    assert!(page.shows("方案 · 草稿"), "{}", page.text());
    assert!(page.has_button("保存方案"), "the plan is a draft again");
    assert!(page.has_button("公示"));
    assert!(!page.has_button("维持"), "answered");
    w.app.done().await
}
