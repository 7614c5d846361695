//! A small XML writer for the Open311 answers: elements with escaped text, nothing else (no
//! attributes, no namespaces), so every answer parses. Characters XML 1.0 cannot carry
//! (control characters but tab, LF and CR; U+FFFE, U+FFFF) are dropped.

use std::fmt::Write;

use chrono::{DateTime, SecondsFormat, Utc};

use super::model::*;

/// An XML document being written.
pub struct Xml {
    out: String,
}

impl Default for Xml {
    fn default() -> Self {
        Self::new()
    }
}

impl Xml {
    /// A document with its declaration.
    pub fn new() -> Self {
        Xml {
            out: String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"),
        }
    }

    /// Opens `<name>`.
    pub fn open(&mut self, name: &str) -> &mut Self {
        let _ = write!(self.out, "<{name}>");
        self
    }

    /// Closes `</name>`.
    pub fn close(&mut self, name: &str) -> &mut Self {
        let _ = write!(self.out, "</{name}>");
        self
    }

    /// `<name>text</name>`, or `<name/>` for None.
    pub fn field(&mut self, name: &str, text: Option<&str>) -> &mut Self {
        match text {
            Some(t) => {
                self.open(name);
                escape_into(&mut self.out, t);
                self.close(name)
            }
            None => {
                let _ = write!(self.out, "<{name}/>");
                self
            }
        }
    }

    /// `<name>text</name>`.
    pub fn text(&mut self, name: &str, text: &str) -> &mut Self {
        self.field(name, Some(text))
    }

    /// The document's bytes.
    pub fn finish(self) -> Vec<u8> {
        self.out.into_bytes()
    }
}

/// Appends `text` escaped for element content.
fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
}

fn when(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// `<errors><error><code>..</code><description>..</description></error></errors>`.
pub fn errors(list: &[Open311Error]) -> Vec<u8> {
    let mut x = Xml::new();
    x.open("errors");
    for e in list {
        x.open("error")
            .text("code", &e.code.to_string())
            .text("description", &e.description)
            .close("error");
    }
    x.close("errors");
    x.finish()
}

/// `<services><service>..</service></services>`.
pub fn services(list: &[Service]) -> Vec<u8> {
    let mut x = Xml::new();
    x.open("services");
    for s in list {
        x.open("service")
            .text("service_code", &s.service_code)
            .text("service_name", &s.service_name)
            .text("description", &s.description)
            .text("metadata", if s.metadata { "true" } else { "false" })
            .text("type", &s.r#type)
            .text("keywords", &s.keywords)
            .text("group", &s.group)
            .close("service");
    }
    x.close("services");
    x.finish()
}

/// `<service_definition><service_code/><attributes><attribute>..</attribute></attributes>`.
pub fn service_definition(d: &ServiceDefinition) -> Vec<u8> {
    let mut x = Xml::new();
    x.open("service_definition")
        .text("service_code", &d.service_code)
        .open("attributes");
    for a in &d.attributes {
        x.open("attribute")
            .text("variable", if a.variable { "true" } else { "false" })
            .text("code", &a.code)
            .text("datatype", &a.datatype)
            .text("required", if a.required { "true" } else { "false" })
            .field("datatype_description", a.datatype_description.as_deref())
            .text("order", &a.order.to_string())
            .text("description", &a.description)
            .close("attribute");
    }
    x.close("attributes").close("service_definition");
    x.finish()
}

/// `<service_requests><request>..</request></service_requests>`.
pub fn requests(list: &[ServiceRequest]) -> Vec<u8> {
    let mut x = Xml::new();
    x.open("service_requests");
    for r in list {
        let num = |v: Option<f64>| v.map(|v| v.to_string());
        x.open("request")
            .text("service_request_id", &r.service_request_id)
            .text("status", r.status.as_str())
            .field("status_notes", r.status_notes.as_deref())
            .text("service_name", &r.service_name)
            .text("service_code", &r.service_code)
            .field("description", r.description.as_deref())
            .field("agency_responsible", r.agency_responsible.as_deref())
            .field("service_notice", r.service_notice.as_deref())
            .text("requested_datetime", &when(&r.requested_datetime))
            .text("updated_datetime", &when(&r.updated_datetime))
            .field(
                "expected_datetime",
                r.expected_datetime.as_ref().map(when).as_deref(),
            )
            .field("address", r.address.as_deref())
            .field("address_id", r.address_id.as_deref())
            .field("zipcode", r.zipcode.as_deref())
            .field("lat", num(r.lat).as_deref())
            .field("long", num(r.long).as_deref())
            .field("media_url", r.media_url.as_deref())
            .close("request");
    }
    x.close("service_requests");
    x.finish()
}

/// The answer to a POST: `<service_requests><request><service_request_id/><token/>..`.
pub fn posted(list: &[PostedRequest]) -> Vec<u8> {
    let mut x = Xml::new();
    x.open("service_requests");
    for p in list {
        x.open("request")
            .text("service_request_id", &p.service_request_id)
            .text("token", &p.token)
            .field("service_notice", p.service_notice.as_deref())
            .close("request");
    }
    x.close("service_requests");
    x.finish()
}

/// `GET tokens/{token}`: `<service_requests><request><service_request_id/><token/>..`.
pub fn tokens(list: &[TokenAnswer]) -> Vec<u8> {
    let mut x = Xml::new();
    x.open("service_requests");
    for t in list {
        x.open("request")
            .text("service_request_id", &t.service_request_id)
            .text("token", &t.token)
            .close("request");
    }
    x.close("service_requests");
    x.finish()
}

/// `<discovery>..<endpoints><endpoint>..<formats><format/>..`.
pub fn discovery(d: &Discovery) -> Vec<u8> {
    let mut x = Xml::new();
    x.open("discovery")
        .text("changeset", &d.changeset)
        .text("contact", &d.contact)
        .text("key_service", &d.key_service)
        .open("endpoints");
    for e in &d.endpoints {
        x.open("endpoint")
            .text("specification", &e.specification)
            .text("url", &e.url)
            .text("changeset", &e.changeset)
            .text("type", &e.r#type)
            .open("formats");
        for f in &e.formats {
            x.text("format", f);
        }
        x.close("formats").close("endpoint");
    }
    x.close("endpoints").close("discovery");
    x.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_unrepresentable_characters_dropped() {
        let mut x = Xml::new();
        x.open("a")
            .text("b", "<&>\"' 电梯\u{1}\u{FFFF}\n")
            .field("c", None)
            .close("a");
        let s = String::from_utf8(x.finish()).unwrap();
        assert!(
            s.ends_with("<a><b>&lt;&amp;&gt;&quot;&apos; 电梯\n</b><c/></a>"),
            "{s}"
        );
    }
}
