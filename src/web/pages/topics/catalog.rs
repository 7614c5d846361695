//! `/places/{id}`: a community's 议事目录, the public catalog (numbers, titles, step, 附议),
//! one keyset page at a time, with the link 我要提议题. Anyone may read it.

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::places::model::PlaceOut;
use crate::public::model::CatalogEntry;
use crate::state::AppState;
use crate::topics::model::PageParams;
use crate::web::{Chrome, PageError, Visitor, page};
use crate::{db, places, public};

#[derive(Template)]
#[template(path = "topics/catalog.html")]
struct CatalogPage<'a> {
    c: Chrome<'a>,
    place: PlaceOut,
    entries: Vec<CatalogEntry>,
    /// The link to the next page, when there is one.
    next: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CatalogQuery {
    cursor: String,
}

async fn catalog(
    v: Visitor,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    q: web::Query<CatalogQuery>,
) -> Result<HttpResponse, PageError> {
    let id = id.into_inner();
    let cursor = Some(q.into_inner().cursor).filter(|c| !c.is_empty());
    let settings = state.settings.clone();
    let (place, list) = db::run(&state.pool, move |conn| {
        let place = places::actions::get_place(conn, id)?;
        let p = PageParams {
            limit: Some(20),
            cursor,
        };
        let list = public::actions::catalog(conn, &settings, id, &p)?;
        Ok((place, list))
    })
    .await?;
    let next = list.next_cursor.map(|c| {
        format!(
            "/places/{id}?cursor={}",
            form_urlencoded::byte_serialize(c.as_bytes()).collect::<String>()
        )
    });
    let title = format!("{} · {}", place.name, v.t().topics.catalog);
    page(
        &v,
        &CatalogPage {
            c: Chrome::new(&v, title),
            place,
            entries: list.items,
            next,
        },
    )
}

/// GET /places/{id}.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/places/{id}", web::get().to(catalog));
}
