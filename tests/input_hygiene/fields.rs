//! Every text field of every body: controls, blanks and bad URLs refused with the field named, nothing written; prose keeps its newlines.

use super::*;

#[actix_rt::test]
async fn every_text_field_refuses_controls_blanks_and_bad_urls() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let table = cases(&w);
    assert!(table.len() >= 45, "{} rows", table.len());
    let mut tried = 0;
    for case in &table {
        let probe = match &case.probe {
            Some(p) => Some(app.get(p, Some(&w.admin)).await.body),
            None => None,
        };
        let before = app.count(case.table);
        for (value, code) in bad_values(case.rule) {
            let r = case.send_with(&app, value).await;
            let what = format!("{} {} {}={value:?}", case.method, case.path, case.field);
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{what}: {:?}",
                r.body
            );
            assert_eq!(r.body["field"], case.field, "{what}: {:?}", r.body);
            assert_eq!(r.code(), code, "{what}: {:?}", r.body);
            assert_eq!(app.count(case.table), before, "{what} wrote a row");
            tried += 1;
        }
        if let (Some(p), Some(was)) = (&case.probe, probe) {
            assert_eq!(app.get(p, Some(&w.admin)).await.body, was, "{}", case.path);
        }
        // Prose keeps its newlines and tabs: the field's rule lets them through.
        if matches!(case.rule, Rule::Prose | Rule::Text) {
            let r = case.send_with(&app, "第一行\n第二行\r\n\t第三行").await;
            assert!(
                r.status != StatusCode::UNPROCESSABLE_ENTITY && !r.status.is_server_error(),
                "{} {} prose: {} {:?}",
                case.method,
                case.path,
                r.status,
                r.body
            );
        }
    }
    assert!(tried > 300, "{tried} tries");
    app.stop().await;
}

#[actix_rt::test]
async fn prose_with_newlines_is_stored_as_written() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let body = "第一段\n\n第二段：\r\n\t- 路灯\n\t- 井盖";
    let t = app
        .post(
            "/api/v1/topics",
            Some(&w.resident),
            json!({"place_id": w.community, "title": "  路灯和井盖  ", "body": body, "category": "facilities"}),
        )
        .await;
    assert_eq!(t.status, StatusCode::CREATED, "{:?}", t.body);
    assert_eq!(t.body["body"], body);
    let c = app
        .post(
            &format!("/api/v1/topics/{}/comments", w.topic["id"]),
            Some(&w.resident),
            json!({"body": "同意。\n补充：晚上十点后最黑。"}),
        )
        .await;
    assert_eq!(c.status, StatusCode::CREATED, "{:?}", c.body);
    assert_eq!(c.body["body"], "同意。\n补充：晚上十点后最黑。");
    app.stop().await;
}
