//! `/attachments/{id}` and `/attachments/{id}/thumbnail` for browsers: the API's reads of the
//! same files, with the cookie's visitor instead of a bearer token (the API never takes the
//! cookie), so a signed-in visitor sees the photos of a topic not yet public.

use actix_web::{HttpResponse, web};

use crate::attachments::{actions, routes::serve};
use crate::state::AppState;
use crate::web::{PageError, Visitor};

async fn file(
    v: Visitor,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, PageError> {
    let caller = v.member.map(|m| m.caller);
    Ok(actions::open(&state, caller, *id, false).await.map(serve)?)
}

async fn thumbnail(
    v: Visitor,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, PageError> {
    let caller = v.member.map(|m| m.caller);
    Ok(actions::open(&state, caller, *id, true).await.map(serve)?)
}

/// The two file paths.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/attachments/{id}", web::get().to(file))
        .route("/attachments/{id}/thumbnail", web::get().to(thumbnail));
}
