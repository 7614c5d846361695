//! `/topics/new`: raise a topic (说) with 社区, 标题, 详细描述, 类别 and an optional 照片. The form
//! is multipart/form-data because of the photo; it calls `workflow::create_topic` (as
//! POST /api/v1/topics) and then 303s to the new topic's page.

use std::collections::HashMap;

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError, web};
use askama::Template;
use futures_util::StreamExt;
use serde::Deserialize;

use crate::attachments::model::{Owner, Upload};
use crate::attachments::rules::OwnerKind;
use crate::error::{ApiError, ApiResult};
use crate::places::model::PlaceOut;
use crate::state::AppState;
use crate::topics::model::NewTopic;
use crate::topics::rules::Category;
use crate::topics::{overview, workflow};
use crate::web::form::{id_field, validated};
use crate::web::{Chrome, FormErrors, PageError, Visitor, act, page_with};
use crate::{attachments, db};

/// The fields a refusal may name, in the order of the form.
const FIELDS: [&str; 5] = ["place_id", "title", "body", "category", "photo"];

/// What was typed, shown again after a refusal.
#[derive(Debug, Default, Clone)]
pub struct NewTopicForm {
    pub place_id: String,
    pub title: String,
    pub body: String,
    pub category: String,
}

#[derive(Template)]
#[template(path = "topics/new.html")]
struct NewPage<'a> {
    c: Chrome<'a>,
    f: NewTopicForm,
    places: Vec<PlaceOut>,
    errors: FormErrors,
}

impl NewPage<'_> {
    /// (wire name, name) of every category, for the 类别 choice.
    fn categories(&self) -> Vec<(&'static str, &'static str)> {
        Category::ALL
            .iter()
            .map(|c| (c.as_str(), self.c.t.topics.category(c)))
            .collect()
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NewQuery {
    place_id: String,
}

async fn render(
    v: &Visitor,
    state: &AppState,
    f: NewTopicForm,
    errors: FormErrors,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let caller = v.caller()?.clone();
    let places = db::run(&state.pool, move |conn| {
        overview::places_to_raise(conn, &caller)
    })
    .await?;
    let c = Chrome::new(v, v.t().topics.new_title);
    page_with(
        v,
        status,
        &NewPage {
            c,
            f,
            places,
            errors,
        },
    )
}

/// GET /topics/new?place_id=…: the form, with the community preselected.
async fn new_page(
    v: Visitor,
    state: web::Data<AppState>,
    q: web::Query<NewQuery>,
) -> Result<HttpResponse, PageError> {
    v.caller()?;
    let f = NewTopicForm {
        place_id: q.into_inner().place_id,
        ..Default::default()
    };
    render(&v, &state, f, FormErrors::default(), StatusCode::OK).await
}

/// The 照片 of a posted form.
enum Photo {
    None,
    Bytes(Vec<u8>),
    /// Larger than allowed: refused next to 照片, the text fields still read.
    TooLarge,
}

/// A multipart body read into text fields and the photo.
struct Posted {
    fields: HashMap<String, String>,
    photo: Photo,
}

/// The longest text field kept.
const MAX_TEXT: usize = 16 * 1024;

/// Reads the multipart body: text fields (16 KiB each) and the `photo` file. A photo larger
/// than `max_photo` is read to its end and dropped (so the typed text is shown again with
/// the refusal next to 照片); a body beyond four times that is cut off with 413. An empty
/// file input sends no bytes: no photo.
async fn read(mut body: Multipart, max_photo: usize) -> ApiResult<Posted> {
    let mut posted = Posted {
        fields: HashMap::new(),
        photo: Photo::None,
    };
    let budget = max_photo.saturating_mul(4).saturating_add(64 * 1024);
    let mut total = 0usize;
    while let Some(field) = body.next().await {
        let mut field = field.map_err(|e| ApiError::BadRequest {
            code: "request.invalid_field",
            field: Some("photo".into()),
            detail: e.to_string(),
        })?;
        let name = field.name().unwrap_or_default().to_string();
        let is_photo = name == "photo";
        let limit = if is_photo { max_photo } else { MAX_TEXT };
        let mut buf = Vec::new();
        let mut too_large = false;
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|_| ApiError::PayloadTooLarge)?;
            total = total.saturating_add(chunk.len());
            if total > budget || (!is_photo && buf.len() + chunk.len() > limit) {
                return Err(ApiError::PayloadTooLarge);
            }
            if too_large || buf.len() + chunk.len() > limit {
                too_large = true;
                buf.clear();
                continue;
            }
            buf.extend_from_slice(&chunk);
        }
        if is_photo {
            posted.photo = match (too_large, buf.is_empty()) {
                (true, _) => Photo::TooLarge,
                (false, true) => Photo::None,
                (false, false) => Photo::Bytes(buf),
            };
        } else if let Ok(text) = String::from_utf8(buf) {
            posted.fields.entry(name).or_insert(text);
        }
    }
    Ok(posted)
}

/// Why the photo would be refused (the attachments area's own checks and re-encoding, run
/// before the topic exists, so a refused photo leaves nothing behind); None when it is fine.
async fn photo_refusal(state: &AppState, bytes: Vec<u8>) -> ApiResult<Option<&'static str>> {
    let settings = state.settings.clone();
    let judged = web::block(move || {
        attachments::process::prepare(OwnerKind::Topic, &bytes, &settings.attachments)
    })
    .await
    .map_err(|e| ApiError::internal(format!("image work: {e}")))?;
    Ok(judged
        .err()
        .map(|r| attachments::actions::refused(r).code()))
}

/// The API's request from the form.
fn request(f: &NewTopicForm) -> ApiResult<NewTopic> {
    let place_id = id_field(&f.place_id, "place_id")?;
    let category = Category::parse(f.category.trim())
        .ok_or_else(|| ApiError::invalid("category", "validation.required", "choose one"))?;
    validated(NewTopic {
        place_id,
        title: f.title.clone(),
        body: f.body.clone(),
        category,
        major: None,
        on_behalf_of: None,
    })
}

/// POST /topics/new: creates the topic, then 303 to its page.
async fn create(
    v: Visitor,
    state: web::Data<AppState>,
    body: Multipart,
) -> Result<HttpResponse, PageError> {
    let caller = v.caller()?.clone();
    let posted = read(body, state.settings.attachments.max_bytes).await?;
    let field = |k: &str| posted.fields.get(k).cloned().unwrap_or_default();
    v.check_csrf(&field("csrf"))?;
    let f = NewTopicForm {
        place_id: field("place_id"),
        title: field("title"),
        body: field("body"),
        category: field("category"),
    };
    let t = v.t();
    // The photo is judged before the topic is made: a refused photo leaves nothing behind.
    let photo_refused = match &posted.photo {
        Photo::None => None,
        Photo::TooLarge => Some("request.body_too_large"),
        Photo::Bytes(bytes) => photo_refusal(&state, bytes.clone()).await?,
    };
    let input = request(&f);
    if input.is_err() || photo_refused.is_some() {
        let mut errors = match &input {
            Err(e) => FormErrors::of(e, &FIELDS, t),
            Ok(_) => FormErrors::default(),
        };
        if let Some(code) = photo_refused {
            errors.fields.push(("photo".into(), t.message(code)));
        }
        let status = match &input {
            Err(e) if e.status_code().is_client_error() => e.status_code(),
            _ => StatusCode::UNPROCESSABLE_ENTITY,
        };
        return render(&v, &state, f, errors, status).await;
    }
    let done = act(&state, input, move |conn, req| {
        workflow::create_topic(conn, &caller, &req, None)
    })
    .await;
    match done {
        Ok(topic) => {
            let mut flash = v.t().topics.raised_flash;
            if let Photo::Bytes(bytes) = posted.photo {
                let photo = Upload {
                    bytes,
                    filename: None,
                };
                let caller = v.caller()?;
                if let Err(e) =
                    attachments::actions::upload(&state, caller, Owner::topic(topic.id), photo)
                        .await
                {
                    tracing::warn!(error = %e, topic = topic.id, "photo of a new topic not saved");
                    flash = v.t().topics.photo_not_saved;
                }
            }
            Ok(v.redirect(&format!("/topics/{}", topic.id), Some(flash)))
        }
        Err(e @ (ApiError::Unauthorized(_) | ApiError::Internal(_) | ApiError::Unavailable(_))) => {
            Err(e.into())
        }
        Err(e) => {
            let errors = FormErrors::of(&e, &FIELDS, v.t());
            let status = match e.status_code() {
                s if s.is_client_error() => s,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            render(&v, &state, f, errors, status).await
        }
    }
}

/// GET and POST /topics/new.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/topics/new", web::get().to(new_page))
        .route("/topics/new", web::post().to(create));
}
