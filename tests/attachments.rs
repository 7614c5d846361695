#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Attachments (照片与附件) over real HTTP on a real database: metadata stripped from photos,
//! types sniffed from the bytes, every bad file refused naming `file`, uploads and reads with
//! the owner's permissions, and the same through an S3 store (TEST_S3_ENDPOINT). Runs on
//! PostgreSQL too (TEST_DATABASE_URL).

mod common;

/// The themes, one module each, in tests/attachments/ (one binary).
mod attachments {
    mod files;
    mod permissions;
    mod privacy;
    mod s3;
    mod world;
}
