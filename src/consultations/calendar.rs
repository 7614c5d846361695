//! iCalendar (RFC 5545) for meetings: one meeting, or a user's feed. UIDs are stable per
//! meeting; SEQUENCE rises with every move or status change; a cancelled meeting carries
//! STATUS:CANCELLED (and METHOD:CANCEL when it is the only event).
//!
//! Input rules (`crate::api::text`) keep control characters out of stored fields, but the
//! writer does not rely on them: the `icalendar` crate escapes `\n` `,` `;` `\\` in TEXT
//! values and leaves URI values and `\r` as they are, so every field goes through
//! [`text_value`] or [`uri_value`] first and no field can ever start a line of its own.

use icalendar::{Calendar, Component, Event, EventLike, EventStatus};

use super::queries::ConsultationRow;
use super::rules::Status;

/// The stable UID of a meeting.
pub fn uid(c: &ConsultationRow, host: &str) -> String {
    format!("consultation-{}@{host}", c.id)
}

/// A TEXT value for the crate to escape: line breaks become `\n` (which it escapes), other
/// controls become spaces.
pub fn text_value(s: &str) -> String {
    s.replace("\r\n", "\n")
        .chars()
        .map(|c| match c {
            '\n' => '\n',
            '\r' => '\n',
            c if c.is_control() || c == '\u{2028}' || c == '\u{2029}' => ' ',
            c => c,
        })
        .collect()
}

/// A URI value (written unescaped by the crate): whitespace and controls are
/// percent-encoded, so a stored address can never break the line.
pub fn uri_value(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control() || c.is_whitespace() {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn event(c: &ConsultationRow, host: &str, agenda: &[String]) -> Event {
    let mut e = Event::new();
    e.uid(&text_value(&uid(c, host)))
        .summary(&text_value(&c.title))
        .starts(c.starts_at.and_utc())
        .ends(c.ends_at.and_utc())
        .sequence(c.ical_sequence.max(0) as u32)
        .timestamp(c.updated_at.and_utc());
    if let Some(v) = &c.venue {
        e.location(&text_value(v));
    }
    if let Some(u) = &c.online_url {
        e.url(&uri_value(u));
    }
    if !agenda.is_empty() {
        e.description(&text_value(&format!("议程 Agenda:\n{}", agenda.join("\n"))));
    }
    e.status(match c.status {
        Status::Cancelled => EventStatus::Cancelled,
        Status::Draft => EventStatus::Tentative,
        Status::Scheduled | Status::InProgress | Status::Concluded => EventStatus::Confirmed,
    });
    e.done()
}

/// A calendar holding one meeting (METHOD:CANCEL when it is cancelled, else PUBLISH).
pub fn single(c: &ConsultationRow, host: &str, agenda: &[String]) -> String {
    let mut cal = Calendar::new();
    cal.name("议事 Yishi");
    cal.append_property((
        "METHOD",
        if c.status == Status::Cancelled {
            "CANCEL"
        } else {
            "PUBLISH"
        },
    ));
    cal.push(event(c, host, agenda));
    cal.done().to_string()
}

/// The calendar mailed with an invitation, update (METHOD:REQUEST) or cancellation
/// (METHOD:CANCEL, STATUS:CANCELLED), with the organiser's address (RFC 5546).
pub fn mailed(c: &ConsultationRow, host: &str, agenda: &[String], organizer_email: &str) -> String {
    let mut cal = Calendar::new();
    cal.name("议事 Yishi");
    cal.append_property((
        "METHOD",
        if c.status == Status::Cancelled {
            "CANCEL"
        } else {
            "REQUEST"
        },
    ));
    let mut e = event(c, host, agenda);
    e.add_property("ORGANIZER", uri_value(&format!("mailto:{organizer_email}")));
    cal.push(e.done());
    cal.done().to_string()
}

/// A user's feed of meetings.
pub fn feed(meetings: &[ConsultationRow], host: &str) -> String {
    let mut cal = Calendar::new();
    cal.name("议事 Yishi");
    cal.append_property(("METHOD", "PUBLISH"));
    for c in meetings {
        cal.push(event(c, host, &[]));
    }
    cal.done().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_field_starts_a_line() {
        assert_eq!(text_value("a\r\nb\rc\u{0}d"), "a\nb\nc d");
        assert_eq!(
            uri_value("https://x.example/a\r\nORGANIZER:mailto:evil@x b"),
            "https://x.example/a%0D%0AORGANIZER:mailto:evil@x%20b"
        );
    }

    /// Rows written before the input rules (or by hand) still give one line per property.
    #[test]
    fn hostile_stored_fields_stay_inside_their_property() {
        let at = chrono::NaiveDate::from_ymd_opt(2026, 3, 2)
            .and_then(|d| d.and_hms_opt(2, 0, 0))
            .unwrap_or_default();
        let row = ConsultationRow {
            id: 7,
            place_id: 1,
            title: "T\r\nORGANIZER:mailto:evil@x".into(),
            kind: crate::consultations::rules::Kind::MicroConsultation,
            format: crate::consultations::rules::Format::Online,
            venue: Some("V\rATTENDEE:mailto:evil@x".into()),
            online_url: Some("https://x.example/a\r\nORGANIZER:mailto:evil@x".into()),
            starts_at: at,
            ends_at: at + chrono::Duration::hours(1),
            convener_id: 1,
            status: Status::Scheduled,
            minutes: None,
            cancel_reason: None,
            version: 1,
            ical_sequence: 0,
            concluded_at: None,
            created_at: at,
            updated_at: at,
            started_at: None,
        };
        let agenda = ["1. A\r\nORGANIZER:mailto:evil@x (5 min)".to_string()];
        for ics in [
            single(&row, "h", &agenda),
            mailed(&row, "h", &agenda, "me@example.org\r\nATTENDEE:x"),
            feed(std::slice::from_ref(&row), "h"),
        ] {
            for line in ics.split("\r\n") {
                assert!(!line.contains('\r') && !line.contains('\n'), "{line:?}");
                assert!(!line.starts_with("ORGANIZER:mailto:evil"), "{ics}");
                assert!(!line.starts_with("ATTENDEE"), "{ics}");
            }
        }
    }
}
