//! 405 with `Allow`, not 404, for a path that exists asked with a method it does not have
//! (RFC 9110 §15.5.6). The paths and their methods come from the OpenAPI document, the one
//! list of operations, so a new route needs nothing here.

use utoipa::openapi::OpenApi;

/// The document's path templates (`/api/v1/topics/{id}`) with their methods.
#[derive(Debug, Clone, Default)]
pub struct KnownPaths(Vec<(Vec<Option<String>>, String)>);

impl KnownPaths {
    /// Reads every path of `doc`; a `{param}` segment matches any one segment.
    pub fn from_doc(doc: &OpenApi) -> KnownPaths {
        let paths = doc
            .paths
            .paths
            .iter()
            .map(|(template, item)| {
                let segments = template
                    .trim_matches('/')
                    .split('/')
                    .map(|s| (!s.starts_with('{')).then(|| s.to_string()))
                    .collect();
                let methods = [
                    ("GET", &item.get),
                    ("POST", &item.post),
                    ("PUT", &item.put),
                    ("PATCH", &item.patch),
                    ("DELETE", &item.delete),
                ]
                .iter()
                .filter(|(_, op)| op.is_some())
                .map(|(m, _)| *m)
                .collect::<Vec<_>>()
                .join(", ");
                (segments, methods)
            })
            .collect();
        KnownPaths(paths)
    }

    /// The `Allow` value for `path` when it is a known path, else None (a plain 404). Of the
    /// templates that fit, the most literal wins: `/consultations/free-slots` is that path,
    /// not `/consultations/{id}`.
    pub fn allowed(&self, path: &str) -> Option<&str> {
        let asked: Vec<&str> = path.trim_matches('/').split('/').collect();
        self.0
            .iter()
            .filter(|(segments, _)| {
                segments.len() == asked.len()
                    && segments.iter().zip(&asked).all(|(s, a)| match s {
                        Some(fixed) => fixed == a,
                        None => !a.is_empty(),
                    })
            })
            .max_by_key(|(segments, _)| segments.iter().filter(|s| s.is_some()).count())
            .map(|(_, methods)| methods.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_paths_answer_with_their_methods() {
        let known = KnownPaths::from_doc(&crate::api::openapi());
        let cases: &[(&str, Option<&str>)] = &[
            ("/api/v1/topics", Some("GET, POST")),
            ("/api/v1/topics/17", Some("GET")),
            ("/api/v1/topics/17/transitions", Some("POST")),
            ("/api/v1/consultations/free-slots", Some("GET")),
            ("/api/v1/consultations/17", Some("GET, PATCH")),
            ("/healthz", Some("GET")),
            ("/api/v1/topics/17/nothing", None),
            ("/api/v1/topicsx", None),
            ("/api/v1/topics//transitions", None),
            ("/", None),
        ];
        for (path, want) in cases {
            assert_eq!(known.allowed(path), *want, "{path}");
        }
    }
}
