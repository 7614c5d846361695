//! The account use cases, each one plain function: permission, rules, queries and mail in one
//! place, so the JSON handlers (`routes.rs`, `users.rs`) and the web pages call the same code.
//!
//! Admin actions over users and grants are `fn(conn, caller, input) -> ApiResult<Out>`. The
//! actions that hash a password (register, login, reset) are `async fn(&AppState, input)`: they
//! borrow a connection only for their short database steps (`db::run`) and hash in between, so
//! no pooled connection waits on argon2.

pub mod grants;
pub mod lockout;
pub mod registration;
pub mod sessions;
pub mod users;

pub use grants::{grant_role, my_roles, revoke_role};
pub use lockout::unlock_account;
pub use registration::{
    admin_create, confirm_password_reset, register_account, request_password_reset, verify_email,
};
pub use sessions::{
    ClientAddr, create_browser_session, create_session, end_browser_session, end_session, get_me,
    refresh_session, throttle, update_me,
};
pub use users::{get_user, list_users, update_user};
