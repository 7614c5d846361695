//! Attachments (照片与附件): residents' photos on topics, evidence photos on tasks, documents
//! (sign-in sheets, minutes scans) on meetings. Images are sniffed from their bytes, decoded
//! under limits and encoded again without metadata (a phone photo carries a location), with a
//! thumbnail; files live in one object store (a local folder, or S3 for several nodes).
//!
//! Layers as in every area: `routes` (parse the multipart body with `form`, call one action)
//! → `actions` (permission from the owner's area, `process` off the async threads, `store`,
//! then the row) → `rules` (pure) and `queries` (all diesel). See docs/attachments.md.

pub mod actions;
pub mod form;
pub mod model;
pub mod process;
pub mod queries;
pub mod routes;
pub mod rules;
pub mod store;
