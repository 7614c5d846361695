//! Bad input on every write endpoint.

use super::*;

/// One malformed request and the problem it must get.
struct Bad {
    name: String,
    method: Method,
    path: String,
    content_type: &'static str,
    body: Vec<u8>,
    status: StatusCode,
    code: &'static str,
    field: Option<String>,
}

impl Bad {
    /// Sends this request as `token`, asking for `lang`.
    async fn send(&self, app: &TestApp, token: &str, lang: Option<&str>) -> Resp {
        let (method, ct, body) = (self.method.clone(), self.content_type, self.body.clone());
        send(app, method, &self.path, Some(token), ct, body, lang).await
    }
}

/// A write endpoint with a valid body, and which of its fields the bad inputs aim at.
struct WriteTarget {
    name: &'static str,
    method: Method,
    path: String,
    valid: Value,
    /// A field and the value of the wrong JSON type for it.
    wrong_type: (&'static str, Value),
    /// A snake_case enum field, if the body has one.
    enum_field: Option<&'static str>,
    /// A required field, if the body has one.
    required: Option<&'static str>,
    /// A length-limited text field and its limit in characters, if the body has one.
    text: Option<(&'static str, usize)>,
}

/// A [`WriteTarget`] as a table row, in field order.
type TargetRow = (
    &'static str,
    Method,
    String,
    Value,
    (&'static str, Value),
    Option<&'static str>,
    Option<&'static str>,
    Option<(&'static str, usize)>,
);

impl From<TargetRow> for WriteTarget {
    #[rustfmt::skip]
    fn from((name, method, path, valid, wrong_type, enum_field, required, text): TargetRow) -> WriteTarget {
        WriteTarget { name, method, path, valid, wrong_type, enum_field, required, text }
    }
}

/// A [`Bad`] as a table row, in field order.
type BadRow = (
    String,
    Method,
    String,
    &'static str,
    Vec<u8>,
    StatusCode,
    &'static str,
    Option<String>,
);

impl From<BadRow> for Bad {
    #[rustfmt::skip]
    fn from((name, method, path, content_type, body, status, code, field): BadRow) -> Bad {
        Bad { name, method, path, content_type, body, status, code, field }
    }
}

fn with(valid: &Value, field: &str, value: Value) -> Vec<u8> {
    let mut v = valid.clone();
    v[field] = value;
    serde_json::to_vec(&v).unwrap()
}

fn bad_cases(t: &WriteTarget) -> Vec<Bad> {
    let json = "application/json";
    let valid = serde_json::to_vec(&t.valid).unwrap();
    let case = |what: &str, ct, body, status, code, field: Option<&str>| Bad {
        name: format!("{} {}: {what}", t.name, t.method),
        method: t.method.clone(),
        path: t.path.clone(),
        content_type: ct,
        body,
        status,
        code,
        field: field.map(str::to_string),
    };
    #[rustfmt::skip]
    let mut cases = vec![
        case("truncated JSON", json, valid[..valid.len() - 1].to_vec(), StatusCode::BAD_REQUEST, "request.malformed_json", None),
        case("not JSON at all", json, b"name=x&kind=grid".to_vec(), StatusCode::BAD_REQUEST, "request.malformed_json", None),
        case("trailing garbage", json, [valid.as_slice(), b" }"].concat(), StatusCode::BAD_REQUEST, "request.malformed_json", None),
        case("wrong type", json, with(&t.valid, t.wrong_type.0, t.wrong_type.1.clone()), StatusCode::BAD_REQUEST, "request.invalid_field", Some(t.wrong_type.0)),
        case("body over 64 KiB", json, with(&t.valid, "padding", json!("x".repeat(70 * 1024))), StatusCode::PAYLOAD_TOO_LARGE, "request.body_too_large", None),
        case("text/plain", "text/plain; charset=utf-8", valid.clone(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "request.unsupported_media_type", None),
        case("form content type", "application/x-www-form-urlencoded", valid.clone(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "request.unsupported_media_type", None),
    ];
    if let Some(f) = t.enum_field {
        cases.push(case(
            "unknown enum value",
            json,
            with(&t.valid, f, json!("village")),
            StatusCode::BAD_REQUEST,
            "request.invalid_field",
            Some(f),
        ));
    }
    if let Some(f) = t.required {
        let mut v = t.valid.clone();
        v.as_object_mut().unwrap().remove(f);
        cases.push(case(
            "missing field",
            json,
            serde_json::to_vec(&v).unwrap(),
            StatusCode::BAD_REQUEST,
            "request.missing_field",
            Some(f),
        ));
    }
    if let Some((f, max)) = t.text {
        cases.push(case(
            "over-long text",
            json,
            with(&t.valid, f, json!("议".repeat(max + 1))),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation.length",
            Some(f),
        ));
        cases.push(case(
            "empty text",
            json,
            with(&t.valid, f, json!("")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation.length",
            Some(f),
        ));
    }
    cases
}

/// The names a bad PATCH could change, and whether the user is disabled.
async fn snapshot(
    app: &TestApp,
    d: &Demo,
    org: i64,
    user: i64,
    admin: &str,
) -> (String, String, String, Value) {
    let u = app.get(&format!("/api/v1/users/{user}"), Some(admin)).await;
    assert_eq!(u.status, StatusCode::OK, "{:?}", u.body);
    (
        current_name(app, Named::Place, d.xingfu_g1).await,
        current_name(app, Named::Organization, org).await,
        display_name(app, user),
        u.body["disabled"].clone(),
    )
}

#[actix_rt::test]
async fn bad_input_is_refused_and_changes_nothing() -> TestResult {
    let app = TestApp::spawn().await;
    let d = demo(&app).await;
    let admin = app
        .user_token("root@bad.test", None, &[(Role::Admin, None, None)])
        .await;
    let org = org_in_db(
        &app,
        OrganizationKind::SocialOrg,
        "坏输入志愿队",
        &[d.xingfu],
    );
    let user = plain_user(&app, "victim@bad.test", Some(d.xingfu));
    let grant = grant_in_db(&app, user, Role::Resident, Some(d.xingfu), None);

    // (name, method, path, valid body, wrong type, enum field, required field, text field)
    #[rustfmt::skip]
    let rows: Vec<TargetRow> = vec![
        ("POST /api/v1/places", Method::POST, "/api/v1/places".to_string(), json!({"parent_id": d.xingfu, "kind": "grid", "name": "坏输入网格", "code": "bad-1"}), ("name", json!(5)), Some("kind"), Some("code"), Some(("name", 100))),
        ("PATCH /api/v1/places/{id}", Method::PATCH, format!("/api/v1/places/{}", d.xingfu_g1), json!({"name": "坏输入改名", "code": "bad-2"}), ("name", json!(5)), None, None, Some(("name", 100))),
        ("POST /api/v1/organizations", Method::POST, "/api/v1/organizations".to_string(), json!({"kind": "social_org", "name": "坏输入组织", "place_ids": [d.xingfu]}), ("name", json!(5)), Some("kind"), Some("place_ids"), Some(("name", 100))),
        ("PATCH /api/v1/organizations/{id}", Method::PATCH, format!("/api/v1/organizations/{org}"), json!({"name": "坏输入组织改名"}), ("name", json!(5)), None, None, Some(("name", 100))),
        ("PATCH /api/v1/users/{id}", Method::PATCH, format!("/api/v1/users/{user}"), json!({"display_name": "坏输入用户", "disabled": true}), ("disabled", json!("yes")), None, None, Some(("display_name", 64))),
        ("POST /api/v1/users/{id}/roles", Method::POST, format!("/api/v1/users/{user}/roles"), json!({"role": "community_staff", "place_id": d.xingfu}), ("place_id", json!("幸福社区")), Some("role"), Some("role"), None),
    ];
    let targets: Vec<WriteTarget> = rows.into_iter().map(WriteTarget::from).collect();
    let mut cases: Vec<Bad> = targets.iter().flat_map(bad_cases).collect();
    // A few more by hand: the name of a missing field on POST /places, kind as a number.
    let place = &targets[0].valid;
    let mut no_name = place.clone();
    no_name.as_object_mut().unwrap().remove("name");
    // (name, method, path, content type, body, status, code, field)
    #[rustfmt::skip]
    let more: Vec<BadRow> = vec![
        ("POST /api/v1/places: missing name".to_string(), Method::POST, "/api/v1/places".to_string(), "application/json", serde_json::to_vec(&no_name).unwrap(), StatusCode::BAD_REQUEST, "request.missing_field", Some("name".to_string())),
        ("POST /api/v1/places: missing content type".to_string(), Method::POST, "/api/v1/places".to_string(), "", serde_json::to_vec(place).unwrap(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "request.unsupported_media_type", None),
        ("POST /api/v1/organizations: place_ids of strings".to_string(), Method::POST, "/api/v1/organizations".to_string(), "application/json", serde_json::to_vec(&json!({"kind": "social_org", "name": "x", "place_ids": ["a"]})).unwrap(), StatusCode::BAD_REQUEST, "request.invalid_field", Some("place_ids[0]".to_string())),
    ];
    cases.extend(more.into_iter().map(Bad::from));
    // Non-numeric path ids: 400, not 404 and not 500.
    let place_body = serde_json::to_vec(&json!({"name": "x"})).unwrap();
    #[rustfmt::skip]
    let table = [
        (Method::GET, "/api/v1/places/abc".to_string()),
        (Method::PATCH, "/api/v1/places/abc".to_string()),
        (Method::GET, "/api/v1/organizations/abc".to_string()),
        (Method::PATCH, "/api/v1/organizations/abc".to_string()),
        (Method::GET, "/api/v1/users/abc".to_string()),
        (Method::PATCH, "/api/v1/users/abc".to_string()),
        (Method::POST, "/api/v1/users/abc/roles".to_string()),
        (Method::DELETE, format!("/api/v1/users/{user}/roles/abc")),
        (Method::DELETE, format!("/api/v1/users/abc/roles/{grant}")),
        (Method::GET, "/api/v1/places/99999999999999999999".to_string()),
    ];
    for (method, path) in table {
        cases.push(Bad {
            name: format!("{method} {path}"),
            method,
            path,
            content_type: "application/json",
            body: place_body.clone(),
            status: StatusCode::BAD_REQUEST,
            code: "request.invalid_path",
            field: None,
        });
    }
    // Unknown routes.
    #[rustfmt::skip]
    // Unknown paths are 404; a known path with another method is 405.
    let table = [
        (Method::GET, "/api/v1/nowhere", StatusCode::NOT_FOUND, "route.not_found"),
        (Method::POST, "/api/v1/place", StatusCode::NOT_FOUND, "route.not_found"),
        (Method::GET, "/api/v2/places", StatusCode::NOT_FOUND, "route.not_found"),
        (
            Method::PATCH,
            "/api/v1/places",
            StatusCode::METHOD_NOT_ALLOWED,
            "request.method_not_allowed",
        ),
    ];
    for (method, path, status, code) in table {
        cases.push(Bad {
            name: format!("{method} {path}"),
            method,
            path: path.into(),
            content_type: "application/json",
            body: place_body.clone(),
            status,
            code,
            field: None,
        });
    }

    let names_before = snapshot(&app, &d, org, user, &admin).await;
    let before = counts(&app);
    for c in &cases {
        let zh = c.send(&app, &admin, None).await;
        assert_problem(&c.name, &zh, c.status, c.code, c.field.as_deref());
        if c.field.is_none() && c.status == StatusCode::PAYLOAD_TOO_LARGE {
            assert!(zh.body["field"].is_null(), "{}: {:?}", c.name, zh.body);
        }
        let en = c.send(&app, &admin, Some("en")).await;
        assert_problem(
            &format!("{} (en)", c.name),
            &en,
            c.status,
            c.code,
            c.field.as_deref(),
        );
        let zh_title = zh.body["title"].as_str().unwrap_or_default();
        let en_title = en.body["title"].as_str().unwrap_or_default();
        assert!(!en_title.is_empty(), "{}: en title", c.name);
        assert_ne!(zh_title, en_title, "{}: titles differ by language", c.name);
        assert!(
            en_title.is_ascii(),
            "{}: English title {en_title:?}",
            c.name
        );
        assert!(
            !zh_title.is_ascii(),
            "{}: the default title is Chinese, got {zh_title:?}",
            c.name
        );
        assert_eq!(
            counts(&app),
            before,
            "{}: the database is unchanged",
            c.name
        );
    }
    assert_eq!(
        snapshot(&app, &d, org, user, &admin).await,
        names_before,
        "nothing was renamed or disabled"
    );
    assert!(cases.len() > 60, "{} cases", cases.len());

    // The same bodies, well-formed, do go through (the cases above failed for their fault).
    for t in &targets {
        let r = send(
            &app,
            t.method.clone(),
            &t.path,
            Some(&admin),
            "application/json; charset=utf-8",
            serde_json::to_vec(&t.valid).unwrap(),
            None,
        )
        .await;
        assert!(
            r.status.is_success(),
            "{} with a valid body: {} {:?}",
            t.name,
            r.status,
            r.body
        );
    }
    app.stop().await;
    Ok(())
}
