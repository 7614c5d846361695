//! The notification parts of the pages: the 通知 section of `/me` (unread first, collapsed per
//! topic, then recent read ones; 标为已读 and 全部标为已读), 我关注的 (the follows), the mail
//! preferences form, and the 关注/取消关注 buttons of a topic. Every form calls the action
//! the JSON API calls and answers with a 303 back to the page.

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::api::paging::Page;
use crate::auth::Caller;
use crate::config::Settings;
use crate::db::DbConn;
use crate::error::{ApiError, ApiResult};
use crate::notifications::kinds::{EmailMode, FollowChoice, Language, NotificationKind};
use crate::notifications::model::{
    FollowOut, FollowRequest, InboxParams, NotificationOut, NotificationSettings, SettingsPatch,
};
use crate::notifications::{follows, inbox, preferences};
use crate::state::AppState;
use crate::web::visitor::safe_next;
use crate::web::{Form, PageError, Visitor, act};

/// Read items shown below the unread ones.
const RECENT_READ: usize = 10;

/// What /me shows of notifications.
pub struct MeNotices {
    /// One per topic, newest first; `unread_in_topic` says how many each stands for.
    pub unread: Vec<NotificationOut>,
    pub read: Vec<NotificationOut>,
    /// As the unread list counts (one per topic).
    pub unread_count: i64,
    pub follows: Vec<FollowOut>,
    pub prefs: NotificationSettings,
    /// The modes, hours and languages the form offers.
    pub modes: [EmailMode; 3],
    pub hours: Vec<i32>,
    pub languages: [Language; 2],
    /// The live stream's script (hashed URL).
    pub live_js: &'static str,
    /// Every kind's name, space-separated: the stream's event names the script listens to.
    pub kinds: String,
    pub tz: chrono_tz::Tz,
}

impl MeNotices {
    /// When an item came, in the installation's time zone.
    pub fn when(&self, n: &NotificationOut) -> String {
        n.created_at
            .with_timezone(&self.tz)
            .format("%Y-%m-%d %H:%M")
            .to_string()
    }
}

/// Reads the caller's notices for /me: the same actions the JSON API calls.
pub fn me_notices(conn: &mut DbConn, settings: &Settings, caller: &Caller) -> ApiResult<MeNotices> {
    let unread = inbox::list(
        conn,
        caller,
        &InboxParams {
            unread: Some(true),
            limit: Some(50),
            cursor: None,
        },
    )?
    .items;
    let read = inbox::list(
        conn,
        caller,
        &InboxParams {
            unread: None,
            limit: Some(50),
            cursor: None,
        },
    )?
    .items
    .into_iter()
    .filter(|n| n.read_at.is_some())
    .take(RECENT_READ)
    .collect();
    let unread_count = inbox::unread_count(conn, caller)?.count;
    let follows = follows::my_follows(conn, caller, Page::new(Some(100), None)?)?.items;
    let prefs = preferences::of(conn, settings, caller.user_id)?;
    Ok(MeNotices {
        unread,
        read,
        unread_count,
        follows,
        prefs,
        modes: EmailMode::ALL,
        hours: (0..24).collect(),
        languages: Language::ALL,
        live_js: crate::web::assets::url("live.js"),
        kinds: NotificationKind::ALL
            .iter()
            .map(|k| k.as_str())
            .collect::<Vec<_>>()
            .join(" "),
        tz: settings.locale.time_zone,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CsrfOnly {}

/// POST /me/notifications/{id}/read: 标为已读 (the item and the older ones it stands for).
async fn mark_read(
    v: Visitor,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    Form(_): Form<CsrfOnly>,
) -> Result<HttpResponse, PageError> {
    let caller = v.caller()?.clone();
    let id = id.into_inner();
    act(&state, Ok(()), move |conn, ()| {
        inbox::mark_read(conn, &caller, id)
    })
    .await?;
    Ok(v.redirect("/me#notifications", Some(v.t().notify.marked_flash)))
}

/// POST /me/notifications/read-all: 全部标为已读 (nothing is deleted).
async fn mark_all_read(
    v: Visitor,
    state: web::Data<AppState>,
    Form(_): Form<CsrfOnly>,
) -> Result<HttpResponse, PageError> {
    let caller = v.caller()?.clone();
    act(&state, Ok(()), move |conn, ()| {
        inbox::mark_all_read(conn, &caller)
    })
    .await?;
    Ok(v.redirect("/me#notifications", Some(v.t().notify.marked_flash)))
}

/// The mail preferences form: strings, converted as the JSON body would be.
#[derive(Deserialize, Default)]
#[serde(default)]
struct PrefsForm {
    email: String,
    digest_hour: String,
    language: String,
}

impl PrefsForm {
    /// The same patch the JSON PUT takes; a bad value is refused naming its field.
    fn patch(&self) -> ApiResult<SettingsPatch> {
        let email = EmailMode::parse(self.email.trim()).ok_or_else(|| {
            ApiError::invalid("email", "validation.invalid", "immediate, digest or off")
        })?;
        let language = Language::parse(self.language.trim())
            .ok_or_else(|| ApiError::invalid("language", "validation.invalid", "zh-CN or en"))?;
        let digest_hour = self.digest_hour.trim().parse::<i64>().map_err(|_| {
            ApiError::invalid("digest_hour", "validation.range", "an hour from 0 to 23")
        })?;
        Ok(SettingsPatch {
            email: Some(email),
            digest_hour: Some(digest_hour),
            language: Some(language),
            kinds: None,
        })
    }
}

/// POST /me/notification-settings: the same action as `PUT /me/notification-settings`.
async fn save_settings(
    v: Visitor,
    state: web::Data<AppState>,
    Form(f): Form<PrefsForm>,
) -> Result<HttpResponse, PageError> {
    let caller = v.caller()?.clone();
    let settings = state.settings.clone();
    act(&state, f.patch(), move |conn, patch| {
        preferences::update(conn, &settings, caller.user_id, &patch)
    })
    .await?;
    Ok(v.redirect("/me#mail", Some(v.t().notify.saved_flash)))
}

/// The follow form: the level (watching, normal or muted; normal when absent), and where
/// to go back to.
#[derive(Deserialize, Default)]
#[serde(default)]
struct FollowForm {
    level: String,
    next: String,
}

/// POST /topics/{id}/follow: 关注 (or re-follow, watch, mute).
async fn follow(
    v: Visitor,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    Form(f): Form<FollowForm>,
) -> Result<HttpResponse, PageError> {
    let caller = v.caller()?.clone();
    let id = id.into_inner();
    let level = match f.level.trim() {
        "" => Ok(FollowChoice::Normal),
        l => FollowChoice::parse(l).ok_or_else(|| {
            ApiError::invalid("level", "validation.invalid", "watching, normal or muted")
        }),
    };
    act(&state, level, move |conn, level| {
        follows::follow(conn, &caller, id, &FollowRequest { level })
    })
    .await?;
    let back = back_to(&f.next, id);
    Ok(v.redirect(&back, Some(v.t().notify.followed_flash)))
}

/// POST /topics/{id}/unfollow: 取消关注.
async fn unfollow(
    v: Visitor,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    Form(f): Form<FollowForm>,
) -> Result<HttpResponse, PageError> {
    let caller = v.caller()?.clone();
    let id = id.into_inner();
    act(&state, Ok(()), move |conn, ()| {
        follows::unfollow(conn, &caller, id)
    })
    .await?;
    let back = back_to(&f.next, id);
    Ok(v.redirect(&back, Some(v.t().notify.unfollowed_flash)))
}

/// The page to return to: `next` when it is a path of this site, else the topic.
fn back_to(next: &str, topic: i64) -> String {
    if next.is_empty() {
        format!("/topics/{topic}")
    } else {
        safe_next(Some(next))
    }
}

/// Registers these forms.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/me/notifications/read-all", web::post().to(mark_all_read))
        .route("/me/notifications/{id}/read", web::post().to(mark_read))
        .route("/me/notification-settings", web::post().to(save_settings))
        .route("/topics/{id}/follow", web::post().to(follow))
        .route("/topics/{id}/unfollow", web::post().to(unfollow));
}
