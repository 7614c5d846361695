#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Webhooks over real HTTP both ways: endpoints managed by admins (secret shown once, scope,
//! validation, SSRF refusals), events delivered to a Python receiver that verifies every
//! signature with the `standardwebhooks` package, retries keeping their `webhook-id`, scope and
//! kind filters, and 410 disabling an endpoint.

mod common;

mod webhooks {
    mod admin;
    mod delivery;
    pub mod receiver;
}
