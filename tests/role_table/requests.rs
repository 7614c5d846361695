//! A minimal valid request for each operation: the query string and the JSON body, so that a
//! refusal in the table is a permission refusal, not a 422.

use super::fixtures::{Fix, World};
use super::*;

/// A multipart form with a small PNG in the field `file`: (content type, body).
pub fn photo_form() -> (String, Vec<u8>) {
    let mut png = std::io::Cursor::new(Vec::new());
    image::DynamicImage::new_rgb8(4, 4)
        .write_to(&mut png, image::ImageFormat::Png)
        .unwrap();
    let boundary = "role-table-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.png\"\r\nContent-Type: image/png\r\n\r\n"
    )
    .into_bytes();
    body.extend(png.into_inner());
    body.extend(format!("\r\n--{boundary}--\r\n").into_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// The body a cell sends: the uploads a multipart photo, everything else its JSON (if any).
pub fn body_for(op: &str, json: Option<Value>) -> crate::common::Body {
    if op == "create_open311_request" {
        // GeoReport posts are forms: the JSON object's members as form fields.
        let fields: Vec<(String, String)> = json
            .as_ref()
            .and_then(Value::as_object)
            .map(|o| {
                o.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                    .collect()
            })
            .unwrap_or_default();
        let form = serde_urlencoded::to_string(fields).unwrap();
        return crate::common::Body::Raw(
            "application/x-www-form-urlencoded".to_string(),
            form.into_bytes(),
        );
    }
    if op.starts_with("upload_") {
        let (ct, body) = photo_form();
        return crate::common::Body::Raw(ct, body);
    }
    json.map_or(crate::common::Body::Empty, crate::common::Body::Json)
}

/// The query string (with its `?`, or empty) and the body for `op` on fixture `f`.
pub fn request(w: &World, op: &str, f: &Fix) -> (String, Option<Value>) {
    let c = &w.city;
    let n = w.next();
    let due = json!(chrono::Utc::now() + chrono::Duration::days(30));
    let none = |b: Value| (String::new(), Some(b));
    match op {
        // auth: anonymous operations; the token a column sends is ignored.
        "create_session" => {
            none(json!({"email": "fx-author@example.com", "password": crate::common::PASSWORD}))
        }
        "end_session" | "refresh_session" => none(json!({"refresh_token": "not-a-refresh-token"})),
        "confirm_password_reset" => {
            none(json!({"token": "not-a-reset-token", "new_password": "a long new password 2026"}))
        }
        "request_password_reset" => none(json!({"email": format!("nobody{n}@example.com")})),
        "register_account" => none(
            json!({"email": format!("new{n}@example.com"), "password": "a long password 2026",
                                          "display_name": format!("新居民{n}"), "home_place_id": c.community}),
        ),
        "verify_email" | "unlock_account" => none(json!({"token": "not-a-token"})),
        "update_me" => none(json!({"show_name_publicly": true})),
        // topics, plans, tasks
        "create_topic" => none(
            json!({"place_id": c.community, "title": format!("垃圾分类 {n}"),
                                      "body": "垃圾桶不够用。", "category": "environment"}),
        ),
        "create_comment" => none(json!({"body": "同意"})),
        "hide_comment" => none(json!({"reason": "广告"})),
        "rate_topic" => none(json!({"score": 4})),
        "create_objection" => none(json!({"body": "方案不合理"})),
        "answer_objection" => none(json!({"decision": "dismissed", "reason": "已说明"})),
        "put_plan" => none(json!({"summary": "物业更换路灯"})),
        "create_task" => {
            none(json!({"title": "更换路灯", "organization_id": c.firm, "due_at": due}))
        }
        "update_task" => none(json!({"status": "in_progress", "expected_version": f.version})),
        "transition_topic" => {
            none(json!({"action": "accept", "expected_version": f.version, "note": "纳入"}))
        }
        "list_tasks" => (format!("?place_id={}", c.community), None),
        "list_topics" => (format!("?place_id={}", c.community), None),
        // consultations
        "create_consultation" => {
            let (starts, ends) = w.slot();
            none(
                json!({"place_id": c.community, "title": "停车院坝协商", "kind": "courtyard", "format": "in_person",
                        "venue": "3号楼院坝", "starts_at": starts, "ends_at": ends}),
            )
        }
        "update_consultation" => {
            none(json!({"title": "路灯微协商（改）", "expected_version": f.version}))
        }
        "add_agenda_item" => none(json!({"title": "其他事项", "minutes": 5})),
        "reorder_agenda" => none(json!({"item_ids": [f.item]})),
        "record_attendance" => none(json!({"attended_invitation_ids": f.invitations})),
        "create_invitations" => none(json!({"organization_id": c.dept, "category": "department"})),
        "record_dissent" => none(json!({"text": "纪要漏了费用"})),
        "record_outcome" => none(
            json!({"agenda_item_id": f.item, "decision": "物业更换路灯", "consensus": "majority"}),
        ),
        "respond_invitation" => none(json!({"response": "accepted"})),
        "transition_consultation" => {
            none(json!({"action": "schedule", "expected_version": f.version}))
        }
        "move_proposal" => none(json!({"to": "accepted"})),
        "list_free_slots" => {
            let from = monday_at(9, 0);
            let to = from + chrono::Duration::days(1);
            let fmt = "%Y-%m-%dT%H:%M:%SZ";
            let q = format!(
                "?users={}&from={}&to={}&minutes=60",
                w.callers.get("resident").id,
                from.format(fmt),
                to.format(fmt)
            );
            (q, None)
        }
        "get_calendar_feed" => (format!("?token={}", f.token), None),
        // The live stream: replay what is new, then end (an open stream would never finish).
        "stream_notifications" => ("?max_seconds=0".to_string(), None),
        // notifications
        "follow_topic" => none(json!({"level": "normal"})),
        "put_notification_settings" => none(json!({"digest_hour": 8})),
        "create_webhook" => none(
            json!({"url": format!("http://127.0.0.1:9/hook{n}"), "event_kinds": ["topic_closed"],
                   "place_id": c.community}),
        ),
        "update_webhook" => none(json!({"event_kinds": ["topic_accepted"]})),
        "create_open311_client" => {
            none(json!({"name": format!("随手拍{n}"), "place_id": c.community}))
        }
        // Open311: the fixture's key, a service and an address of 幸福社区 (a form).
        "create_open311_request" => none(
            json!({"api_key": f.token, "service_code": "environment", "address_string": "幸福社区",
                   "description": format!("垃圾桶满了 {n}")}),
        ),
        // places, organisations, users
        "create_place" => none(
            json!({"kind": "grid", "name": format!("新网格{n}"), "code": format!("rt-grid-{n}"),
                                      "parent_id": c.community}),
        ),
        "update_place" => none(json!({"name": format!("幸福社区{n}")})),
        "create_organization" => none(
            json!({"kind": "social_org", "name": format!("志愿者协会{n}"),
                                             "place_ids": [c.community]}),
        ),
        "update_organization" => none(json!({"name": format!("物业公司{n}")})),
        "update_user" => none(json!({"display_name": format!("居民{n}")})),
        "grant_role" => none(json!({"role": "grid_worker", "place_id": c.grid})),
        _ => (String::new(), None),
    }
}
