//! Mail preferences per user: a general mode, a digest hour, a language and per-kind modes.
//! No row means the installation's defaults. The fan-out reads them when it schedules a mail
//! and the sender reads them again when it sends, so a change applies at once.

use std::collections::BTreeMap;

use diesel::prelude::*;

use super::kinds::{EmailMode, Language, NotificationKind};
use super::model::{NotificationSettings, SettingsPatch};
use super::rules;
use crate::config::Settings;
use crate::db::schema::{notification_kind_settings as nks, notification_settings as ns};
use crate::db::{self, DbConn};
use crate::error::{ApiError, ApiResult};

/// A user's preferences, the defaults filled in.
pub fn of(conn: &mut DbConn, settings: &Settings, user_id: i64) -> ApiResult<NotificationSettings> {
    let row: Option<(EmailMode, i32, Language)> = ns::table
        .find(user_id)
        .select((ns::email, ns::digest_hour, ns::language))
        .first(conn)
        .optional()?;
    let d = &settings.notifications;
    let (email, digest_hour, language) =
        row.unwrap_or((d.default_email, d.default_digest_hour, Language::ZhCn));
    let kinds: Vec<(NotificationKind, EmailMode)> = nks::table
        .filter(nks::user_id.eq(user_id))
        .select((nks::kind, nks::email))
        .load(conn)?;
    Ok(NotificationSettings {
        email,
        digest_hour,
        language,
        kinds: kinds.into_iter().collect(),
    })
}

/// How a kind is mailed to this user now.
pub fn mode_for(
    conn: &mut DbConn,
    settings: &Settings,
    user_id: i64,
    kind: NotificationKind,
) -> ApiResult<EmailMode> {
    let p = of(conn, settings, user_id)?;
    Ok(rules::email_mode(p.email, p.kinds.get(&kind).copied()))
}

/// `PUT /me/notification-settings`: applies the fields given, keeps the others.
pub fn update(
    conn: &mut DbConn,
    settings: &Settings,
    user: i64,
    patch: &SettingsPatch,
) -> ApiResult<NotificationSettings> {
    if let Some(h) = patch.digest_hour
        && !(0..=23).contains(&h)
    {
        return Err(ApiError::invalid(
            "digest_hour",
            "validation.range",
            "an hour from 0 to 23",
        ));
    }
    db::write_tx(conn, |conn| {
        let current = of(conn, settings, user)?;
        let email = patch.email.unwrap_or(current.email);
        let hour = patch.digest_hour.map_or(current.digest_hour, |h| h as i32);
        let language = patch.language.unwrap_or(current.language);
        let now = db::now();
        let exists = ns::table.find(user).count().get_result::<i64>(conn)? > 0;
        if exists {
            diesel::update(ns::table.find(user))
                .set((
                    ns::email.eq(email),
                    ns::digest_hour.eq(hour),
                    ns::language.eq(language),
                    ns::updated_at.eq(now),
                ))
                .execute(conn)?;
        } else {
            diesel::insert_into(ns::table)
                .values((
                    ns::user_id.eq(user),
                    ns::email.eq(email),
                    ns::digest_hour.eq(hour),
                    ns::language.eq(language),
                    ns::updated_at.eq(now),
                ))
                .execute(conn)?;
        }
        let kinds: &BTreeMap<NotificationKind, Option<EmailMode>> = match patch.kinds.as_ref() {
            Some(k) => k,
            None => return of(conn, settings, user),
        };
        for (kind, mode) in kinds {
            diesel::delete(nks::table.find((user, kind))).execute(conn)?;
            if let Some(mode) = mode {
                diesel::insert_into(nks::table)
                    .values((
                        nks::user_id.eq(user),
                        nks::kind.eq(kind),
                        nks::email.eq(mode),
                    ))
                    .execute(conn)?;
            }
        }
        of(conn, settings, user)
    })
}

/// Turns one kind's mail off (the one-click unsubscribe), or all mail when `kind` is None.
pub fn unsubscribe(
    conn: &mut DbConn,
    settings: &Settings,
    user_id: i64,
    kind: Option<NotificationKind>,
) -> ApiResult<()> {
    let caller_patch = match kind {
        Some(k) => SettingsPatch {
            email: None,
            digest_hour: None,
            language: None,
            kinds: Some([(k, Some(EmailMode::Off))].into_iter().collect()),
        },
        None => SettingsPatch {
            email: Some(EmailMode::Off),
            digest_hour: None,
            language: None,
            kinds: None,
        },
    };
    update(conn, settings, user_id, &caller_patch).map(|_| ())
}
