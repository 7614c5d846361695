//! A browser without a browser, for the page tests: keeps cookies, sends forms with this
//! session's CSRF token and a same-origin `Origin`, and never follows redirects by itself
//! (a test checks the 303 and then [`Browser::follow`]s it).

use std::collections::BTreeMap;

use awc::http::Method;

use super::{PASSWORD, StatusCode, TestApp};

/// One page as a browser got it.
#[derive(Debug)]
pub struct Page {
    pub status: StatusCode,
    pub html: String,
    /// `Location` of a redirect.
    pub location: Option<String>,
    pub headers: awc::http::header::HeaderMap,
}

impl Page {
    /// The page's text with tags removed and whitespace collapsed: what a person reads.
    pub fn text(&self) -> String {
        let mut out = String::new();
        let mut in_tag = false;
        for ch in self.html.chars() {
            match ch {
                '<' => {
                    in_tag = true;
                    out.push(' ');
                }
                '>' => in_tag = false,
                c if !in_tag => out.push(c),
                _ => {}
            }
        }
        let decoded = out
            .replace("&amp;", "&")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#x27;", "'")
            .replace("&#39;", "'");
        decoded.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// Does a person see `words` on the page?
    pub fn shows(&self, words: &str) -> bool {
        self.text().contains(words)
    }

    /// Is there a button named `name` (the accessible name a screen reader announces)?
    pub fn has_button(&self, name: &str) -> bool {
        let re = regex::Regex::new(r"(?s)<button[^>]*>(.*?)</button>").expect("regex");
        re.captures_iter(&self.html).any(|c| {
            let inner = regex::Regex::new(r"<[^>]+>")
                .expect("regex")
                .replace_all(&c[1], "");
            inner.trim() == name
        })
    }

    /// Is there a form field labelled `label` (a `<label for>` pointing at an existing id)?
    pub fn has_field(&self, label: &str) -> bool {
        let re =
            regex::Regex::new(r#"(?s)<label for="([^"]+)"[^>]*>(.*?)</label>"#).expect("regex");
        re.captures_iter(&self.html)
            .any(|c| c[2].trim() == label && self.html.contains(&format!("id=\"{}\"", &c[1])))
    }

    /// The refusal shown next to the field `name` (`<p class="error" id="f-name-error">`).
    pub fn field_error(&self, name: &str) -> Option<String> {
        let re = regex::Regex::new(&format!(
            r#"(?s)<p class="error" id="f-{}-error">(.*?)</p>"#,
            regex::escape(name)
        ))
        .expect("regex");
        re.captures(&self.html).map(|c| c[1].trim().to_string())
    }

    /// `<html lang>`.
    pub fn lang(&self) -> Option<String> {
        let re = regex::Regex::new(r#"<html lang="([^"]+)""#).expect("regex");
        re.captures(&self.html).map(|c| c[1].to_string())
    }
}

/// A cookie-keeping client of one test app.
pub struct Browser<'a> {
    pub app: &'a TestApp,
    /// Its own client: one that does not follow redirects.
    client: awc::Client,
    pub cookies: BTreeMap<String, String>,
    /// Every `Set-Cookie` header seen, as sent (attributes included).
    pub set_cookie_log: Vec<String>,
}

impl TestApp {
    /// A fresh browser with no cookies.
    pub fn browser(&self) -> Browser<'_> {
        Browser {
            app: self,
            client: awc::Client::builder()
                .disable_redirects()
                .timeout(std::time::Duration::from_secs(30))
                .finish(),
            cookies: BTreeMap::new(),
            set_cookie_log: vec![],
        }
    }

    /// A browser signed in as `email` (password [`PASSWORD`]).
    pub async fn browser_as(&self, email: &str) -> Browser<'_> {
        let mut b = self.browser();
        let p = b.sign_in(email, PASSWORD).await;
        assert_eq!(
            p.status,
            StatusCode::SEE_OTHER,
            "sign in {email}: {}",
            p.text()
        );
        b
    }
}

impl Browser<'_> {
    /// The CSRF token of the current session ("" before signing in).
    pub fn csrf(&self) -> String {
        self.cookies
            .get("yishi_session")
            .map(|t| yishi::web::visitor::csrf_of(t))
            .unwrap_or_default()
    }

    /// Sends one request with the cookies; `origin` is sent as `Origin` when given.
    pub async fn request(
        &mut self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<(String, Vec<u8>)>,
    ) -> Page {
        let mut r = self
            .client
            .request(method, format!("{}{path}", self.app.base));
        let cookie = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        if !cookie.is_empty() {
            r = r.insert_header(("Cookie", cookie));
        }
        for (k, v) in headers {
            r = r.insert_header((*k, *v));
        }
        let res = match body {
            None => r.send().await,
            Some((ct, bytes)) => r.insert_header(("Content-Type", ct)).send_body(bytes).await,
        };
        let mut res = res.expect("request sent");
        for v in res.headers().get_all("set-cookie") {
            let raw = v.to_str().unwrap_or("").to_string();
            let first = raw.split(';').next().unwrap_or("");
            if let Some((k, val)) = first.split_once('=') {
                let removed = raw.to_ascii_lowercase().contains("max-age=0")
                    || raw
                        .to_ascii_lowercase()
                        .contains("expires=thu, 01 jan 1970");
                if removed || val.is_empty() {
                    self.cookies.remove(k.trim());
                } else {
                    self.cookies.insert(k.trim().to_string(), val.to_string());
                }
            }
            self.set_cookie_log.push(raw);
        }
        let status = res.status();
        let headers = res.headers().clone();
        let location = headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let bytes = res.body().limit(10 * 1024 * 1024).await.expect("body");
        Page {
            status,
            html: String::from_utf8_lossy(&bytes).into_owned(),
            location,
            headers,
        }
    }

    /// GET a page.
    pub async fn get(&mut self, path: &str) -> Page {
        self.request(Method::GET, path, &[], None).await
    }

    /// Follows a redirect answer (GET its `Location`).
    pub async fn follow(&mut self, page: &Page) -> Page {
        let to = page.location.clone().expect("a redirect");
        assert_eq!(page.status, StatusCode::SEE_OTHER, "redirect to {to}");
        self.get(&to).await
    }

    /// POSTs a form as the page would: the fields, this session's `csrf`, same `Origin`.
    pub async fn submit(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let csrf = self.csrf();
        let mut pairs: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
        pairs.extend_from_slice(fields);
        let body = serde_urlencoded::to_string(&pairs).expect("form");
        let origin = self.app.base.clone();
        self.request(
            Method::POST,
            path,
            &[("Origin", origin.as_str())],
            Some((
                "application/x-www-form-urlencoded".into(),
                body.into_bytes(),
            )),
        )
        .await
    }

    /// POSTs a multipart form (text fields, then files as (field, filename, type, bytes)).
    pub async fn submit_multipart(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &str, &str, &[u8])],
    ) -> Page {
        let boundary = "----yishi-test-boundary-7MA4YWxkTrZu0gW";
        let mut body: Vec<u8> = vec![];
        let csrf = self.csrf();
        let mut all: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        for (k, v) in all {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .as_bytes(),
            );
        }
        for (k, filename, ct, bytes) in files {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"; filename=\"{filename}\"\r\nContent-Type: {ct}\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let origin = self.app.base.clone();
        self.request(
            Method::POST,
            path,
            &[("Origin", origin.as_str())],
            Some((format!("multipart/form-data; boundary={boundary}"), body)),
        )
        .await
    }

    /// Signs in through `/login`; returns the answer (303 on success).
    pub async fn sign_in(&mut self, email: &str, password: &str) -> Page {
        self.submit(
            "/login",
            &[("email", email), ("password", password), ("next", "")],
        )
        .await
    }
}
