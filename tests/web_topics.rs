#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The topic pages as people use them: the public catalog and topic page, raising a topic
//! through /topics/new, supporting and commenting, staff buttons only for staff, the whole
//! 说→结项 walk through the pages' forms, the English switch, and CSRF.

mod common;

#[path = "web_topics/photos.rs"]
mod photos;
#[path = "web_topics/walk.rs"]
mod walk;
#[path = "web_topics/world.rs"]
mod world;

use common::{StatusCode, TestResult};
use world::{World, current_step, has_aria_current};

#[actix_rt::test]
async fn anonymous_visitors_read_the_catalog_and_the_public_topic_without_personal_data()
-> TestResult {
    let w = World::new().await;
    let id = w.raise_by_api("3号楼电梯经常故障").await;
    let hidden = w.raise_by_api("还没受理的议题").await;
    w.accept_by_api(id).await;

    let mut b = w.app.browser();
    let catalog = b.get(&format!("/places/{}", w.city.community)).await;
    assert_eq!(catalog.status, StatusCode::OK);
    assert!(catalog.shows(&w.catalog_no(1)), "{}", catalog.text());
    assert!(catalog.shows("3号楼电梯经常故障"));
    assert!(catalog.shows("议 · 商议"), "the step of each entry");
    assert!(catalog.shows("附议 0"));
    assert!(
        !catalog.shows("还没受理的议题"),
        "only accepted topics are public"
    );
    assert!(catalog.html.contains(&format!(
        "href=\"/topics/new?place_id={}\"",
        w.city.community
    )));
    assert!(catalog.shows("我要提议题"));

    let page = b.get(&format!("/topics/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.shows(&w.catalog_no(1)));
    assert!(page.shows("3号楼电梯一周停了三次"));
    assert_eq!(current_step(&page).as_deref(), Some("议"));
    assert!(has_aria_current(&page, 1));
    assert!(page.shows("说 提出 已完成"), "done is said in words too");
    assert!(page.shows("筹 筹划 未开始"));
    for p in [&catalog, &page] {
        assert!(!p.html.contains("@example.com"), "no email on public pages");
        assert!(!p.html.contains("zhang"), "no author name on public pages");
    }
    assert!(
        !page.has_button("附议"),
        "anonymous visitors get no buttons"
    );
    assert!(!page.has_button("受理"));

    let not_public = b.get(&format!("/topics/{hidden}")).await;
    assert_eq!(not_public.status, StatusCode::NOT_FOUND);
    w.app.done().await
}

#[actix_rt::test]
async fn a_resident_raises_a_topic_and_lands_on_its_page() -> TestResult {
    let w = World::new().await;
    let mut b = w.app.browser_as(world::ZHANG).await;
    let form = b
        .get(&format!("/topics/new?place_id={}", w.city.community))
        .await;
    assert_eq!(form.status, StatusCode::OK);
    for label in ["社区", "标题", "详细描述", "类别", "照片"] {
        assert!(form.has_field(label), "field {label}");
    }
    assert!(form.has_button("提交"));
    assert!(form.html.contains("enctype=\"multipart/form-data\""));
    assert!(
        form.html
            .contains(&format!("<option value=\"{}\" selected>", w.city.community))
    );

    let community = w.city.community.to_string();
    let sent = b
        .submit_multipart(
            "/topics/new",
            &[
                ("place_id", community.as_str()),
                ("title", "小区门口路灯不亮"),
                ("body", "东门两盏路灯坏了一个月，晚上很黑。"),
                ("category", "facilities"),
            ],
            &[],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.text());
    let to = sent.location.clone().unwrap();
    assert!(to.starts_with("/topics/"), "{to}");
    let page = b.follow(&sent).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.shows("议题已提交"), "the flash");
    assert!(page.shows("小区门口路灯不亮"));
    assert_eq!(current_step(&page).as_deref(), Some("说"));
    assert!(page.has_button("撤回"), "the author may withdraw");
    assert_eq!(w.app.count("topics"), 1);

    // A property firm's user raises no topics: the page says so instead of a form.
    let mut firm = w.app.browser_as(world::FIRM).await;
    let none = firm.get("/topics/new").await;
    assert_eq!(none.status, StatusCode::OK);
    assert!(!none.has_button("提交"));
    assert!(none.shows("你还没有可以提议题的社区"));
    // Anonymous visitors are sent to sign in first.
    let anonymous = w.app.browser().get("/topics/new").await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
    assert!(
        anonymous
            .location
            .unwrap_or_default()
            .starts_with("/login?next=")
    );
    w.app.done().await
}

#[actix_rt::test]
async fn a_topic_without_a_title_is_refused_next_to_the_title_and_nothing_is_made() -> TestResult {
    let w = World::new().await;
    let mut b = w.app.browser_as(world::ZHANG).await;
    let community = w.city.community.to_string();
    let sent = b
        .submit_multipart(
            "/topics/new",
            &[
                ("place_id", community.as_str()),
                ("title", ""),
                ("body", "东门路灯坏了"),
                ("category", "facilities"),
            ],
            &[],
        )
        .await;
    assert_eq!(sent.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        sent.field_error("title").as_deref(),
        Some(yishi::i18n::message(
            "validation.length",
            yishi::i18n::Lang::ZhCn
        ))
    );
    assert!(sent.html.contains("东门路灯坏了"), "what was typed stays");
    assert_eq!(w.app.count("topics"), 0);
    assert_eq!(w.app.count("topic_events"), 0);

    let no_category = b
        .submit_multipart(
            "/topics/new",
            &[
                ("place_id", community.as_str()),
                ("title", "路灯"),
                ("body", "东门路灯坏了"),
            ],
            &[],
        )
        .await;
    assert_eq!(no_category.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_category.field_error("category").is_some());
    assert_eq!(w.app.count("topics"), 0);
    w.app.done().await
}

#[actix_rt::test]
async fn a_neighbour_supports_withdraws_and_comments() -> TestResult {
    let w = World::new().await;
    let id = w.raise_by_api("3号楼电梯经常故障").await;
    w.accept_by_api(id).await;
    let mut li = w.app.browser_as(world::LI).await;
    let page = li.get(&format!("/topics/{id}")).await;
    assert!(page.has_button("附议"));
    assert!(!page.has_button("取消附议"));
    assert!(page.has_field("评论"));
    assert!(page.has_field("立场"), "a side is taken during discuss");
    assert!(page.has_button("发表评论"));

    let done = li.submit(&format!("/topics/{id}/support"), &[]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(
        done.location.as_deref(),
        Some(format!("/topics/{id}").as_str())
    );
    let page = li.follow(&done).await;
    assert!(page.shows("已附议"), "the flash");
    assert!(page.shows("1 人附议"), "{}", page.text());
    assert!(page.has_button("取消附议"));
    assert!(!page.has_button("附议"));

    let opened = li.get(&format!("/topics/{id}/support")).await;
    assert_eq!(
        opened.status,
        StatusCode::SEE_OTHER,
        "a form's path opened: back to the topic"
    );
    assert_eq!(
        opened.location.as_deref(),
        Some(format!("/topics/{id}").as_str())
    );

    let undone = li.submit(&format!("/topics/{id}/unsupport"), &[]).await;
    let page = li.follow(&undone).await;
    assert!(page.shows("0 人附议"));
    assert!(page.has_button("附议"));

    let said = li
        .submit(
            &format!("/topics/{id}/comments"),
            &[("body", "同意加装电梯，老人太难了"), ("stance", "for")],
        )
        .await;
    assert_eq!(said.status, StatusCode::SEE_OTHER);
    let page = li.follow(&said).await;
    assert!(page.shows("评论已发表"));
    assert!(page.shows("同意加装电梯，老人太难了"));
    assert!(page.shows("赞成"));

    let empty = li
        .submit(&format!("/topics/{id}/comments"), &[("body", "")])
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.field_error("comment_body").is_some());
    assert_eq!(w.app.count("comments"), 1);
    w.app.done().await
}

#[actix_rt::test]
async fn staff_see_accept_residents_do_not_and_accepting_shows_the_number() -> TestResult {
    let w = World::new().await;
    let id = w.raise_by_api("3号楼电梯经常故障").await;
    let mut li = w.app.browser_as(world::LI).await;
    let page = li.get(&format!("/topics/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    for staff_button in ["受理", "驳回", "合并"] {
        assert!(!page.has_button(staff_button), "{staff_button}");
    }
    assert!(!page.has_button("撤回"), "only the author withdraws");

    let mut staff = w.app.browser_as(world::STAFF).await;
    let page = staff.get(&format!("/topics/{id}")).await;
    for button in ["受理", "驳回", "合并"] {
        assert!(page.has_button(button), "{button}");
    }
    assert!(page.has_field("理由"));
    assert!(page.has_field("合并到"));
    assert!(!page.has_button("形成决定"), "not offered in say");

    // 驳回 without a reason: the message next to 理由, nothing changes.
    let refused = walk::act(&mut staff, id, "reject", &[]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.field_error("reject_reason").is_some(),
        "{}",
        refused.text()
    );
    assert_eq!(current_step(&refused).as_deref(), Some("说"));

    let accepted = walk::act(&mut staff, id, "accept", &[]).await;
    assert_eq!(
        accepted.status,
        StatusCode::SEE_OTHER,
        "{}",
        accepted.text()
    );
    let page = staff.follow(&accepted).await;
    assert!(page.shows(&w.catalog_no(1)), "{}", page.text());
    assert!(page.shows("受理"), "the flash names the action");
    assert_eq!(current_step(&page).as_deref(), Some("议"));

    let catalog = w
        .app
        .browser()
        .get(&format!("/places/{}", w.city.community))
        .await;
    assert!(catalog.shows(&w.catalog_no(1)));
    w.app.done().await
}

#[actix_rt::test]
async fn the_english_switch_shows_the_steps_in_english() -> TestResult {
    let w = World::new().await;
    let id = w.raise_by_api("3号楼电梯经常故障").await;
    w.accept_by_api(id).await;
    let mut b = w.app.browser();
    let here = format!("/topics/{id}");
    let switched = b
        .submit("/prefs/lang", &[("lang", "en"), ("next", here.as_str())])
        .await;
    assert_eq!(switched.status, StatusCode::SEE_OTHER);
    let page = b.follow(&switched).await;
    assert_eq!(page.lang().as_deref(), Some("en"));
    assert_eq!(current_step(&page).as_deref(), Some("Discuss"));
    for words in [
        "Say",
        "Under discussion",
        "Plan",
        "Evaluate",
        "current step",
        "Timeline",
    ] {
        assert!(page.shows(words), "{words}: {}", page.text());
    }
    let catalog = b.get(&format!("/places/{}", w.city.community)).await;
    assert!(catalog.shows("Topic catalog"));
    assert!(catalog.shows("Raise a topic"));
    w.app.done().await
}

#[actix_rt::test]
async fn a_form_without_the_csrf_token_is_refused_and_changes_nothing() -> TestResult {
    let w = World::new().await;
    let id = w.raise_by_api("3号楼电梯经常故障").await;
    w.accept_by_api(id).await;
    let mut li = w.app.browser_as(world::LI).await;
    let origin = w.app.base.clone();
    let forged = li
        .request(
            common::Method::POST,
            &format!("/topics/{id}/support"),
            &[("Origin", origin.as_str())],
            Some(("application/x-www-form-urlencoded".into(), Vec::new())),
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let wrong = li
        .request(
            common::Method::POST,
            &format!("/topics/{id}/comments"),
            &[("Origin", origin.as_str())],
            Some((
                "application/x-www-form-urlencoded".into(),
                b"csrf=0123456789abcdef0123456789abcdef&body=x".to_vec(),
            )),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    let mut staff = w.app.browser_as(world::STAFF).await;
    let no_token = staff
        .request(
            common::Method::POST,
            &format!("/topics/{id}/transitions"),
            &[("Origin", origin.as_str())],
            Some((
                "application/x-www-form-urlencoded".into(),
                b"action=escalate&expected_version=2".to_vec(),
            )),
        )
        .await;
    assert_eq!(no_token.status, StatusCode::FORBIDDEN);
    assert_eq!(w.app.count("supports"), 0);
    assert_eq!(w.app.count("comments"), 0);
    let page = li.get(&format!("/topics/{id}")).await;
    assert!(page.shows("0 人附议"));
    assert!(!page.shows("已提请协商"));
    w.app.done().await
}

#[actix_rt::test]
async fn the_catalog_pages_on_with_a_next_link() -> TestResult {
    let w = World::new().await;
    for n in 1..=21 {
        let id = w.raise_by_api(&format!("议题第{n:02}号")).await;
        w.accept_by_api(id).await;
    }
    let mut b = w.app.browser();
    let first = b.get(&format!("/places/{}", w.city.community)).await;
    assert_eq!(first.html.matches("<a class=\"title\"").count(), 20);
    let re =
        regex::Regex::new(r#"<a class="button secondary" href="([^"]+)" rel="next">下一页</a>"#)?;
    let next = re
        .captures(&first.html)
        .map(|c| c[1].replace("&amp;", "&"))
        .expect("a next-page link");
    assert!(next.starts_with(&format!("/places/{}?cursor=", w.city.community)));
    let second = b.get(&next).await;
    assert_eq!(second.status, StatusCode::OK);
    assert_eq!(second.html.matches("<a class=\"title\"").count(), 1);
    let on_both = (1..=21)
        .map(|n| format!("议题第{n:02}号"))
        .filter(|t| first.shows(t) && second.shows(t))
        .count();
    assert_eq!(on_both, 0, "no entry on both pages");
    assert!(!second.shows("下一页"));
    w.app.done().await
}

#[actix_rt::test]
async fn staff_merge_a_topic_into_another_through_the_merge_form() -> TestResult {
    let w = World::new().await;
    let target = w.raise_by_api("东门路灯不亮").await;
    let dup = w.raise_by_api("东门路灯坏了").await;
    let mut staff = w.app.browser_as(world::STAFF).await;
    let page = staff.get(&format!("/topics/{dup}")).await;
    assert!(page.has_field("合并到"));
    assert!(page.html.contains(&format!("<option value=\"{target}\">")));
    assert!(
        !page.html.contains(&format!("<option value=\"{dup}\">")),
        "not into itself"
    );
    let refused = walk::act(&mut staff, dup, "merge", &[]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.field_error("target_topic_id").is_some());
    let t = target.to_string();
    let merged = walk::act(&mut staff, dup, "merge", &[("target_topic_id", t.as_str())]).await;
    assert_eq!(merged.status, StatusCode::SEE_OTHER, "{}", merged.text());
    let page = staff.follow(&merged).await;
    assert!(page.shows("已结项 · 已合并"), "{}", page.text());
    assert_eq!(current_step(&page), None);
    w.app.done().await
}
