//! A strict little iCalendar reader for the calendar tests.

use std::collections::BTreeMap;

/// Parses an iCalendar text (unfolding lines per RFC 5545) into its METHOD and the
/// properties of each VEVENT.
pub fn ics(text: &str) -> (String, Vec<BTreeMap<String, String>>) {
    assert!(
        text.starts_with("BEGIN:VCALENDAR\r\n"),
        "a VCALENDAR with CRLF lines:\n{text}"
    );
    let unfolded = text.replace("\r\n ", "").replace("\r\n\t", "");
    let mut method = String::new();
    let mut events = Vec::new();
    let mut cur: Option<BTreeMap<String, String>> = None;
    for line in unfolded.split("\r\n") {
        let (name, value) = line.split_once(':').unwrap_or((line, ""));
        let name = name.split(';').next().unwrap_or(name).to_string();
        match (name.as_str(), cur.as_mut()) {
            ("METHOD", None) => method = value.to_string(),
            ("BEGIN", None) if value == "VEVENT" => cur = Some(BTreeMap::new()),
            ("END", Some(_)) if value == "VEVENT" => events.extend(cur.take()),
            (_, Some(e)) => {
                e.insert(name, value.to_string());
            }
            _ => {}
        }
    }
    (method, events)
}
