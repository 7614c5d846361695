//! The OpenAPI 3.1 document: what the handlers' annotations say, plus the contract-wide parts
//! that are written once here instead of on every operation (bearer security as the default,
//! the shared problem responses, a description on every response).

use utoipa::openapi::OpenApi as OpenApiDoc;
use utoipa::openapi::link::LinkBuilder;
use utoipa::openapi::path::Operation;
use utoipa::openapi::schema::{ArrayItems, Schema};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
use utoipa::{Modify, OpenApi};

use crate::error::Problem;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "议事 Yishi API",
        description = "Community consultation (说议筹办评): accounts, places, organisations and role grants. Errors are RFC 9457 problem+json with a stable `code`; messages in zh-CN (default) or en by Accept-Language. Every operation needs a bearer token unless it says `security: [{}]`.",
        license(name = "MIT OR Apache-2.0")
    ),
    components(schemas(Problem)),
    tags(
        (name = "auth", description = "Accounts and sessions"),
        (name = "places", description = "The place tree 市 > 区 > 街道 > 社区 > 网格 > 楼栋"),
        (name = "organizations", description = "Property firms, departments, owners' committees, social organisations"),
        (name = "users", description = "Admin: users and role grants"),
        (name = "topics", description = "Topics 议题 and the five steps 说议筹办评"),
        (name = "plans", description = "Plans 筹, tasks 办, public notice 公示 with objections, evaluation 评"),
        (name = "consultations", description = "Consultations 协商会: meetings, agendas, invitations, outcomes, minutes, calendars"),
        (name = "attachments", description = "Photos and documents 照片与附件 of topics, tasks and meetings"),
        (name = "notifications", description = "Notifications 通知: inbox, follows 关注, mail preferences, live stream"),
        (name = "webhooks", description = "Admin: signed webhooks for integrators (WeChat or SMS bridges, the 12345 hotline)"),
        (name = "open311", description = "Open311 GeoReport v2 at /open311/v2 (each operation also as .xml; errors as the spec's list `[{code, description}]`) and the admin API of its client keys"),
        (name = "public", description = "Anonymous read-only catalog 议事目录 and topic pages"),
        (name = "ops", description = "Health, readiness, metrics"),
    )
)]
pub struct ApiDoc;

/// The name of the shared error responses in `components.responses`.
const PROBLEM: &str = "Problem";

/// Applies the contract-wide parts to the collected document. It runs on the merged document
/// (`fixup`), because utoipa-actix-web adds the paths after the derive's modifiers ran.
struct Contract;

impl Modify for Contract {
    fn modify(&self, openapi: &mut OpenApiDoc) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
        components.responses.insert(
            PROBLEM.to_string(),
            RefOr::T(
                ResponseBuilder::new()
                    .description(
                        "The request was refused: an RFC 9457 problem document with a stable `code`, \
                         and `field` naming the input at fault where there is one.",
                    )
                    .content(
                        "application/problem+json",
                        ContentBuilder::new()
                            .schema(Some(Ref::from_schema_name("Problem")))
                            .build(),
                    )
                    .build(),
            ),
        );
        openapi.security = Some(vec![SecurityRequirement::new(
            "bearer",
            Vec::<String>::new(),
        )]);
    }
}

/// Completes every operation: the shared problem responses for 4XX and 5XX, and a description
/// on each response that the annotation left without one (OpenAPI requires it).
pub fn fixup(mut doc: OpenApiDoc) -> OpenApiDoc {
    Contract.modify(&mut doc);
    refer_list_items(&mut doc);
    operations_mut(&mut doc).for_each(complete);
    link_creates_to_reads(&mut doc);
    publish_input_rules(&mut doc);
    doc
}

/// Lengths the validators enforce on query strings, by parameter name (`q` is the same in
/// every filter), which the derives do not publish: (name, minLength, maxLength).
const QUERY_LENGTHS: &[(&str, usize, usize)] =
    &[("q", 1, 100), ("users", 1, 500), ("token", 1, 128)];

/// Minimum lengths (strings) and sizes (arrays) the validators enforce on body members, which
/// the derives do not publish: (schema, property, minimum).
#[rustfmt::skip]
const BODY_MINIMA: &[(&str, &str, usize)] = &[
    ("LoginRequest", "email", 1), ("LoginRequest", "password", 1), ("TokenRequest", "token", 1),
    ("RefreshRequest", "refresh_token", 1), ("ResetRequest", "email", 1), ("ResetConfirm", "token", 1),
    ("NewOrganization", "place_ids", 1), ("OrganizationPatch", "place_ids", 1), ("Reorder", "item_ids", 1),
];

/// Publishes what the input guards of src/api/extract.rs and text.rs refuse beyond the
/// derives: every query value is one line (no control character), the lengths above, and a
/// request body's members that the operation does not read (ignored, but their keys and
/// strings still pass the body guard, so they carry no control character but tab, LF, CR).
fn publish_input_rules(doc: &mut OpenApiDoc) {
    use crate::api::text::patterns::{LINE, SECRET};
    use utoipa::openapi::path::ParameterIn;
    use utoipa::openapi::schema::{AnyOfBuilder, ArrayBuilder, ObjectBuilder, SchemaType, Type};

    for op in operations_mut(doc) {
        for p in op.parameters.iter_mut().flatten() {
            let RefOr::T(p) = p else {
                continue;
            };
            if p.parameter_in != ParameterIn::Query {
                continue;
            }
            let Some(RefOr::T(Schema::Object(o))) = p.schema.as_mut() else {
                continue;
            };
            if o.schema_type != SchemaType::Type(Type::String) {
                continue;
            }
            o.pattern.get_or_insert_with(|| LINE.to_string());
            if let Some((_, min, max)) = QUERY_LENGTHS.iter().find(|(n, ..)| *n == p.name) {
                o.min_length.get_or_insert(*min);
                o.max_length.get_or_insert(*max);
            }
        }
    }

    let guarded = || {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(SECRET))
    };
    // Inline and one level deep: client generators cannot follow a recursive schema, so the
    // strings inside a nested array or object of such a member are not described.
    let extra = AnyOfBuilder::new()
        .item(guarded())
        .item(ObjectBuilder::new().schema_type(SchemaType::Array(vec![
            Type::Number,
            Type::Boolean,
            Type::Null,
        ])))
        .item(ArrayBuilder::new())
        .item(ObjectBuilder::new().schema_type(Type::Object))
        .description(Some(
            "A member the operation does not read: ignored, but its key and strings carry no \
             control character but tab, LF and CR (the body guard refuses them anywhere).",
        ))
        .build();
    let bodies = request_body_schemas(doc);
    let Some(components) = doc.components.as_mut() else {
        return;
    };
    for (name, schema) in components.schemas.iter_mut() {
        let RefOr::T(Schema::Object(o)) = schema else {
            continue;
        };
        if bodies.contains(name)
            && o.schema_type == SchemaType::Type(Type::Object)
            && o.additional_properties.is_none()
        {
            o.property_names = Some(Box::new(guarded().build().into()));
            o.additional_properties = Some(Box::new(RefOr::T(Schema::AnyOf(extra.clone())).into()));
        }
        for (_, prop, min) in BODY_MINIMA.iter().filter(|(s, ..)| s == name) {
            match o.properties.get_mut(*prop) {
                Some(RefOr::T(Schema::Object(p))) => p.min_length = Some(*min),
                Some(RefOr::T(Schema::Array(a))) => a.min_items = Some(*min),
                _ => {}
            }
        }
    }
}

/// The names of the component schemas a request body refers to, directly or through others.
fn request_body_schemas(doc: &OpenApiDoc) -> std::collections::BTreeSet<String> {
    fn refs(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(map) => {
                for (k, item) in map {
                    match (k.as_str(), item.as_str()) {
                        ("$ref", Some(r)) => {
                            if let Some(name) = r.strip_prefix("#/components/schemas/") {
                                out.push(name.to_string());
                            }
                        }
                        _ => refs(item, out),
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|i| refs(i, out)),
            _ => {}
        }
    }
    let json = serde_json::to_value(doc).unwrap_or_default();
    let mut todo = Vec::new();
    for item in json["paths"]
        .as_object()
        .into_iter()
        .flat_map(|p| p.values())
    {
        for op in item.as_object().into_iter().flat_map(|o| o.values()) {
            refs(&op["requestBody"], &mut todo);
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    while let Some(name) = todo.pop() {
        if seen.insert(name.clone()) {
            refs(&json["components"]["schemas"][&name], &mut todo);
        }
    }
    seen
}

fn operations_mut(doc: &mut OpenApiDoc) -> impl Iterator<Item = &mut Operation> {
    doc.paths.paths.values_mut().flat_map(|item| {
        [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ]
        .into_iter()
        .flatten()
    })
}

/// The OpenAPI `links` from a create to the operations that take what it made, for stateful
/// clients and testers (schemathesis follows them): (create operation, its status, the
/// operations, and their path parameters as runtime expressions).
/// (create operation, its status, linked operations, their parameters as expressions).
type Link = (
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static [(&'static str, &'static str)],
);

#[rustfmt::skip]
const LINKS: &[Link] = &[
    ("create_topic", "201",
     &["get_topic", "get_timeline", "list_comments", "create_comment", "get_plan", "list_objections",
       "get_evaluations", "list_topic_tasks", "support_topic", "withdraw_support", "transition_topic",
       "get_public_topic"],
     &[("id", "$response.body#/id")]),
    ("create_comment", "201", &["hide_comment"], &[("id", "$response.body#/id")]),
    ("create_objection", "201", &["answer_objection"], &[("id", "$response.body#/id")]),
    ("create_task", "201", &["update_task"], &[("id", "$response.body#/id")]),
    ("create_consultation", "201",
     &["get_consultation", "update_consultation", "list_agenda", "add_agenda_item", "list_invitations",
       "create_invitations", "get_minutes", "list_outcomes", "get_consultation_calendar",
       "transition_consultation"],
     &[("id", "$response.body#/id")]),
    ("create_place", "201", &["get_place", "update_place", "get_catalog"], &[("id", "$response.body#/id")]),
    ("create_organization", "201", &["get_organization", "update_organization"],
     &[("id", "$response.body#/id")]),
    ("upload_topic_attachment", "201", &["get_attachment", "get_attachment_thumbnail"],
     &[("id", "$response.body#/id")]),
    ("grant_role", "201", &["revoke_role"],
     &[("id", "$request.path.id"), ("grant_id", "$response.body#/id")]),
];

fn link_creates_to_reads(doc: &mut OpenApiDoc) {
    for (from, status, targets, params) in LINKS {
        let Some(op) = operation_mut(doc, from) else {
            continue;
        };
        let Some(RefOr::T(response)) = op.responses.responses.get_mut(*status) else {
            continue;
        };
        for target in *targets {
            let mut link = LinkBuilder::new().operation_id(*target);
            for (name, expr) in *params {
                link = link.parameter(*name, *expr);
            }
            response
                .links
                .insert(target.to_string(), RefOr::T(link.build()));
        }
    }
}

fn operation_mut<'a>(doc: &'a mut OpenApiDoc, id: &str) -> Option<&'a mut Operation> {
    operations_mut(doc).find(|op| op.operation_id.as_deref() == Some(id))
}

/// utoipa inlines a generic's argument: `List<TopicOut>` would describe its items as an
/// anonymous object, and generated clients would get one look-alike class per list. Point each
/// `List_X` at the named schema `X` instead.
fn refer_list_items(doc: &mut OpenApiDoc) {
    let Some(components) = doc.components.as_mut() else {
        return;
    };
    let named: Vec<String> = components.schemas.keys().cloned().collect();
    for (name, schema) in components.schemas.iter_mut() {
        let Some(item) = name
            .strip_prefix("List_")
            .filter(|i| named.iter().any(|n| n == i))
        else {
            continue;
        };
        if let RefOr::T(Schema::Object(list)) = schema
            && let Some(RefOr::T(Schema::Array(items))) = list.properties.get_mut("items")
        {
            items.items =
                ArrayItems::RefOrSchema(Box::new(RefOr::Ref(Ref::from_schema_name(item))));
        }
    }
}

fn complete(op: &mut Operation) {
    let shared = RefOr::Ref(Ref::new(format!("#/components/responses/{PROBLEM}")));
    for status in ["4XX", "5XX"] {
        op.responses
            .responses
            .entry(status.to_string())
            .or_insert_with(|| shared.clone());
    }
    for (status, response) in op.responses.responses.iter_mut() {
        if let RefOr::T(r) = response
            && r.description.trim().is_empty()
        {
            r.description = describe(status).to_string();
        }
    }
}

fn describe(status: &str) -> &'static str {
    match status {
        "200" => "OK",
        "201" => "Created",
        "202" => "Accepted",
        "204" => "No content",
        "303" => "See other",
        "503" => "Unavailable",
        _ => "Response",
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    #[test]
    fn operation_ids_are_unique_and_every_response_is_described() {
        let doc = serde_json::to_value(crate::api::openapi()).expect("serialises");
        let mut seen: HashMap<String, String> = HashMap::new();
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for (method, op) in item.as_object().expect("path item") {
                let here = format!("{method} {path}");
                let id = op["operationId"].as_str().expect("operationId").to_string();
                if let Some(other) = seen.insert(id.clone(), here.clone()) {
                    panic!("operationId {id} on both {other} and {here}");
                }
                for (status, resp) in op["responses"].as_object().expect("responses") {
                    let described = resp.get("$ref").is_some()
                        || resp["description"].as_str().is_some_and(|d| !d.is_empty());
                    assert!(described, "{here} {status} has no description");
                }
            }
        }
        assert!(seen.len() > 50, "only {} operations", seen.len());
        for (from, status, targets, _) in super::LINKS {
            assert!(seen.contains_key(*from), "link from unknown {from}");
            let links = seen[*from]
                .split_once(' ')
                .map(|(m, p)| &doc["paths"][p][m]["responses"][*status]["links"])
                .unwrap();
            for t in *targets {
                assert!(seen.contains_key(*t), "link to unknown {t}");
                assert_eq!(links[*t]["operationId"], *t, "{from} {status} links to {t}");
            }
        }
        assert_eq!(
            doc["components"]["schemas"]["List_TopicOut"]["properties"]["items"]["items"]["$ref"],
            "#/components/schemas/TopicOut"
        );
    }
}
