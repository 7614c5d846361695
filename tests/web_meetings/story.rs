//! The micro-consultation told through the pages: from the 请你来协商 queue to the minutes
//! the resident confirms.

use super::world::*;

#[actix_rt::test]
async fn a_cppcc_member_schedules_a_micro_consultation_from_the_queue() -> TestResult {
    let (app, c) = cast().await;
    let tid = escalated_topic(&app, &c, "小区垃圾房异味严重").await;
    let mut cppcc = app.browser_as(c.cppcc).await;

    // 请你来协商: the escalated topic, with a button to arrange a consultation.
    let queue = cppcc.get("/cppcc").await;
    assert_eq!(queue.status, StatusCode::OK);
    assert!(queue.shows("请你来协商") && queue.shows("小区垃圾房异味严重"));
    assert!(queue.has_button("安排协商"));
    assert!(
        queue
            .html
            .contains(&format!("name=\"topic_id\" value=\"{tid}\""))
    );

    // 安排协商 opens the create form with the topic ticked and a micro-consultation chosen.
    let form = cppcc
        .get(&format!("/consultations/new?topic_id={tid}"))
        .await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.text());
    for label in ["标题", "类型", "形式", "地点", "开始时间", "结束时间"] {
        assert!(form.has_field(label), "field {label}");
    }
    assert!(form.shows("议题") && form.has_button("创建"));
    assert!(
        form.html
            .contains(&format!("name=\"from_topic_id\" value=\"{tid}\" checked"))
    );
    assert!(form.html.contains("value=\"micro_consultation\" selected"));

    let mut fields = meeting_fields(c.community, "垃圾房改造微协商");
    fields.push(("from_topic_id", tid.to_string()));
    let created = submit(&mut cppcc, "/consultations", &fields).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.text());
    let id = meeting_id(&created);
    let page = cppcc.follow(&created).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.shows("协商会已创建"), "flash");
    assert!(page.shows("垃圾房改造微协商") && page.shows("微协商") && page.shows("草稿"));
    // The agenda item is the topic, linked to its page.
    assert!(page.shows("议程") && page.shows("小区垃圾房异味严重"));
    assert!(page.html.contains(&format!("href=\"/topics/{tid}\"")));
    // Shown in the installation's zone, as typed.
    let start = local_input(10, 0).replace('T', " ");
    assert!(page.shows(&format!("{start}–11:30")), "{}", page.text());

    // On the list, with kind, time and place; and gone from the queue.
    let list = cppcc.get("/consultations").await;
    assert!(list.shows("垃圾房改造微协商") && list.shows("幸福社区议事厅"));
    assert!(list.html.contains(&format!("href=\"/consultations/{id}\"")));
    assert!(!cppcc.get("/cppcc").await.shows("小区垃圾房异味严重"));
    app.done().await
}

#[actix_rt::test]
async fn invited_resident_answers_and_confirms_the_minutes() -> TestResult {
    let (app, c) = cast().await;
    let mut cppcc = app.browser_as(c.cppcc).await;
    let (id, _) = convened(&app, &c, &mut cppcc).await;
    let at = format!("/consultations/{id}");

    // The convener invites the resident by email.
    let invite = [
        ("email", c.resident.to_string()),
        ("organization_id", String::new()),
        ("category", "resident_rep".to_string()),
    ];
    let invited = submit(&mut cppcc, &format!("{at}/invitations"), &invite).await;
    assert_eq!(invited.status, StatusCode::SEE_OTHER, "{}", invited.text());
    let page = cppcc.follow(&invited).await;
    assert!(page.shows("已邀请") && page.shows(c.resident) && page.shows("居民代表"));

    // 安排 with the version the page showed.
    let version = input_value(&page, "expected_version").unwrap();
    let fields = [
        ("action", "schedule".to_string()),
        ("expected_version", version),
    ];
    let scheduled = submit(&mut cppcc, &format!("{at}/transitions"), &fields).await;
    assert_eq!(
        scheduled.status,
        StatusCode::SEE_OTHER,
        "{}",
        scheduled.text()
    );
    assert!(cppcc.follow(&scheduled).await.shows("会议已安排"));

    // The resident sees the answers and no convener button; accepts.
    let mut resident = app.browser_as(c.resident).await;
    let page = resident.get(&at).await;
    assert_eq!(page.status, StatusCode::OK);
    for b in ["参加", "不参加", "待定"] {
        assert!(page.has_button(b), "button {b}");
    }
    for b in ["邀请", "开始", "结束", "取消", "记录出席"] {
        assert!(!page.has_button(b), "no convener button {b}");
    }
    let answered = resident
        .submit(&format!("{at}/rsvp"), &[("response", "accepted")])
        .await;
    assert_eq!(
        answered.status,
        StatusCode::SEE_OTHER,
        "{}",
        answered.text()
    );
    let page = resident.follow(&answered).await;
    assert!(
        page.shows("已答复") && page.shows("您的答复： 参加"),
        "{}",
        page.text()
    );

    // The .ics link answers a calendar file.
    assert!(page.html.contains(&format!("href=\"{at}/calendar.ics\"")));
    let ics = resident.get(&format!("{at}/calendar.ics")).await;
    assert_eq!(ics.status, StatusCode::OK);
    let ct = ics.headers.get("content-type").unwrap().to_str()?;
    assert!(ct.starts_with("text/calendar"), "{ct}");
    assert!(ics.html.starts_with("BEGIN:VCALENDAR") && ics.html.contains("垃圾房改造微协商"));

    // 开始, attendance, 结束 with the minutes.
    let page = cppcc.get(&at).await;
    let fields = [
        ("action", "start".to_string()),
        (
            "expected_version",
            input_value(&page, "expected_version").unwrap(),
        ),
    ];
    let started = submit(&mut cppcc, &format!("{at}/transitions"), &fields).await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.text());
    let page = cppcc.follow(&started).await;
    assert!(page.shows("会议已开始") && page.has_button("记录出席"));
    let invitation = input_value(&page, "attended").unwrap();
    let marked = cppcc
        .submit(&format!("{at}/attendance"), &[("attended", &invitation)])
        .await;
    assert_eq!(marked.status, StatusCode::SEE_OTHER, "{}", marked.text());
    let page = cppcc.follow(&marked).await;
    assert!(page.shows("已记录出席情况") && page.html.contains("checked"));
    assert!(page.has_field("会议纪要") && page.has_button("结束"));
    let fields = [
        ("action", "conclude".to_string()),
        (
            "expected_version",
            input_value(&page, "expected_version").unwrap(),
        ),
        ("minutes", "同意改造垃圾房，物业两周内出方案。".to_string()),
    ];
    let concluded = submit(&mut cppcc, &format!("{at}/transitions"), &fields).await;
    assert_eq!(
        concluded.status,
        StatusCode::SEE_OTHER,
        "{}",
        concluded.text()
    );
    let page = cppcc.follow(&concluded).await;
    assert!(page.shows("会议已结束") && page.shows("同意改造垃圾房"));
    // The convener may now record the agenda item's outcome.
    assert!(page.has_button("记录结果"));

    // The resident attended: 确认纪要 or 保留意见 (with its reason field); confirms.
    let page = resident.get(&at).await;
    assert!(page.shows("同意改造垃圾房，物业两周内出方案。"));
    assert!(page.has_button("确认纪要") && page.has_button("保留意见"));
    assert!(page.has_field("保留意见的理由"));
    let confirmed = resident.submit(&format!("{at}/minutes/confirm"), &[]).await;
    assert_eq!(
        confirmed.status,
        StatusCode::SEE_OTHER,
        "{}",
        confirmed.text()
    );
    let page = resident.follow(&confirmed).await;
    assert!(
        page.shows("已确认纪要") && page.shows("已确认人数：1"),
        "{}",
        page.text()
    );
    assert!(!page.has_button("确认纪要"), "signed once");
    let m = meeting_json(&app, c.resident, id).await;
    assert_eq!(m["status"], "concluded");

    // The convener records the agenda item's outcome; the form is gone once it is recorded.
    let page = cppcc.get(&at).await;
    let item = input_value(&page, "agenda_item_id").unwrap();
    let fields = [
        ("agenda_item_id", item),
        ("decision", "改造垃圾房，加装除臭设备".to_string()),
        ("consensus", "majority".to_string()),
        ("follow_up_kind", String::new()),
    ];
    let recorded = submit(&mut cppcc, &format!("{at}/outcomes"), &fields).await;
    assert_eq!(
        recorded.status,
        StatusCode::SEE_OTHER,
        "{}",
        recorded.text()
    );
    let page = cppcc.follow(&recorded).await;
    assert!(page.shows("已记录协商结果") && page.shows("改造垃圾房，加装除臭设备"));
    assert!(page.shows("多数同意") && !page.has_button("记录结果"));
    app.done().await
}
