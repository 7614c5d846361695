//! A request as data, so that a case table can hold requests of any method and path.

use serde_json::Value;

use super::{Body, Method, Resp, TestApp};

/// One request: method, path, bearer token and body.
pub struct Call {
    pub method: Method,
    pub path: String,
    pub token: Option<String>,
    pub body: Option<Value>,
}

fn call(method: Method, path: impl Into<String>, token: Option<&str>, body: Option<Value>) -> Call {
    Call {
        method,
        path: path.into(),
        token: token.map(str::to_string),
        body,
    }
}

pub fn get(path: impl Into<String>, token: Option<&str>) -> Call {
    call(Method::GET, path, token, None)
}

pub fn post(path: impl Into<String>, token: Option<&str>, body: Value) -> Call {
    call(Method::POST, path, token, Some(body))
}

pub fn patch(path: impl Into<String>, token: Option<&str>, body: Value) -> Call {
    call(Method::PATCH, path, token, Some(body))
}

pub fn delete(path: impl Into<String>, token: Option<&str>) -> Call {
    call(Method::DELETE, path, token, None)
}

impl TestApp {
    /// Sends a [`Call`].
    pub async fn call(&self, c: &Call) -> Resp {
        let body = c.body.clone().map_or(Body::Empty, Body::Json);
        self.send(c.method.clone(), &c.path, c.token.as_deref(), &[], body)
            .await
    }
}
