//! What these tests share: a manual clock at a known local time, one reminder pass run
//! directly (so "nothing more fired" is a fact, not a wait), and reading event streams.

use std::time::{Duration, Instant};

use chrono::{NaiveDate, NaiveDateTime};
use futures_util::StreamExt;
use serde_json::Value;

use crate::common::TestApp;

/// 2030-03-11 08:00 in Shanghai (00:00 UTC): an hour before the task reminders.
pub fn start() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2030, 3, 11)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .unwrap()
}

/// One reminder pass at the clock's time, then the fan-out of what it recorded.
pub async fn remind(app: &TestApp) {
    let state = app.running.as_ref().expect("running").state.clone();
    yishi::notifications::reminders::tick(&state).await;
    app.fanned_out().await;
}

/// The kinds of notification events recorded so far with their dedupe keys, by id.
pub fn events(app: &TestApp, kind: &str) -> Vec<String> {
    use diesel::prelude::*;
    use yishi::db::schema::notification_events as ne;
    app.with_db(|c| {
        ne::table
            .filter(ne::kind.eq(kind))
            .order(ne::id)
            .select(ne::dedupe_key)
            .load::<String>(c)
            .expect("events")
    })
}

/// One event read from a stream.
#[derive(Debug, Clone)]
pub struct Sse {
    pub id: String,
    pub event: String,
    pub data: Value,
}

/// Parses `text/event-stream` text into its data events (comments skipped).
pub fn parse(text: &str) -> Vec<Sse> {
    let mut out = Vec::new();
    for block in text.split("\n\n") {
        let (mut id, mut event, mut data) = (String::new(), String::new(), String::new());
        for line in block.lines() {
            if let Some(v) = line.strip_prefix("id: ") {
                id = v.to_string();
            } else if let Some(v) = line.strip_prefix("event: ") {
                event = v.to_string();
            } else if let Some(v) = line.strip_prefix("data: ") {
                data.push_str(v);
            }
        }
        if !data.is_empty() {
            out.push(Sse {
                id,
                event,
                data: serde_json::from_str(&data).expect("data is JSON"),
            });
        }
    }
    out
}

/// An open stream, read as it comes.
pub struct Stream {
    body: std::pin::Pin<
        Box<
            dyn futures_util::Stream<Item = Result<actix_web::web::Bytes, awc::error::PayloadError>>,
        >,
    >,
    /// Bytes as they came: a chunk may end inside a character, so text is decoded per event.
    buf: Vec<u8>,
    pub content_type: String,
}

impl Stream {
    /// Opens `/api/v1/notifications/stream` with a bearer token and extra headers.
    pub async fn open(app: &TestApp, token: &str, headers: &[(&str, &str)]) -> Stream {
        Stream::open_at(&app.base, token, headers).await
    }

    /// [`Stream::open`] on the server at `base` (another node).
    pub async fn open_at(base: &str, token: &str, headers: &[(&str, &str)]) -> Stream {
        let client = awc::Client::builder().disable_timeout().finish();
        let mut r = client
            .get(format!("{base}/api/v1/notifications/stream"))
            .insert_header(("Authorization", format!("Bearer {token}")));
        for (k, v) in headers {
            r = r.insert_header((*k, *v));
        }
        let res = r.send().await.expect("stream opens");
        assert_eq!(res.status().as_u16(), 200);
        let content_type = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        Stream {
            body: Box::pin(res),
            buf: Vec::new(),
            content_type,
        }
    }

    /// Reads until `n` data events have come (at most 20 s).
    pub async fn next(&mut self, n: usize) -> Vec<Sse> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let complete = self
                .buf
                .windows(2)
                .rposition(|w| w == b"\n\n")
                .map(|i| i + 2)
                .unwrap_or(0);
            let got = parse(&String::from_utf8_lossy(&self.buf[..complete]));
            if got.len() >= n {
                self.buf.drain(..complete);
                return got;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "{n} events did not come: {}",
                String::from_utf8_lossy(&self.buf)
            );
            match actix_rt::time::timeout(left, self.body.next()).await {
                Ok(Some(Ok(bytes))) => self.buf.extend_from_slice(&bytes),
                Ok(other) => panic!("stream ended: {other:?}"),
                Err(_) => {}
            }
        }
    }
}
