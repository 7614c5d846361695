//! The text rules are in the OpenAPI document as `pattern`s.

use super::*;

/// The rules are in the OpenAPI document too: every free-text string of every request body
/// and query carries the `pattern` of its rule, so clients and fuzzers know them.
#[actix_rt::test]
async fn every_request_string_has_its_pattern_in_openapi() {
    use yishi::api::text::patterns;
    let doc = serde_json::to_value(yishi::api::openapi()).unwrap();
    let schemas = &doc["components"]["schemas"];
    let known = [
        patterns::LINE,
        patterns::TITLE,
        patterns::PROSE,
        patterns::TEXT,
        patterns::URL,
        patterns::SECRET,
        patterns::ID_LIST,
        patterns::DATE_OR_TIME,
        patterns::OPEN311_STATUS,
    ];
    fn is_free_string(p: &Value) -> bool {
        let ty = &p["type"];
        let string = ty == "string" || ty.as_array().is_some_and(|a| a.contains(&json!("string")));
        string && p.get("format").is_none() && p.get("enum").is_none()
    }
    fn check(schemas: &Value, name: &str, known: &[&str], seen: &mut Vec<String>) {
        if seen.iter().any(|s| s == name) {
            return;
        }
        seen.push(name.to_string());
        let Some(props) = schemas[name]["properties"].as_object() else {
            return;
        };
        for (field, p) in props {
            if is_free_string(p) {
                let pattern = p["pattern"].as_str().unwrap_or("");
                assert!(
                    known.contains(&pattern),
                    "{name}.{field} has no rule pattern: {p}"
                );
            }
            let nested = p["items"]["$ref"].as_str().or(p["$ref"].as_str());
            if let Some(r) = nested {
                check(schemas, r.rsplit('/').next().unwrap(), known, seen);
            }
        }
    }
    let mut seen = Vec::new();
    let mut queries = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if let Some(r) =
                op["requestBody"]["content"]["application/json"]["schema"]["$ref"].as_str()
            {
                check(schemas, r.rsplit('/').next().unwrap(), &known, &mut seen);
            }
            for param in op["parameters"].as_array().into_iter().flatten() {
                let name = param["name"].as_str().unwrap();
                if param["in"] == "query" && is_free_string(&param["schema"]) && name != "cursor" {
                    let pattern = param["schema"]["pattern"].as_str().unwrap_or("");
                    assert!(known.contains(&pattern), "{method} {path} ?{name}: {param}");
                    queries += 1;
                }
            }
        }
    }
    assert!(seen.len() >= 30, "{seen:?}");
    assert!(queries >= 5, "{queries} query parameters");
    assert_eq!(
        schemas["NewConsultation"]["properties"]["online_url"]["pattern"],
        patterns::URL
    );
}
