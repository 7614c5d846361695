//! Typed settings: config/default.toml (embedded), then config/<profile>.toml, then `YISHI_*`
//! environment variables (`YISHI_SECTION__KEY`). Passed in app state, never a global, so tests vary it.

use std::path::{Path, PathBuf};

use std::collections::HashMap;

use chrono::{NaiveTime, Timelike};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use crate::consultations::rules::{Category, Kind};

/// The placeholder secret shipped in default.toml. It never signs anything: production
/// refuses it, development and test replace it with a generated secret
/// ([`Settings::with_signing_secret`]), and `JwtKeys::new` refuses it.
pub const PLACEHOLDER_SECRET: &str = "insecure-development-secret-change-me";
const DEFAULT_TOML: &str = include_str!("../config/default.toml");

/// Everything the service reads at start.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// development, test or production.
    pub profile: String,
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub auth: AuthSettings,
    pub mail: MailSettings,
    pub locale: LocaleSettings,
    pub demo: DemoSettings,
    pub workflow: WorkflowSettings,
    pub consultations: ConsultationSettings,
    pub web: WebSettings,
    pub attachments: AttachmentSettings,
    pub notifications: NotificationSettings,
    pub webhooks: WebhookSettings,
}

/// Attachments: where the files are stored and how large they may be (docs/attachments.md).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttachmentSettings {
    /// Which store holds the files: a local folder, or an S3-compatible bucket for several
    /// nodes.
    pub store: StoreKind,
    /// The folder of the local store.
    pub local_dir: String,
    /// The S3 endpoint URL; empty means AWS itself.
    pub s3_endpoint: String,
    pub s3_bucket: String,
    pub s3_region: String,
    pub s3_access_key_id: String,
    pub s3_secret_access_key: SecretString,
    /// Allows a plain-http endpoint (a local store or a test server).
    pub s3_allow_http: bool,
    /// Largest accepted file; multipart bodies may be this plus a little for the envelope.
    pub max_bytes: usize,
    /// Longest side of a thumbnail.
    pub thumbnail_px: u32,
    /// Largest image in pixels, checked before decoding (decompression bombs).
    pub max_pixels: u64,
}

/// Where attachment files are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StoreKind {
    Local,
    S3,
}

/// Meetings: working hours for free-slot search, the sign-off window, balanced participation.
/// Parsed once at start-up: a bad value is a start-up error naming its key.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsultationSettings {
    /// Local start of a working day, "HH:MM".
    #[serde(deserialize_with = "hh_mm::work_day_start")]
    pub work_day_start: NaiveTime,
    /// Local end of a working day, "HH:MM".
    #[serde(deserialize_with = "hh_mm::work_day_end")]
    pub work_day_end: NaiveTime,
    /// Only Monday to Friday count as working days.
    pub weekdays_only: bool,
    /// Days after conclusion during which attendees confirm the minutes or dissent (纪要确认).
    pub signoff_days: i64,
    /// Participant categories a meeting kind needs (balanced participation), e.g.
    /// `hearing = ["resident_rep", "property_firm", "department"]`. The one source of this
    /// rule: scheduling warns from it and `missing_categories` in responses reads it.
    #[serde(deserialize_with = "required_categories")]
    pub required_categories: HashMap<Kind, Vec<Category>>,
    /// Minutes before the scheduled start from which a meeting may be started; a hearing
    /// started earlier does not count as held for the `major` rule.
    pub start_margin_minutes: i64,
    /// Hours after the scheduled end during which a meeting may still be started.
    pub conclude_grace_hours: i64,
}

impl ConsultationSettings {
    /// The participant categories a meeting of `kind` needs (none when not configured).
    pub fn required_for(&self, kind: Kind) -> &[Category] {
        self.required_categories
            .get(&kind)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// The start margin and late grace for [`crate::consultations::rules::may_happen_now`].
    pub fn timing(&self) -> crate::consultations::rules::Timing {
        crate::consultations::rules::Timing {
            start_margin: chrono::Duration::minutes(self.start_margin_minutes.clamp(0, 525_600)),
            conclude_grace: chrono::Duration::hours(self.conclude_grace_hours.clamp(0, 8_760)),
        }
    }

    /// Minutes after local midnight of a working-hours bound.
    pub fn minute_of(t: NaiveTime) -> u32 {
        t.num_seconds_from_midnight() / 60
    }
}

/// "HH:MM" working-hours bounds, with the key in the error.
mod hh_mm {
    use chrono::NaiveTime;
    use serde::{Deserialize, Deserializer, de::Error};

    fn parse<'de, D: Deserializer<'de>>(d: D, key: &str) -> Result<NaiveTime, D::Error> {
        let s = String::deserialize(d)?;
        NaiveTime::parse_from_str(&s, "%H:%M")
            .map_err(|_| D::Error::custom(format!("{key} {s:?} is not a time HH:MM")))
    }

    pub fn work_day_start<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveTime, D::Error> {
        parse(d, "consultations.work_day_start")
    }

    pub fn work_day_end<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveTime, D::Error> {
        parse(d, "consultations.work_day_end")
    }
}

/// The kind → categories map, every name checked, with the key in the error.
fn required_categories<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<HashMap<Kind, Vec<Category>>, D::Error> {
    use serde::de::Error;
    let raw = HashMap::<String, Vec<String>>::deserialize(d)?;
    let mut map = HashMap::new();
    for (kind, cats) in raw {
        let k = Kind::parse(&kind).ok_or_else(|| {
            D::Error::custom(format!(
                "consultations.required_categories: unknown meeting kind {kind:?}"
            ))
        })?;
        let cats = cats
            .iter()
            .map(|c| {
                Category::parse(c).ok_or_else(|| {
                    D::Error::custom(format!(
                        "consultations.required_categories.{kind}: unknown category {c:?}"
                    ))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        map.insert(k, cats);
    }
    Ok(map)
}

/// An IANA zone name, with the key in the error.
fn time_zone<'de, D: serde::Deserializer<'de>>(d: D) -> Result<chrono_tz::Tz, D::Error> {
    use serde::de::Error;
    let s = String::deserialize(d)?;
    s.parse()
        .map_err(|_| D::Error::custom(format!("locale.time_zone {s:?} is not an IANA time zone")))
}

/// The numbers of the five steps that each installation sets for itself.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkflowSettings {
    /// Supporters that make a topic "hot" in the catalog (0 = never).
    pub hot_threshold: i32,
    /// Length of the public notice period 公示期 after a plan is published.
    pub notice_days: i64,
    /// Length of the evaluation window after the work is completed.
    pub evaluation_days: i64,
    /// Ratings that allow closing before the window ends.
    pub min_ratings: i32,
    /// Mean score (1-5) at or above which the result satisfies.
    pub satisfaction_threshold: f64,
}

/// The web pages for people.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebSettings {
    /// A browser session ends after this many days without use; each use renews it.
    pub session_days: i64,
}

impl ServerSettings {
    /// Cookies are `Secure` when the public address is https.
    pub fn is_https(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

/// Notifications: the fan-out worker, mail defaults and reminders (docs/notifications.md).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotificationSettings {
    /// Run the fan-out, digest, reminder and webhook worker inside `serve` (safe on every node).
    pub worker_enabled: bool,
    /// How often the worker looks for new events when nothing woke it.
    pub poll_interval_ms: u64,
    /// Events fanned out per transaction.
    pub batch_size: i64,
    /// Followers resolved per statement.
    pub follower_chunk: i64,
    /// Mail mode for users who chose none: immediate, digest or off.
    pub default_email: crate::notifications::kinds::EmailMode,
    /// Local hour of the daily digest for users who chose none.
    pub default_digest_hour: i32,
    /// Immediate notification mails per user per hour; the rest wait for the digest. 0: no cap.
    pub email_hourly_cap: i64,
    /// Meeting reminders, in minutes before the start.
    pub meeting_reminder_minutes: Vec<i64>,
    /// Local hour at which task reminders (due tomorrow, overdue) are sent each day.
    pub task_reminder_hour: u32,
    /// How long before an evaluation window closes its closing reminder is sent.
    pub evaluation_closing_hours: i64,
    /// Comment lines sent on an idle notification stream, in seconds.
    pub stream_keepalive_seconds: u64,
}

/// Webhooks for integrators.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookSettings {
    /// Allow endpoints on loopback and private addresses (tests, or a bridge inside the
    /// installation's own network). Off by default: an admin must not be able to make the
    /// server call its own neighbours (SSRF).
    pub allow_private_targets: bool,
    /// How long one delivery attempt may take.
    pub timeout_ms: u64,
    /// Retries back off until this many hours after the first attempt, then give up.
    pub retry_hours: i64,
}

/// The demo city.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoSettings {
    pub seed_on_empty: bool,
    pub password: String,
}

/// HTTP listener.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    pub bind: String,
    pub public_url: String,
    pub workers: usize,
    pub max_body_bytes: usize,
    pub trust_forwarded_for: bool,
    /// When set, `/metrics` answers only `Authorization: Bearer <metrics_token>` (a scraper's
    /// secret, not a user token); empty leaves it open, for a proxy to guard.
    pub metrics_token: SecretString,
    /// Adds `x-sql-statements` (the statements a request issued) to every response; for the
    /// N+1 test and profiling, never needed in production.
    pub statement_count_header: bool,
}

/// Storage.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    pub url: String,
    pub pool_size: u32,
    pub busy_timeout_ms: u64,
    pub migrate_on_start: bool,
}

/// Tokens, passwords and login throttling.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthSettings {
    pub jwt_secret: SecretString,
    pub jwt_secret_file: String,
    /// Where development and test keep the secret generated in place of the placeholder.
    pub generated_secret_file: String,
    pub issuer: String,
    pub audience: String,
    pub access_ttl_seconds: i64,
    pub refresh_ttl_days: i64,
    pub verify_token_hours: i64,
    pub reset_token_minutes: i64,
    pub require_verified_email: bool,
    /// Failures of an account within `failure_window_minutes` before its logins are delayed.
    pub free_failed_logins: i32,
    /// The cap of the doubling per-account delay, so the owner can always get in.
    pub max_login_delay_seconds: i64,
    /// Failures of an account from one client address that lock that address out of it.
    pub max_failed_logins: i32,
    pub failure_window_minutes: i64,
    /// How long an (account, address) lock lasts.
    pub lockout_minutes: i64,
    /// How long the mailed unlock link works.
    pub unlock_token_hours: i64,
    pub login_attempts_per_ip_per_minute: u32,
    pub argon2_memory_kib: u32,
    pub argon2_iterations: u32,
    pub argon2_parallelism: u32,
    pub hash_concurrency: usize,
    pub hash_queue_limit: usize,
}

/// Outgoing mail.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailSettings {
    pub transport: MailTransportKind,
    pub from: String,
    pub file_dir: String,
    pub smtp_host: String,
    pub smtp_port: u16,
    pub smtp_tls: SmtpTls,
    pub smtp_username: String,
    pub smtp_password: SecretString,
    pub poll_interval_ms: u64,
    pub batch_size: i64,
    pub max_attempts: i32,
    pub sender_enabled: bool,
}

/// Which lettre transport delivers the outbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MailTransportKind {
    Smtp,
    File,
    Log,
}

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    None,
    Starttls,
    Tls,
}

/// Installation locale.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocaleSettings {
    /// The installation's zone, for calendars, working hours and day boundaries.
    #[serde(deserialize_with = "time_zone")]
    pub time_zone: chrono_tz::Tz,
}

/// Why settings could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration: {0}")]
    Load(#[from] config::ConfigError),
    #[error("configuration: {0}")]
    Invalid(String),
}

/// The `YISHI_SECTION__KEY` variables. Variables without `__` (YISHI_PROFILE, YISHI_LOG,
/// YISHI_CONFIG_DIR) belong to the command line, not to the settings.
fn setting_vars() -> config::Map<String, String> {
    std::env::vars()
        .filter(|(k, _)| k.starts_with("YISHI_") && k.contains("__"))
        .collect()
}

impl Settings {
    /// Loads defaults, the profile file from `config_dir` (if present), the environment, then
    /// `overrides` (used by tests and CLI flags), and checks the result.
    pub fn load(
        config_dir: &Path,
        profile: &str,
        overrides: &[(&str, String)],
    ) -> Result<Self, ConfigError> {
        let profile_file: PathBuf = config_dir.join(format!("{profile}.toml"));
        let mut builder = config::Config::builder()
            .add_source(config::File::from_str(
                DEFAULT_TOML,
                config::FileFormat::Toml,
            ))
            .add_source(config::File::from(profile_file).required(false))
            .add_source(
                config::Environment::with_prefix("YISHI")
                    .prefix_separator("_")
                    .separator("__")
                    .source(Some(setting_vars())),
            )
            .set_override("profile", profile)?;
        for (key, value) in overrides {
            builder = builder.set_override(*key, value.as_str())?;
        }
        let mut settings: Settings = builder.build()?.try_deserialize()?;
        if !settings.auth.jwt_secret_file.is_empty() {
            let secret = std::fs::read_to_string(&settings.auth.jwt_secret_file).map_err(|e| {
                ConfigError::Invalid(format!(
                    "auth.jwt_secret_file {}: {e}",
                    settings.auth.jwt_secret_file
                ))
            })?;
            settings.auth.jwt_secret = SecretString::from(secret.trim().to_string());
        }
        settings.validate()?;
        Ok(settings)
    }

    /// Refuses settings that would run insecurely or not at all.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let secret = self.auth.jwt_secret.expose_secret();
        if self.profile == "production" {
            if secret == PLACEHOLDER_SECRET || secret.len() < 32 {
                return Err(ConfigError::Invalid(
                    "production needs auth.jwt_secret (YISHI_AUTH__JWT_SECRET or auth.jwt_secret_file) of at least 32 characters, not the default".into(),
                ));
            }
            if self.demo.seed_on_empty {
                return Err(ConfigError::Invalid(
                    "production must not seed demo accounts (demo.seed_on_empty)".into(),
                ));
            }
            if self.mail.transport != MailTransportKind::Smtp {
                return Err(ConfigError::Invalid(
                    "production needs mail.transport = \"smtp\"".into(),
                ));
            }
        }
        if !needs_generated_secret(secret) && secret.len() < 16 {
            return Err(ConfigError::Invalid(
                "auth.jwt_secret must be at least 16 characters".into(),
            ));
        }
        let c = &self.consultations;
        if c.work_day_start >= c.work_day_end {
            return Err(ConfigError::Invalid(
                "consultations.work_day_start must be before consultations.work_day_end".into(),
            ));
        }
        let a = &self.attachments;
        if a.store == StoreKind::S3 && a.s3_bucket.trim().is_empty() {
            return Err(ConfigError::Invalid(
                "attachments.store = \"s3\" needs attachments.s3_bucket".into(),
            ));
        }
        if a.max_bytes == 0 || a.thumbnail_px < 16 || a.max_pixels == 0 {
            return Err(ConfigError::Invalid(
                "attachments.max_bytes and max_pixels must be positive, thumbnail_px at least 16"
                    .into(),
            ));
        }
        let n = &self.notifications;
        if !(0..=23).contains(&n.default_digest_hour) || n.task_reminder_hour > 23 {
            return Err(ConfigError::Invalid(
                "notifications.default_digest_hour and task_reminder_hour must be 0..=23".into(),
            ));
        }
        if n.batch_size < 1 || n.follower_chunk < 1 {
            return Err(ConfigError::Invalid(
                "notifications.batch_size and follower_chunk must be positive".into(),
            ));
        }
        if self.auth.argon2_memory_kib < 8 || self.auth.argon2_iterations < 1 {
            return Err(ConfigError::Invalid("argon2 parameters too small".into()));
        }
        Ok(())
    }
}

/// Is `secret` no real secret (the shipped placeholder, or nothing)?
pub fn needs_generated_secret(secret: &str) -> bool {
    secret.trim().is_empty() || secret == PLACEHOLDER_SECRET
}

impl Settings {
    /// These settings with a secret that may sign: outside production, a placeholder or empty
    /// `auth.jwt_secret` becomes the secret kept in `auth.generated_secret_file`, made on first
    /// start. `server::start` calls this, so `serve` and the test servers never sign with the
    /// placeholder; several nodes share a secret by configuring it (or the file).
    pub fn with_signing_secret(mut self) -> Result<Settings, ConfigError> {
        if !needs_generated_secret(self.auth.jwt_secret.expose_secret()) {
            return Ok(self);
        }
        if self.profile == "production" || self.auth.generated_secret_file.trim().is_empty() {
            return Err(ConfigError::Invalid(
                "auth.jwt_secret is the placeholder: set a real secret (YISHI_AUTH__JWT_SECRET or auth.jwt_secret_file), or auth.generated_secret_file outside production".into(),
            ));
        }
        let path = Path::new(&self.auth.generated_secret_file);
        self.auth.jwt_secret = crate::auth::secret::load_or_create(path)
            .map_err(|e| ConfigError::Invalid(format!("auth.generated_secret_file {e}")))?;
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consultation_settings_are_typed_at_start() {
        let s = Settings::load(Path::new("/nonexistent"), "test", &[]).unwrap();
        assert_eq!(s.locale.time_zone, chrono_tz::Asia::Shanghai);
        let c = &s.consultations;
        assert_eq!(ConsultationSettings::minute_of(c.work_day_start), 540);
        assert_eq!(ConsultationSettings::minute_of(c.work_day_end), 1050);
        // The live rule of required categories is the configured map (default.toml).
        for kind in Kind::ALL {
            let want: &[Category] = match kind {
                Kind::Hearing => &[
                    Category::ResidentRep,
                    Category::PropertyFirm,
                    Category::Department,
                ],
                Kind::OpinionSolicitation => &[Category::ResidentRep],
                _ => &[],
            };
            assert_eq!(c.required_for(kind), want, "{kind:?}");
        }
    }

    #[test]
    fn the_placeholder_is_replaced_outside_production_and_refused_in_it() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("jwt-secret").display().to_string();
        let load = |profile: &str, secret: &str| {
            Settings::load(
                Path::new("/nonexistent"),
                profile,
                &[
                    ("auth.jwt_secret", secret.to_string()),
                    ("auth.generated_secret_file", file.clone()),
                ],
            )
        };
        for secret in [PLACEHOLDER_SECRET, ""] {
            let s = load("test", secret).unwrap().with_signing_secret().unwrap();
            let generated = s.auth.jwt_secret.expose_secret().to_string();
            assert_ne!(generated, PLACEHOLDER_SECRET);
            assert_eq!(std::fs::read_to_string(&file).unwrap().trim(), generated);
            assert!(
                load("production", secret).is_err(),
                "{secret:?} in production"
            );
        }
        let real = "a-real-secret-of-at-least-32-characters";
        let s = load("test", real).unwrap().with_signing_secret().unwrap();
        assert_eq!(
            s.auth.jwt_secret.expose_secret(),
            real,
            "a real secret stays"
        );
        assert!(load("test", "short").is_err());
    }

    #[test]
    fn bad_values_name_their_key() {
        // (profile file, text the start-up error must hold)
        let cases = [
            ("[locale]\ntime_zone = \"Mars/Olympus\"", "locale.time_zone"),
            (
                "[consultations]\nwork_day_start = \"9h\"",
                "consultations.work_day_start",
            ),
            (
                "[consultations]\nwork_day_end = \"25:00\"",
                "consultations.work_day_end",
            ),
            (
                "[consultations]\nwork_day_start = \"18:00\"",
                "consultations.work_day_start",
            ),
            (
                "[consultations.required_categories]\nhearing = [\"nobody\"]",
                "consultations.required_categories.hearing: unknown category \"nobody\"",
            ),
            (
                "[consultations.required_categories]\nparty = [\"expert\"]",
                "consultations.required_categories: unknown meeting kind \"party\"",
            ),
        ];
        for (file, want) in cases {
            let dir = tempfile::tempdir().unwrap();
            std::fs::write(dir.path().join("broken.toml"), file).unwrap();
            let err = Settings::load(dir.path(), "broken", &[])
                .unwrap_err()
                .to_string();
            assert!(err.contains(want), "{file}: {err}");
        }
    }
}
