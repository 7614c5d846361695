//! The accounts and auth findings of the security review (issue 8): organisation grants are
//! scoped to their place, failed logins slow an account down but lock it only for the address
//! they come from, and no token is ever signed with the placeholder secret. Over HTTP against
//! a real server and database, one module a theme in tests/security_accounts/ (one binary).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

mod security_accounts {
    use crate::common::{
        DENIED, Expect, PASSWORD, StatusCode, TestApp, TestResult, call, deny, problem_all,
        token_in,
    };
    use serde_json::json;
    use yishi::auth::Role;
    use yishi::places::model::OrganizationKind;

    mod grants;
    mod lockout;
    mod secrets;
}
