//! Consultation pages (协商会): `/consultations` (the meetings a visitor may see),
//! `/consultations/new` (convene one), `/consultations/{id}` (the meeting: see [`show`]) and
//! `/cppcc` (请你来协商, the CPPCC member's queue). Each handler calls the consultation
//! action the JSON API calls (or a page read in `consultations::actions::page` that composes
//! them); what a visitor may do comes from `consultations::rules::may`.

mod show;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::Deserialize;

use crate::consultations::actions;
use crate::consultations::model::{ConsultationOut, NewConsultation};
use crate::consultations::rules::{CONVENERS, Format, Kind};
use crate::error::ApiError;
use crate::places::model::PlaceOut;
use crate::state::AppState;
use crate::topics::model::{TopicFilter, TopicOut};
use crate::web::form::{id_field, validated};
use crate::web::{Chrome, Form, FormErrors, PageError, Visitor, page, page_with};
use crate::{db, topics};

/// A time as people there read it: `2026-12-07 10:00` in the installation's zone.
pub(crate) fn local(tz: Tz, t: DateTime<Utc>) -> String {
    t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
}

/// A meeting's time span: `2026-12-07 10:00–11:30` (the end's date when it differs).
pub(crate) fn span(tz: Tz, from: DateTime<Utc>, to: DateTime<Utc>) -> String {
    let (a, b) = (from.with_timezone(&tz), to.with_timezone(&tz));
    if a.date_naive() == b.date_naive() {
        format!("{}–{}", a.format("%Y-%m-%d %H:%M"), b.format("%H:%M"))
    } else {
        format!(
            "{} – {}",
            a.format("%Y-%m-%d %H:%M"),
            b.format("%Y-%m-%d %H:%M")
        )
    }
}

/// A `datetime-local` value (`2026-12-07T10:00`) in the installation's zone, as UTC; 422
/// naming `field` when empty or not a time there.
pub(crate) fn parse_local(tz: Tz, value: &str, field: &str) -> Result<DateTime<Utc>, ApiError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(ApiError::invalid(field, "validation.required", "a time"));
    }
    let naive = NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S"))
        .map_err(|_| ApiError::invalid(field, "validation.invalid", "YYYY-MM-DDTHH:MM"))?;
    tz.from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| ApiError::invalid(field, "validation.invalid", "no such local time"))
}

/// A `date` value as the end of that day in the installation's zone (a due date).
pub(crate) fn parse_due(tz: Tz, value: &str, field: &str) -> Result<DateTime<Utc>, ApiError> {
    let d = NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d")
        .map_err(|_| ApiError::invalid(field, "validation.invalid", "YYYY-MM-DD"))?;
    let end = d
        .and_hms_opt(23, 59, 0)
        .ok_or_else(|| ApiError::invalid(field, "validation.invalid", "YYYY-MM-DD"))?;
    tz.from_local_datetime(&end)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| ApiError::invalid(field, "validation.invalid", "no such local time"))
}

/// An optional text field: None when blank.
pub(crate) fn opt(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// One meeting on the list, ready to show.
struct Row {
    m: ConsultationOut,
    when: String,
}

#[derive(Template)]
#[template(path = "meetings/list.html")]
struct ListPage<'a> {
    c: Chrome<'a>,
    rows: Vec<Row>,
    may_convene: bool,
}

async fn list(v: Visitor, state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    let caller = v.caller()?.clone();
    let settings = state.settings.clone();
    let tz = settings.locale.time_zone;
    let meetings = db::run(&state.pool, move |conn| {
        actions::my_meetings(conn, &settings, &caller)
    })
    .await?;
    let rows = meetings
        .into_iter()
        .map(|m| Row {
            when: span(tz, m.starts_at, m.ends_at),
            m,
        })
        .collect();
    let c = Chrome::new(&v, v.t().meetings.list_title);
    let may_convene = v.holds_any(&CONVENERS);
    page(
        &v,
        &ListPage {
            c,
            rows,
            may_convene,
        },
    )
}

/// The create form's values (strings, as typed).
#[derive(Default)]
struct NewForm {
    place_id: String,
    title: String,
    kind: String,
    format: String,
    venue: String,
    online_url: String,
    starts_at: String,
    ends_at: String,
    topic_ids: Vec<String>,
}

impl NewForm {
    /// Reads the submitted pairs (议题 checkboxes repeat `from_topic_id`).
    fn of(pairs: Vec<(String, String)>) -> NewForm {
        let mut f = NewForm::default();
        for (k, val) in pairs {
            match k.as_str() {
                "place_id" => f.place_id = val,
                "title" => f.title = val,
                "kind" => f.kind = val,
                "format" => f.format = val,
                "venue" => f.venue = val,
                "online_url" => f.online_url = val,
                "starts_at" => f.starts_at = val,
                "ends_at" => f.ends_at = val,
                "from_topic_id" => f.topic_ids.push(val),
                _ => {}
            }
        }
        f
    }

    fn has_topic(&self, id: &i64) -> bool {
        self.topic_ids.iter().any(|t| t.trim() == id.to_string())
    }

    fn is_place(&self, id: &i64) -> bool {
        self.place_id.trim() == id.to_string()
    }

    /// The API's request, checked as the API checks it, and the chosen topics.
    fn request(&self, tz: Tz) -> Result<(NewConsultation, Vec<i64>), ApiError> {
        let place_id = id_field(&self.place_id, "place_id")?;
        let kind = Kind::parse(self.kind.trim())
            .ok_or_else(|| ApiError::invalid("kind", "validation.invalid", "a meeting kind"))?;
        let format = Format::parse(self.format.trim())
            .ok_or_else(|| ApiError::invalid("format", "validation.invalid", "a format"))?;
        let req = validated(NewConsultation {
            place_id,
            title: self.title.trim().to_string(),
            kind,
            format,
            venue: opt(&self.venue),
            online_url: opt(&self.online_url),
            starts_at: parse_local(tz, &self.starts_at, "starts_at")?,
            ends_at: parse_local(tz, &self.ends_at, "ends_at")?,
            from_topic_id: None,
        })?;
        let topics = self
            .topic_ids
            .iter()
            .map(|t| id_field(t, "from_topic_id"))
            .collect::<Result<Vec<_>, _>>()?;
        Ok((req, topics))
    }
}

#[derive(Template)]
#[template(path = "meetings/new.html")]
struct NewPage<'a> {
    c: Chrome<'a>,
    f: NewForm,
    places: Vec<PlaceOut>,
    topics: Vec<TopicOut>,
    kinds: [Kind; 8],
    formats: [Format; 3],
    time_hint: String,
    errors: FormErrors,
}

/// The form's fields, for placing refusals next to them.
const NEW_FIELDS: [&str; 9] = [
    "place_id",
    "title",
    "kind",
    "format",
    "venue",
    "online_url",
    "starts_at",
    "ends_at",
    "from_topic_id",
];

async fn new_page_with(
    v: &Visitor,
    state: &AppState,
    f: NewForm,
    errors: FormErrors,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let caller = v.caller()?.clone();
    let settings = state.settings.clone();
    let (places, topics) = db::run(&state.pool, move |conn| {
        let places = actions::convening_places(conn, &caller)?;
        let topics = actions::agenda_choices(conn, &settings, &caller)?;
        Ok((places, topics))
    })
    .await?;
    if places.is_empty() {
        // Only conveners (CPPCC members, community and sub-district staff) convene.
        return Err(ApiError::Forbidden("permission.denied").into());
    }
    let c = Chrome::new(v, v.t().meetings.new_title);
    page_with(
        v,
        status,
        &NewPage {
            c,
            f,
            places,
            topics,
            kinds: Kind::ALL,
            formats: Format::ALL,
            time_hint: format!(
                "{}{}",
                v.t().meetings.time_hint,
                state.settings.locale.time_zone.name()
            ),
            errors,
        },
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NewQuery {
    topic_id: String,
}

async fn new_page(
    v: Visitor,
    state: web::Data<AppState>,
    q: web::Query<NewQuery>,
) -> Result<HttpResponse, PageError> {
    let caller = v.caller()?.clone();
    let mut f = NewForm {
        kind: Kind::MicroConsultation.as_str().to_string(),
        format: Format::InPerson.as_str().to_string(),
        ..Default::default()
    };
    if let Ok(tid) = q.topic_id.trim().parse::<i64>() {
        f.topic_ids.push(tid.to_string());
        // The topic's place is the meeting's place unless the convener picks another.
        let settings = state.settings.clone();
        let topic = db::run(&state.pool, move |conn| {
            topics::reads::get_topic(conn, &settings, &caller, tid)
        })
        .await;
        if let Ok(t) = topic {
            f.place_id = t.place_id.to_string();
            f.title = t.title;
        }
    }
    new_page_with(&v, &state, f, FormErrors::default(), StatusCode::OK).await
}

async fn create(
    v: Visitor,
    state: web::Data<AppState>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let caller = v.caller()?.clone();
    let f = NewForm::of(pairs);
    let settings = state.settings.clone();
    let done = match f.request(settings.locale.time_zone) {
        Ok((req, topic_ids)) => {
            db::run(&state.pool, move |conn| {
                actions::create_with_topics(
                    conn,
                    &settings,
                    &caller,
                    &req,
                    &topic_ids,
                    "from_topic_id",
                )
            })
            .await
        }
        Err(e) => Err(e),
    };
    match done {
        Ok(m) => Ok(v.redirect(
            &format!("/consultations/{}", m.id),
            Some(v.t().meetings.created),
        )),
        Err(e @ (ApiError::Invalid { .. } | ApiError::BadRequest { .. })) => {
            let errors = FormErrors::of(&e, &NEW_FIELDS, v.t());
            new_page_with(&v, &state, f, errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e @ ApiError::Conflict { .. }) => {
            let errors = FormErrors::of(&e, &NEW_FIELDS, v.t());
            new_page_with(&v, &state, f, errors, StatusCode::CONFLICT).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "meetings/cppcc.html")]
struct CppccPage<'a> {
    c: Chrome<'a>,
    topics: Vec<TopicOut>,
}

async fn cppcc(v: Visitor, state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    let caller = v.caller()?.clone();
    if !v.holds_any(&[crate::auth::Role::CppccMember]) {
        return Err(ApiError::Forbidden("permission.denied").into());
    }
    let settings = state.settings.clone();
    let queue = db::run(&state.pool, move |conn| {
        topics::reads::list_topics(
            conn,
            &settings,
            &caller,
            &TopicFilter {
                place_id: None,
                stage: None,
                category: None,
                escalated: Some(true),
                unscheduled: Some(true),
                mine: Some(true),
                author_id: None,
                q: None,
                limit: Some(100),
                cursor: None,
            },
        )
    })
    .await?;
    let c = Chrome::new(&v, v.t().meetings.cppcc_title);
    page(
        &v,
        &CppccPage {
            c,
            topics: queue.items,
        },
    )
}

/// The consultation pages and /cppcc.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/consultations", web::get().to(list))
        .route("/consultations", web::post().to(create))
        .route("/consultations/new", web::get().to(new_page))
        .route("/cppcc", web::get().to(cppcc));
    show::configure(cfg);
}
