#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Open311 GeoReport v2 as a client written only from the specification uses it: plain HTTP,
//! form-urlencoded posts with an `api_key`, JSON and XML answers (parsed with a real XML
//! parser), the spec's error list, place resolution from coordinates, boxes and addresses,
//! conditional GETs; and the admin API that issues the keys.

mod common;

use awc::http::Method;
use common::{Body, Resp, TestApp, TestResult, id_of};
use serde_json::{Value, json};
use yishi::auth::Role;

/// The demo city with the five steps quick to walk (no notice period, one rating closes),
/// an installation-wide admin's token, and a key for a client of 南门街道.
struct World {
    app: TestApp,
    city: common::DemoCity,
    admin: String,
    key: String,
}

async fn world() -> World {
    let app = TestApp::builder()
        .demo()
        .settings(&[("workflow.notice_days", "0"), ("workflow.min_ratings", "1")])
        .build()
        .await;
    let city = app.demo_city().await;
    let admin = app
        .user_with_grants(&[(Role::Admin, None, None)])
        .await
        .token;
    let key = client_key(&app, &admin, city.subdistrict, "随手拍App").await;
    World {
        app,
        city,
        admin,
        key,
    }
}

/// Issues a key at `place` as `token`.
async fn client_key(app: &TestApp, token: &str, place: i64, name: &str) -> String {
    let r = app
        .post(
            "/api/v1/open311-clients",
            Some(token),
            json!({"name": name, "place_id": place}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 201, "{:?}", r.body);
    r.body["api_key"].as_str().unwrap().to_string()
}

/// A form's fields.
type Form<'a> = Vec<(&'a str, &'a str)>;

/// POSTs a form as a GeoReport client does.
async fn post_form(app: &TestApp, path: &str, fields: &[(&str, &str)]) -> Resp {
    let body = serde_urlencoded::to_string(fields).unwrap();
    app.send(
        Method::POST,
        path,
        None,
        &[],
        Body::Raw(
            "application/x-www-form-urlencoded".to_string(),
            body.into_bytes(),
        ),
    )
    .await
}

/// A broken-lift report at 幸福社区's point, with the reporter's details.
fn lift_report<'a>(key: &'a str, lat: &'a str, long: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("api_key", key),
        ("service_code", "facilities"),
        ("lat", lat),
        ("long", long),
        ("email", "wang.reporter@example.com"),
        ("first_name", "小明"),
        ("last_name", "王"),
        ("phone", "13800138000"),
        ("device_id", "device-7f3a"),
        ("account_id", "acct-991"),
        ("description", "3号楼电梯坏了三天\n老人上下楼很困难"),
        ("attribute[location_detail]", "3号楼2单元"),
        ("media_url", "https://photos.example.com/lift.jpg"),
    ]
}

/// 幸福社区's demo point, as the form's strings.
const HOME: (&str, &str) = ("29.87", "121.54");

/// Posts the lift report; returns (service_request_id, token).
async fn file_lift(w: &World) -> (String, String) {
    let r = post_form(
        &w.app,
        "/open311/v2/requests.json",
        &lift_report(&w.key, HOME.0, HOME.1),
    )
    .await;
    assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    let item = &r.body[0];
    (
        item["service_request_id"].as_str().unwrap().to_string(),
        item["token"].as_str().unwrap().to_string(),
    )
}

fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The keys of a JSON object, sorted.
fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

/// Parses an XML body with quick-xml into (element path, text) pairs; panics if it is not
/// well-formed.
fn parse_xml(text: &str) -> Vec<(String, String)> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(text);
    let mut path: Vec<String> = Vec::new();
    let mut out: Vec<(String, String)> = Vec::new();
    let mut buf = String::new();
    loop {
        match reader
            .read_event()
            .unwrap_or_else(|e| panic!("not XML ({e}): {text}"))
        {
            Event::Start(e) => {
                path.push(String::from_utf8(e.name().as_ref().to_vec()).unwrap());
                buf.clear();
            }
            Event::Empty(e) => {
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                out.push((format!("{}/{name}", path.join("/")), String::new()));
            }
            Event::Text(t) => buf.push_str(&t.decode().unwrap()),
            Event::GeneralRef(r) => {
                let name = r.decode().unwrap();
                buf.push_str(&quick_xml::escape::unescape(&format!("&{name};")).unwrap());
            }
            Event::End(_) => {
                out.push((path.join("/"), std::mem::take(&mut buf)));
                path.pop();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert!(path.is_empty(), "unclosed elements in {text}");
    out
}

/// The text of the first element at `path`.
fn xml_text<'a>(doc: &'a [(String, String)], path: &str) -> Option<&'a str> {
    doc.iter().find(|(p, _)| p == path).map(|(_, t)| t.as_str())
}

async fn get_xml(app: &TestApp, path: &str) -> (u16, String, Vec<(String, String)>) {
    let (status, ct, text) = app.get_text(path, None).await;
    assert!(ct.starts_with("text/xml"), "{path}: {ct}");
    (status.as_u16(), ct, parse_xml(&text))
}

#[actix_rt::test]
async fn the_specifications_example_requests_return_its_shapes() -> TestResult {
    let w = world().await;
    let app = &w.app;

    let d = app.get("/open311/v2/discovery.json", None).await;
    assert_eq!(d.status.as_u16(), 200);
    assert_eq!(
        keys(&d.body),
        ["changeset", "contact", "endpoints", "key_service"]
    );
    let ep = &d.body["endpoints"][0];
    assert_eq!(ep["specification"], "http://wiki.open311.org/GeoReport_v2");
    assert!(ep["url"].as_str().unwrap().ends_with("/open311/v2"));
    assert_eq!(ep["formats"], json!(["text/xml", "application/json"]));

    // GET services.json
    let s = app
        .get(
            "/open311/v2/services.json?jurisdiction_id=city.example",
            None,
        )
        .await;
    assert_eq!(s.status.as_u16(), 200);
    let services = s.body.as_array().unwrap();
    assert_eq!(services.len(), 8, "one service per category");
    for svc in services {
        assert_eq!(
            keys(svc),
            [
                "description",
                "group",
                "keywords",
                "metadata",
                "service_code",
                "service_name",
                "type"
            ]
        );
        assert_eq!(svc["type"], "realtime");
    }
    let fac = services
        .iter()
        .find(|s| s["service_code"] == "facilities")
        .unwrap();
    assert_eq!(fac["service_name"], "公共设施");
    assert_eq!(fac["metadata"], true);
    let env = services
        .iter()
        .find(|s| s["service_code"] == "environment")
        .unwrap();
    assert_eq!(env["metadata"], false);

    // GET services/{service_code}.json
    let def = app.get("/open311/v2/services/facilities.json", None).await;
    assert_eq!(def.status.as_u16(), 200);
    assert_eq!(def.body["service_code"], "facilities");
    let attr = &def.body["attributes"][0];
    assert_eq!(
        keys(attr),
        [
            "code",
            "datatype",
            "datatype_description",
            "description",
            "order",
            "required",
            "variable"
        ]
    );
    assert_eq!(attr["code"], "location_detail");
    assert_eq!(attr["datatype"], "string");
    assert_eq!(attr["variable"], true);
    let none = app.get("/open311/v2/services/environment.json", None).await;
    assert_eq!(none.body["attributes"], json!([]));

    // POST requests.json
    let r = post_form(
        app,
        "/open311/v2/requests.json",
        &lift_report(&w.key, HOME.0, HOME.1),
    )
    .await;
    assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    assert!(r.content_type.starts_with("application/json"));
    let posted = &r.body.as_array().unwrap()[0];
    assert_eq!(
        keys(posted),
        ["service_notice", "service_request_id", "token"]
    );
    let id = posted["service_request_id"].as_str().unwrap().to_string();
    let token = posted["token"].as_str().unwrap().to_string();

    // GET requests/{id}.json
    let one = app
        .get(&format!("/open311/v2/requests/{id}.json"), None)
        .await;
    assert_eq!(one.status.as_u16(), 200);
    let req = &one.body[0];
    assert_eq!(
        keys(req),
        [
            "address",
            "address_id",
            "agency_responsible",
            "description",
            "expected_datetime",
            "lat",
            "long",
            "media_url",
            "requested_datetime",
            "service_code",
            "service_name",
            "service_notice",
            "service_request_id",
            "status",
            "status_notes",
            "updated_datetime",
            "zipcode"
        ]
    );
    assert_eq!(req["service_request_id"], id.as_str());
    assert_eq!(req["status"], "open");
    assert_eq!(req["service_code"], "facilities");
    assert_eq!(req["service_name"], "公共设施");
    assert_eq!(req["lat"], 29.87);
    assert_eq!(req["long"], 121.54);
    assert_eq!(req["media_url"], "https://photos.example.com/lift.jpg");
    let description = req["description"].as_str().unwrap();
    assert!(
        description.starts_with("3号楼电梯坏了三天"),
        "{description}"
    );
    assert!(
        description.contains("3号楼2单元"),
        "the attribute is kept: {description}"
    );
    chrono::DateTime::parse_from_rfc3339(req["requested_datetime"].as_str().unwrap())?;

    // GET tokens/{token}.json
    let t = app
        .get(&format!("/open311/v2/tokens/{token}.json"), None)
        .await;
    assert_eq!(t.status.as_u16(), 200);
    assert_eq!(t.body, json!([{"service_request_id": id, "token": token}]));

    // GET requests.json with the spec's filters.
    let today = chrono::Utc::now();
    let start = (today - chrono::Duration::days(1)).to_rfc3339();
    let end = (today + chrono::Duration::days(1)).to_rfc3339();
    let q = serde_urlencoded::to_string([
        ("service_code", "facilities"),
        ("status", "open"),
        ("start_date", start.as_str()),
        ("end_date", end.as_str()),
        ("jurisdiction_id", "city.example"),
    ])?;
    let list = app
        .get(&format!("/open311/v2/requests.json?{q}"), None)
        .await;
    assert_eq!(list.status.as_u16(), 200, "{:?}", list.body);
    assert!(
        list.body
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["service_request_id"] == id.as_str())
    );
    for (filter, found) in [
        ("service_code=environment", false),
        ("status=closed", false),
        ("status=open,closed", true),
        (
            "start_date=2020-01-01T00:00:00Z&end_date=2020-02-01T00:00:00Z",
            false,
        ),
        ("", true),
    ] {
        let l = app
            .get(&format!("/open311/v2/requests.json?{filter}"), None)
            .await;
        assert_eq!(l.status.as_u16(), 200, "{filter}: {:?}", l.body);
        let has = l
            .body
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["service_request_id"] == id.as_str());
        assert_eq!(has, found, "{filter}");
    }
    // service_request_id wins over the other filters.
    let by_id = app
        .get(
            &format!("/open311/v2/requests.json?service_request_id={id},999999&status=closed"),
            None,
        )
        .await;
    assert_eq!(by_id.body.as_array().unwrap().len(), 1);
    // More than 90 days apart: narrowed to the 90 days before the end (the spec's limit).
    let wide = format!(
        "start_date=2020-01-01T00:00:00Z&end_date={}",
        urlencode(&end)
    );
    let l = app
        .get(&format!("/open311/v2/requests.json?{wide}"), None)
        .await;
    assert_eq!(l.status.as_u16(), 200);
    assert!(
        l.body
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["service_request_id"] == id.as_str())
    );
    let old_end = urlencode(&(today - chrono::Duration::days(91)).to_rfc3339());
    let l = app
        .get(
            &format!(
                "/open311/v2/requests.json?start_date=2020-01-01T00:00:00Z&end_date={old_end}"
            ),
            None,
        )
        .await;
    assert_eq!(l.body, json!([]));
    // A window ending before it starts matches nothing.
    let l = app
        .get(
            &format!(
                "/open311/v2/requests.json?start_date={}&end_date={}",
                urlencode(&end),
                urlencode(&start)
            ),
            None,
        )
        .await;
    assert_eq!((l.status.as_u16(), l.body.clone()), (200, json!([])));
    w.app.done().await
}

#[actix_rt::test]
async fn a_spec_client_follows_its_request_as_staff_move_the_topic() -> TestResult {
    let w = world().await;
    let app = &w.app;
    let c = w.city.community;
    let staff = app
        .user_with(Role::SubdistrictStaff, w.city.subdistrict)
        .await;
    let resident = app.user_with(Role::Resident, c).await;
    let (id, _) = file_lift(&w).await;
    let path = format!("/open311/v2/requests/{id}.json");
    let read = |path: String| async move {
        let r = app.get(&path, None).await;
        assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
        (
            r.body[0].clone(),
            r.headers.get("etag").unwrap().to_str().unwrap().to_string(),
        )
    };
    let (before, etag) = read(path.clone()).await;
    assert_eq!(before["status"], "open");
    assert_eq!(before["status_notes"], Value::Null);

    // Conditional GET: unchanged is 304 with no body.
    let again = app
        .get_with(&path, &[("If-None-Match", etag.as_str())])
        .await;
    assert_eq!(again.status.as_u16(), 304);
    assert!(
        app.get_with(&path, &[])
            .await
            .headers
            .get("cache-control")
            .is_some()
    );

    // The topic is an ordinary topic of 幸福社区 with source open311.
    let topic_id: i64 = id.parse()?;
    let topic = app
        .get(&format!("/api/v1/topics/{topic_id}"), Some(&staff.token))
        .await;
    assert_eq!(topic.body["source"], "open311");
    assert_eq!(topic.body["place_id"], c);

    // A neighbour seconds it (附议), so may rate it later.
    let support = app
        .post(
            &format!("/api/v1/topics/{topic_id}/supports"),
            Some(&resident.token),
            json!({}),
        )
        .await;
    assert!(support.status.is_success(), "{:?}", support.body);
    let (supported, _) = read(path.clone()).await;
    tokio_sleep().await;
    app.topic_action(
        &staff.token,
        topic_id,
        "accept",
        json!({"note": "已受理，转物业维修"}),
    )
    .await;
    let (accepted, etag2) = read(path.clone()).await;
    assert_eq!(accepted["status"], "open");
    assert_eq!(accepted["status_notes"], "已受理，转物业维修");
    assert_ne!(accepted["updated_datetime"], supported["updated_datetime"]);
    assert_ne!(etag2, etag, "a staff transition changes the ETag");
    let stale = app
        .get_with(&path, &[("If-None-Match", etag.as_str())])
        .await;
    assert_eq!(stale.status.as_u16(), 200);

    app.topic_action(
        &staff.token,
        topic_id,
        "decide",
        json!({"decision": "由物业更换电梯控制柜"}),
    )
    .await;
    let due = chrono::Utc::now() + chrono::Duration::days(10);
    let task = app
        .post(
            &format!("/api/v1/topics/{topic_id}/tasks"),
            Some(&staff.token),
            json!({"title": "更换电梯控制柜", "organization_id": w.city.firm, "due_at": due}),
        )
        .await;
    assert_eq!(task.status.as_u16(), 201, "{:?}", task.body);
    let (planned, _) = read(path.clone()).await;
    let firm = app
        .get(&format!("/api/v1/organizations/{}", w.city.firm), None)
        .await;
    assert_eq!(planned["agency_responsible"], firm.body["name"]);
    let expected =
        chrono::DateTime::parse_from_rfc3339(planned["expected_datetime"].as_str().unwrap())?;
    assert!(
        (expected.timestamp() - due.timestamp()).abs() <= 1,
        "{expected} vs {due}"
    );

    app.topic_action(&staff.token, topic_id, "publish_plan", json!({}))
        .await;
    app.topic_action(&staff.token, topic_id, "approve_plan", json!({}))
        .await;
    let t = app
        .patch(
            &format!("/api/v1/tasks/{}", id_of(&task.body)),
            Some(&staff.token),
            json!({"status": "done", "expected_version": task.body["version"]}),
        )
        .await;
    assert_eq!(t.status.as_u16(), 200, "{:?}", t.body);
    app.topic_action(&staff.token, topic_id, "complete", json!({}))
        .await;
    let (done, _) = read(path.clone()).await;
    assert_eq!(done["status"], "open", "evaluate is still open");
    assert_eq!(done["expected_datetime"], Value::Null, "no open task left");
    let rated = app
        .post(
            &format!("/api/v1/topics/{topic_id}/evaluations"),
            Some(&resident.token),
            json!({"score": 5, "comment": "修好了"}),
        )
        .await;
    assert_eq!(rated.status.as_u16(), 200, "{:?}", rated.body);
    app.topic_action(
        &staff.token,
        topic_id,
        "close",
        json!({"note": "电梯已恢复运行，结项"}),
    )
    .await;
    let (closed, _) = read(path.clone()).await;
    assert_eq!(closed["status"], "closed");
    assert_eq!(closed["status_notes"], "电梯已恢复运行，结项");
    let list = app
        .get("/open311/v2/requests.json?status=closed", None)
        .await;
    assert!(
        list.body
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["service_request_id"] == id.as_str())
    );
    w.app.done().await
}

/// Timestamps are kept to the microsecond; a short pause makes "changed" observable.
async fn tokio_sleep() {
    actix_rt::time::sleep(std::time::Duration::from_millis(5)).await;
}

#[actix_rt::test]
async fn xml_answers_parse_with_the_specs_root_elements() -> TestResult {
    let w = world().await;
    let app = &w.app;
    let (id, token) = file_lift(&w).await;

    let (s, _, doc) = get_xml(app, "/open311/v2/discovery.xml").await;
    assert_eq!(s, 200);
    assert!(
        xml_text(&doc, "discovery/endpoints/endpoint/url")
            .unwrap()
            .ends_with("/open311/v2")
    );
    assert!(
        doc.iter()
            .any(|(p, t)| p == "discovery/endpoints/endpoint/formats/format" && t == "text/xml")
    );

    let (_, _, doc) = get_xml(app, "/open311/v2/services.xml").await;
    let codes: Vec<&str> = doc
        .iter()
        .filter(|(p, _)| p == "services/service/service_code")
        .map(|(_, t)| t.as_str())
        .collect();
    assert_eq!(codes.len(), 8);
    assert!(codes.contains(&"facilities"));

    let (_, _, doc) = get_xml(app, "/open311/v2/services/facilities.xml").await;
    assert_eq!(
        xml_text(&doc, "service_definition/service_code"),
        Some("facilities")
    );
    assert_eq!(
        xml_text(&doc, "service_definition/attributes/attribute/code"),
        Some("location_detail")
    );

    let (_, _, doc) = get_xml(app, &format!("/open311/v2/requests/{id}.xml")).await;
    assert_eq!(
        xml_text(&doc, "service_requests/request/service_request_id"),
        Some(id.as_str())
    );
    assert_eq!(
        xml_text(&doc, "service_requests/request/status"),
        Some("open")
    );
    assert!(
        xml_text(&doc, "service_requests/request/description")
            .unwrap()
            .contains('\n')
    );

    let (_, _, doc) = get_xml(app, "/open311/v2/requests.xml?status=open").await;
    assert!(
        doc.iter()
            .any(|(p, t)| p == "service_requests/request/service_request_id" && *t == id)
    );

    let (_, _, doc) = get_xml(app, &format!("/open311/v2/tokens/{token}.xml")).await;
    assert_eq!(
        xml_text(&doc, "service_requests/request/token"),
        Some(token.as_str())
    );

    // A POST in XML, with text that needs escaping.
    let mut form = lift_report(&w.key, HOME.0, HOME.1);
    form.retain(|(k, _)| *k != "description");
    form.push(("description", "门禁 <失灵> & \"无法\" 进出"));
    let r = post_form(app, "/open311/v2/requests.xml", &form).await;
    assert_eq!(r.status.as_u16(), 200);
    let text = r.body.as_str().unwrap();
    let doc = parse_xml(text);
    let new_id = xml_text(&doc, "service_requests/request/service_request_id")
        .unwrap()
        .to_string();
    let (_, _, doc) = get_xml(app, &format!("/open311/v2/requests/{new_id}.xml")).await;
    assert!(
        xml_text(&doc, "service_requests/request/description")
            .unwrap()
            .starts_with("门禁 <失灵> & \"无法\" 进出")
    );

    // Errors in XML: <errors><error><code/><description/></error></errors>.
    let (s, _, doc) = get_xml(app, "/open311/v2/requests/999999.xml").await;
    assert_eq!(s, 404);
    assert_eq!(xml_text(&doc, "errors/error/code"), Some("404"));
    assert!(xml_text(&doc, "errors/error/description").is_some());
    w.app.done().await
}

#[actix_rt::test]
async fn refusals_are_the_specs_error_list_with_the_right_status() -> TestResult {
    let w = world().await;
    let app = &w.app;
    let (lat, long) = HOME;
    let base = |key: &'static str| -> Vec<(&'static str, &'static str)> {
        vec![
            ("api_key", key),
            ("service_code", "facilities"),
            ("lat", "29.87"),
            ("long", "121.54"),
        ]
    };
    let key: &'static str = Box::leak(w.key.clone().into_boxed_str());
    let cases: Vec<(&str, Form, u16)> = vec![
        ("bad api_key", base("not-a-key"), 403),
        ("no api_key", base(key)[1..].to_vec(), 403),
        (
            "unknown service_code",
            vec![
                ("api_key", key),
                ("service_code", "potholes"),
                ("lat", lat),
                ("long", long),
            ],
            404,
        ),
        (
            "no service_code",
            vec![("api_key", key), ("lat", lat), ("long", long)],
            400,
        ),
        (
            "no location",
            vec![("api_key", key), ("service_code", "facilities")],
            400,
        ),
        (
            "half a location",
            vec![
                ("api_key", key),
                ("service_code", "facilities"),
                ("lat", lat),
            ],
            400,
        ),
        (
            "lat not a number",
            vec![
                ("api_key", key),
                ("service_code", "facilities"),
                ("lat", "north"),
                ("long", long),
            ],
            400,
        ),
    ];
    for (what, form, status) in cases {
        for ext in ["json", "xml"] {
            let r = post_form(app, &format!("/open311/v2/requests.{ext}"), &form).await;
            assert_eq!(r.status.as_u16(), status, "{what} ({ext}): {:?}", r.body);
            if ext == "json" {
                assert_eq!(r.body.as_array().unwrap().len(), 1, "{what}");
                assert_eq!(keys(&r.body[0]), ["code", "description"], "{what}");
                assert_eq!(r.body[0]["code"], status, "{what}");
            } else {
                let doc = parse_xml(r.body.as_str().unwrap());
                assert_eq!(
                    xml_text(&doc, "errors/error/code"),
                    Some(status.to_string().as_str())
                );
            }
        }
    }
    for (path, status) in [
        ("/open311/v2/services/potholes.json", 404),
        ("/open311/v2/requests/999999.json", 404),
        ("/open311/v2/requests/abc.json", 404),
        ("/open311/v2/tokens/no-such-token.json", 404),
        ("/open311/v2/requests.json?status=pending", 400),
        ("/open311/v2/requests.json?start_date=yesterday", 400),
        ("/open311/v2/requests.json?start_date=", 400),
        ("/open311/v2/requests.json?status=", 400),
        ("/open311/v2/requests.json?status=open,", 400),
        ("/open311/v2/requests.json?service_code=potholes", 404),
        ("/open311/v2/nothing-here.json", 404),
        ("/open311/v2/services.json?jurisdiction_id=a%01b", 400),
        (
            "/open311/v2/services/facilities.json?jurisdiction_id=a%01b",
            400,
        ),
        ("/open311/v2/requests/1.json?jurisdiction_id=a%01b", 400),
    ] {
        let r = app.get(path, None).await;
        assert_eq!(r.status.as_u16(), status, "{path}: {:?}", r.body);
        assert_eq!(r.body[0]["code"], status, "{path}");
        assert!(
            r.body[0]["description"]
                .as_str()
                .is_some_and(|d| !d.is_empty())
        );
    }
    // Another method on a GeoReport path: 405 with Allow, as on every path of the API.
    for path in ["/open311/v2/services.json", "/open311/v2/requests/1.xml"] {
        let r = app.send(Method::PUT, path, None, &[], Body::Empty).await;
        assert_eq!(r.status.as_u16(), 405, "{path}");
        assert_eq!(r.headers.get("allow").unwrap(), "GET", "{path}");
    }
    // Nothing was created by the refused posts.
    assert_eq!(app.count("open311_requests"), 0);
    w.app.done().await
}

#[actix_rt::test]
async fn a_reporters_personal_details_never_come_back() -> TestResult {
    let w = world().await;
    let app = &w.app;
    let staff = app.user_with(Role::CommunityStaff, w.city.community).await;
    let (id, token) = file_lift(&w).await;
    app.topic_action(&staff.token, id.parse()?, "accept", json!({}))
        .await;
    let private = [
        "wang.reporter@example.com",
        "小明",
        "王",
        "13800138000",
        "device-7f3a",
        "acct-991",
    ];
    let mut bodies = Vec::new();
    for path in [
        format!("/open311/v2/requests/{id}.json"),
        format!("/open311/v2/requests/{id}.xml"),
        "/open311/v2/requests.json".to_string(),
        "/open311/v2/requests.xml".to_string(),
        format!("/open311/v2/tokens/{token}.json"),
        format!("/open311/v2/tokens/{token}.xml"),
        format!("/api/v1/public/topics/{id}"),
    ] {
        let (status, _, text) = app.get_text(&path, None).await;
        assert_eq!(status.as_u16(), 200, "{path}");
        bodies.push((path, text));
    }
    // Staff see the topic by its author, the client's service account, not the reporter.
    let (status, _, text) = app
        .get_text(&format!("/api/v1/topics/{id}"), Some(&staff.token))
        .await;
    assert_eq!(status.as_u16(), 200);
    bodies.push(("staff topic".to_string(), text));
    for (path, text) in &bodies {
        for p in private {
            assert!(!text.contains(p), "{p} in {path}: {text}");
        }
    }
    // The details are kept, privately.
    let kept = app.with_db(|conn| {
        use diesel::prelude::*;
        use yishi::db::schema::open311_requests as r;
        r::table
            .select((r::email, r::first_name, r::phone))
            .first::<(Option<String>, Option<String>, Option<String>)>(conn)
            .unwrap()
    });
    assert_eq!(kept.0.as_deref(), Some("wang.reporter@example.com"));
    assert_eq!(kept.1.as_deref(), Some("小明"));
    assert_eq!(kept.2.as_deref(), Some("13800138000"));
    w.app.done().await
}

/// The place of a posted request's topic, or the refusal's status.
async fn landed(w: &World, key: &str, location: &[(&str, &str)]) -> Result<i64, u16> {
    let mut form = vec![
        ("api_key", key),
        ("service_code", "environment"),
        ("description", "垃圾桶满了"),
    ];
    form.extend_from_slice(location);
    let r = post_form(&w.app, "/open311/v2/requests.json", &form).await;
    if r.status.as_u16() != 200 {
        assert_eq!(r.body[0]["code"], r.status.as_u16());
        return Err(r.status.as_u16());
    }
    let id = r.body[0]["service_request_id"].as_str().unwrap();
    let t = w
        .app
        .get(&format!("/api/v1/topics/{id}"), Some(&w.admin))
        .await;
    Ok(t.body["place_id"].as_i64().unwrap())
}

#[actix_rt::test]
async fn requests_land_by_point_box_or_address_within_the_clients_place() -> TestResult {
    let w = world().await;
    let (c, sibling) = (w.city.community, w.city.sibling);
    // Points: 幸福社区 at (29.87, 121.54), 和义社区 1.2 km east at (29.87, 121.552).
    assert_eq!(
        landed(&w, &w.key, &[("lat", "29.871"), ("long", "121.541")]).await,
        Ok(c)
    );
    assert_eq!(
        landed(&w, &w.key, &[("lat", "29.869"), ("long", "121.551")]).await,
        Ok(sibling)
    );
    // A box around 幸福社区's own point given to 和义社区: containing beats nearest.
    let r = w
        .app
        .patch(
            &format!("/api/v1/places/{sibling}"),
            Some(&w.admin),
            json!({"bbox": {"min_lat": 29.86, "min_lng": 121.535, "max_lat": 29.875, "max_lng": 121.545}}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    assert_eq!(r.body["bbox"]["min_lat"], 29.86);
    // Half a point, or a box the wrong way round, is refused naming the field.
    let half = w
        .app
        .patch(
            &format!("/api/v1/places/{sibling}"),
            Some(&w.admin),
            json!({"lat": 29.9}),
        )
        .await;
    assert_eq!(half.status.as_u16(), 422);
    assert_eq!(half.body["field"], "lng");
    let inverted = w
        .app
        .patch(
            &format!("/api/v1/places/{sibling}"),
            Some(&w.admin),
            json!({"bbox": {"min_lat": 30.0, "min_lng": 121.0, "max_lat": 29.0, "max_lng": 122.0}}),
        )
        .await;
    assert_eq!(inverted.status.as_u16(), 422);
    assert_eq!(inverted.body["field"], "bbox");
    assert_eq!(
        landed(&w, &w.key, &[("lat", "29.871"), ("long", "121.541")]).await,
        Ok(sibling)
    );
    // An address naming a grid of 幸福社区 lands there, even with coordinates elsewhere.
    let grid = w.city.grid;
    let grid_name = w
        .app
        .get(&format!("/api/v1/places/{grid}"), None)
        .await
        .body["name"]
        .as_str()
        .unwrap()
        .to_string();
    let address = format!("南门街道{grid_name}7号");
    assert_eq!(
        landed(
            &w,
            &w.key,
            &[
                ("address_string", &address),
                ("lat", "29.869"),
                ("long", "121.551")
            ]
        )
        .await,
        Ok(grid)
    );
    assert_eq!(
        landed(&w, &w.key, &[("address_string", "和义社区")]).await,
        Ok(sibling)
    );
    // Outside the client's place (南门街道): a community of 江北区, by name or by point.
    assert_eq!(
        landed(&w, &w.key, &[("address_string", "桃源社区")]).await,
        Err(400)
    );
    assert_eq!(
        landed(&w, &w.key, &[("lat", "29.95"), ("long", "121.54")]).await,
        Err(400)
    );
    assert_eq!(
        landed(&w, &w.key, &[("address_string", "不存在的地方")]).await,
        Err(400)
    );
    // A client of 江北区 reaches its own communities.
    let north = client_key(&w.app, &w.admin, w.city.other_district, "江北随手拍").await;
    assert_eq!(
        landed(&w, &north, &[("lat", "29.95"), ("long", "121.54")]).await,
        Ok(w.city.far)
    );
    w.app.done().await
}

#[actix_rt::test]
async fn admins_issue_list_and_revoke_keys_within_their_places() -> TestResult {
    let w = world().await;
    let app = &w.app;
    let district_admin = app.user_with(Role::Admin, w.city.district).await.token;
    // The key is shown once and stored only as its SHA-256.
    let r = app
        .post(
            "/api/v1/open311-clients",
            Some(&district_admin),
            json!({"name": "海曙随手拍", "place_id": w.city.district}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 201, "{:?}", r.body);
    assert_eq!(
        keys(&r.body),
        ["api_key", "created_at", "id", "name", "place_id"]
    );
    let key = r.body["api_key"].as_str().unwrap().to_string();
    let client = id_of(&r.body);
    let stored: Vec<String> = app.with_db(|conn| {
        use diesel::prelude::*;
        use yishi::db::schema::open311_clients as oc;
        oc::table.select(oc::key_hash).load(conn).unwrap()
    });
    assert!(!stored.contains(&key));
    assert!(stored.contains(&yishi::auth::tokens::hash_token(&key)));
    // Outside the district admin's places: refused.
    let out = app
        .post(
            "/api/v1/open311-clients",
            Some(&district_admin),
            json!({"name": "江北", "place_id": w.city.other_district}),
        )
        .await;
    assert_eq!(out.status.as_u16(), 403);
    let list = app
        .get("/api/v1/open311-clients", Some(&district_admin))
        .await;
    assert_eq!(list.status.as_u16(), 200);
    let items = list.body["items"].as_array().unwrap();
    assert!(items.iter().all(|c| c.get("api_key").is_none()));
    assert!(items.iter().any(|c| id_of(c) == client));
    // A client of 江北区 (the root admin's) is not the district admin's to see or revoke.
    let north_key = client_key(app, &w.admin, w.city.other_district, "江北随手拍").await;
    assert!(!north_key.is_empty());
    let all = app.get("/api/v1/open311-clients", Some(&w.admin)).await;
    let all = all.body["items"].as_array().unwrap().clone();
    assert_eq!(all.len(), 3);
    let north = id_of(
        all.iter()
            .find(|c| c["place_id"] == w.city.other_district)
            .unwrap(),
    );
    let list = app
        .get("/api/v1/open311-clients", Some(&district_admin))
        .await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 2);
    assert_eq!(
        app.delete(
            &format!("/api/v1/open311-clients/{north}"),
            Some(&district_admin)
        )
        .await
        .status
        .as_u16(),
        404
    );
    let resident = app.user_with(Role::Resident, w.city.community).await;
    assert_eq!(
        app.get("/api/v1/open311-clients", Some(&resident.token))
            .await
            .status
            .as_u16(),
        403
    );
    // The key works until it is revoked.
    let form = [
        ("api_key", key.as_str()),
        ("service_code", "safety"),
        ("address_string", "幸福社区"),
    ];
    assert_eq!(
        post_form(app, "/open311/v2/requests.json", &form)
            .await
            .status
            .as_u16(),
        200
    );
    let gone = app
        .delete(
            &format!("/api/v1/open311-clients/{client}"),
            Some(&district_admin),
        )
        .await;
    assert_eq!(gone.status.as_u16(), 204);
    let after = post_form(app, "/open311/v2/requests.json", &form).await;
    assert_eq!(after.status.as_u16(), 403);
    assert_eq!(after.body[0]["code"], 403);
    assert_eq!(
        app.delete(
            &format!("/api/v1/open311-clients/{client}"),
            Some(&district_admin)
        )
        .await
        .status
        .as_u16(),
        404
    );
    w.app.done().await
}
