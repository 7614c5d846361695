//! The walk: the document's operations against the table's rows, then every cell over HTTP.

use std::collections::BTreeMap;

use super::callers::KINDS;
use super::fixtures::{Fx, World};
use super::requests::request;
use super::table::{ROWS, expectations, matches};
use super::*;

/// operationId → (method, path template, anonymous?) of the served document; an operation
/// is anonymous when its `security` lists the empty requirement.
async fn operations(app: &TestApp) -> BTreeMap<String, (Method, String, bool)> {
    let doc = app.get("/api/openapi.json", None).await;
    assert_eq!(doc.status.as_u16(), 200);
    let mut ops = BTreeMap::new();
    for (path, item) in doc.body["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            let Ok(m) = method.to_uppercase().parse::<Method>() else {
                continue;
            };
            let id = op["operationId"].as_str().expect("operationId").to_string();
            let anonymous = op["security"].as_array().is_some_and(|s| {
                s.iter()
                    .any(|r| r.as_object().is_some_and(|o| o.is_empty()))
            });
            ops.insert(id, (m, path.clone(), anonymous));
        }
    }
    ops
}

#[actix_rt::test]
async fn every_operation_answers_every_caller_as_the_table_says() -> TestResult {
    let mut w = World::new().await;
    let ops = operations(&w.app).await;
    let rows: BTreeMap<&str, _> = ROWS.iter().map(|r| (r.0, r)).collect();
    let without_row: Vec<&String> = ops
        .keys()
        .filter(|o| !rows.contains_key(o.as_str()))
        .collect();
    let without_op: Vec<&&str> = rows.keys().filter(|r| !ops.contains_key(**r)).collect();
    assert!(
        without_row.is_empty() && without_op.is_empty(),
        "operations without a row: {without_row:?}; rows without an operation: {without_op:?}"
    );

    let mut failures = Vec::new();
    let mut actual_rows = Vec::new();
    for row in ROWS {
        let Some((method, template, anonymous)) = ops.get(row.0) else {
            continue;
        };
        let expect = expectations(row, KINDS.len());
        // The document's security and the table agree: a bearer operation is 401 without a
        // token (an anonymous one may still be 401 for a bad credential in its body).
        assert!(
            *anonymous || expect[0] == "401",
            "{}: the document says it needs a bearer token, the table's anon column says {}",
            row.0,
            expect[0]
        );
        let mut actual = Vec::new();
        for (col, kind) in KINDS.iter().enumerate() {
            let fix = w.fixture(row.1).await;
            let (query, body) = request(&w, row.0, &fix);
            let path = template
                .replace("{id}", &fix.id.to_string())
                .replace("{grant_id}", &fix.grant_id.to_string())
                .replace("{service_code}", "facilities")
                .replace("{token}", &fix.token);
            let token = w.callers.users[col].as_ref().map(|u| u.token.clone());
            let body = super::requests::body_for(row.0, body);
            let r = w
                .app
                .send(
                    method.clone(),
                    &format!("{path}{query}"),
                    token.as_deref(),
                    &[],
                    body,
                )
                .await;
            let status = r.status.as_u16();
            assert!(status < 500, "{} as {kind}: {status} {:?}", row.0, r.body);
            if r.status.is_success() && *method != Method::GET && row.1 != Fx::None {
                w.spoil(row.1);
            }
            actual.push(if r.status.is_success() {
                "ok".to_string()
            } else {
                status.to_string()
            });
            if !matches(expect[col], status) {
                failures.push(format!(
                    "{} as {kind}: expected {}, got {status} {}",
                    row.0,
                    expect[col],
                    r.code()
                ));
            }
        }
        actual_rows.push(format!(
            "(\"{}\", Fx::{:?}, \"{}\"),",
            row.0,
            row.1,
            actual.join(" ")
        ));
    }
    if !failures.is_empty() {
        eprintln!(
            "what the server answered, as rows:\n{}",
            actual_rows.join("\n")
        );
    }
    assert!(
        failures.is_empty(),
        "{} cells differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
    w.app.done().await
}
