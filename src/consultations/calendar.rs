//! iCalendar (RFC 5545) for meetings: one meeting, or a user's feed. UIDs are stable per
//! meeting; SEQUENCE rises with every move or status change; a cancelled meeting carries
//! STATUS:CANCELLED (and METHOD:CANCEL when it is the only event).

use icalendar::{Calendar, Component, Event, EventLike, EventStatus};

use super::queries::ConsultationRow;
use super::rules::Status;

/// The stable UID of a meeting.
pub fn uid(c: &ConsultationRow, host: &str) -> String {
    format!("consultation-{}@{host}", c.id)
}

fn event(c: &ConsultationRow, host: &str, agenda: &[String]) -> Event {
    let mut e = Event::new();
    e.uid(&uid(c, host))
        .summary(&c.title)
        .starts(c.starts_at.and_utc())
        .ends(c.ends_at.and_utc())
        .sequence(c.ical_sequence.max(0) as u32)
        .timestamp(c.updated_at.and_utc());
    if let Some(v) = &c.venue {
        e.location(v);
    }
    if let Some(u) = &c.online_url {
        e.url(u);
    }
    if !agenda.is_empty() {
        e.description(&format!("议程 Agenda:\n{}", agenda.join("\n")));
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
    e.add_property("ORGANIZER", format!("mailto:{organizer_email}"));
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
