//! Who is calling and what they may do: JWT access tokens, argon2id passwords, opaque
//! one-time tokens, the generated signing secret of development installs, and the `Caller` extractor with its place-scoped permission checks.

pub mod caller;
pub mod jwt;
pub mod password;
pub mod queries;
pub mod roles;
pub mod secret;
pub mod tokens;

pub use caller::{Caller, CallerGrant, OptionalCaller, PlaceRef, account_disabled, load_caller};
pub use roles::Role;
