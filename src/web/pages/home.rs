//! `/`: the communities to choose and the latest public topics.

use actix_web::{HttpResponse, web};
use askama::Template;

use crate::places::model::{PlaceFilter, PlaceOut};
use crate::places::rules::PlaceKind;
use crate::public::model::CatalogEntry;
use crate::state::AppState;
use crate::web::{Chrome, PageError, Visitor, page};
use crate::{db, places, public};

#[derive(Template)]
#[template(path = "home.html")]
struct Home<'a> {
    c: Chrome<'a>,
    communities: Vec<PlaceOut>,
    latest: Vec<CatalogEntry>,
}

async fn home(v: Visitor, state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    let settings = state.settings.clone();
    let (communities, latest) = db::run(&state.pool, move |conn| {
        let communities = places::actions::list_places(
            conn,
            &PlaceFilter {
                kind: Some(PlaceKind::Community),
                limit: Some(100),
                ..Default::default()
            },
        )?;
        let latest = public::actions::latest(conn, &settings, 10)?;
        Ok((communities.items, latest))
    })
    .await?;
    let t = v.t();
    page(
        &v,
        &Home {
            c: Chrome::new(&v, t.common.site_name),
            communities,
            latest,
        },
    )
}

/// GET /.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(home));
}
