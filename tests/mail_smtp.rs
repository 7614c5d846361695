#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Mail really goes out over SMTP, and survives the SMTP server being down: the outbox keeps
//! it, records the failure, and delivers it on a later attempt.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use awc::http::StatusCode;
use common::{TestApp, TestResult};
use serde_json::json;

/// A minimal SMTP server that accepts every message and keeps the raw DATA.
fn smtp_sink(listener: TcpListener) -> Arc<Mutex<Vec<String>>> {
    let store = Arc::new(Mutex::new(Vec::new()));
    let out = store.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let store = store.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let _ = stream.write_all(b"220 sink ESMTP\r\n");
                let mut line = String::new();
                loop {
                    line.clear();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let cmd = line.trim_end().to_ascii_uppercase();
                    let reply: &[u8] = if cmd.starts_with("EHLO") {
                        b"250-sink\r\n250 8BITMIME\r\n"
                    } else if cmd.starts_with("DATA") {
                        let _ = stream.write_all(b"354 go on\r\n");
                        let mut data = String::new();
                        loop {
                            let mut l = String::new();
                            if reader.read_line(&mut l).unwrap_or(0) == 0 {
                                return;
                            }
                            if l == ".\r\n" {
                                break;
                            }
                            data.push_str(&l);
                        }
                        store.lock().unwrap().push(data);
                        b"250 queued\r\n"
                    } else if cmd.starts_with("QUIT") {
                        let _ = stream.write_all(b"221 bye\r\n");
                        return;
                    } else {
                        b"250 ok\r\n"
                    };
                    let _ = stream.write_all(reply);
                }
            });
        }
    });
    out
}

#[actix_rt::test]
async fn verification_mail_goes_out_over_smtp_after_an_outage() -> TestResult {
    // Reserve a port, then close it: SMTP is "down" when the user registers.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let port_s = port.to_string();
    let app = TestApp::spawn_with(&[
        ("mail.transport", "smtp"),
        ("mail.smtp_host", "127.0.0.1"),
        ("mail.smtp_port", &port_s),
        ("mail.smtp_tls", "none"),
    ])
    .await;
    app.seed_demo();
    let home = app.place("demo-330200-0-0-0");
    let r = app
        .post(
            "/api/v1/auth/register",
            None,
            json!({"email": "smtp@example.com", "password": "a long enough password", "display_name": "李四", "home_place_id": home}),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED);

    // The failed attempt is recorded and the mail stays pending.
    let mut failed = false;
    for _ in 0..100 {
        failed = app.with_db(|c| {
            use diesel::prelude::*;
            use yishi::db::schema::outbox;
            outbox::table
                .filter(outbox::to_addr.eq("smtp@example.com"))
                .select((outbox::status, outbox::last_error))
                .first::<(String, Option<String>)>(c)
                .map(|(status, err)| status == "pending" && err.is_some())
                .unwrap_or(false)
        });
        if failed {
            break;
        }
        actix_rt::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(failed, "the first delivery failed and was recorded");

    // SMTP comes back; the retry (5 s backoff) delivers it.
    let sink = smtp_sink(TcpListener::bind(("127.0.0.1", port)).unwrap());
    let mut got = Vec::new();
    for _ in 0..300 {
        got = sink.lock().unwrap().clone();
        if !got.is_empty() {
            break;
        }
        actix_rt::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(got.len(), 1, "delivered once");
    let text = common::decode_mail(&got[0]);
    assert!(text.contains("To: smtp@example.com"));
    let token = common::token_in(&text);
    let v = app
        .post("/api/v1/auth/verify-email", None, json!({"token": token}))
        .await;
    assert_eq!(v.status, StatusCode::OK);
    let sent: String = app.with_db(|c| {
        use diesel::prelude::*;
        use yishi::db::schema::outbox;
        outbox::table
            .filter(outbox::to_addr.eq("smtp@example.com"))
            .select(outbox::status)
            .first(c)
            .unwrap()
    });
    assert_eq!(sent, "sent");
    app.stop().await;
    Ok(())
}
