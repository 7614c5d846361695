//! The OpenAPI 3.1 document: what the handlers' annotations say, plus the contract-wide parts
//! that are written once here instead of on every operation (bearer security as the default,
//! the shared problem responses, a description on every response).

use utoipa::openapi::OpenApi as OpenApiDoc;
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
    for item in doc.paths.paths.values_mut() {
        for op in [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ]
        .into_iter()
        .flatten()
        {
            complete(op);
        }
    }
    doc
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
        assert_eq!(
            doc["components"]["schemas"]["List_TopicOut"]["properties"]["items"]["items"]["$ref"],
            "#/components/schemas/TopicOut"
        );
    }
}
