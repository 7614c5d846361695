//! Typed settings: config/default.toml (embedded), then config/<profile>.toml, then `YISHI_*`
//! environment variables (`YISHI_SECTION__KEY`). Passed in app state, never a global, so tests vary it.

use std::path::{Path, PathBuf};

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

/// The placeholder secret shipped in default.toml; production refuses it.
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
}

/// Meetings: working hours for free-slot search, the sign-off window, balanced participation.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsultationSettings {
    /// Local start of a working day, "HH:MM".
    pub work_day_start: String,
    /// Local end of a working day, "HH:MM".
    pub work_day_end: String,
    /// Only Monday to Friday count as working days.
    pub weekdays_only: bool,
    /// Days after conclusion during which attendees confirm the minutes or dissent (纪要确认).
    pub signoff_days: i64,
    /// Participant categories a meeting kind needs (balanced participation), e.g.
    /// `hearing = ["resident_rep", "property_firm", "department"]`.
    pub required_categories: std::collections::HashMap<String, Vec<String>>,
}

impl ConsultationSettings {
    /// Minutes after local midnight of "HH:MM".
    pub fn minute_of(hhmm: &str) -> Option<u32> {
        let (h, m) = hhmm.split_once(':')?;
        let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
        (h < 24 && m < 60).then_some(h * 60 + m)
    }
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
    pub issuer: String,
    pub audience: String,
    pub access_ttl_seconds: i64,
    pub refresh_ttl_days: i64,
    pub verify_token_hours: i64,
    pub reset_token_minutes: i64,
    pub require_verified_email: bool,
    pub max_failed_logins: i32,
    pub failure_window_minutes: i64,
    pub lockout_minutes: i64,
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
    pub time_zone: String,
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
        if secret.len() < 16 {
            return Err(ConfigError::Invalid(
                "auth.jwt_secret must be at least 16 characters".into(),
            ));
        }
        if self.locale.time_zone.parse::<chrono_tz::Tz>().is_err() {
            return Err(ConfigError::Invalid(format!(
                "locale.time_zone {:?} is not an IANA time zone",
                self.locale.time_zone
            )));
        }
        let c = &self.consultations;
        match (
            ConsultationSettings::minute_of(&c.work_day_start),
            ConsultationSettings::minute_of(&c.work_day_end),
        ) {
            (Some(a), Some(b)) if a < b => {}
            _ => {
                return Err(ConfigError::Invalid(
                    "consultations.work_day_start/end must be HH:MM with start before end".into(),
                ));
            }
        }
        for (kind, cats) in &c.required_categories {
            if crate::consultations::rules::Kind::parse(kind).is_none() {
                return Err(ConfigError::Invalid(format!(
                    "consultations.required_categories: unknown meeting kind {kind}"
                )));
            }
            if let Some(bad) = cats
                .iter()
                .find(|x| crate::consultations::rules::Category::parse(x).is_none())
            {
                return Err(ConfigError::Invalid(format!(
                    "consultations.required_categories.{kind}: unknown category {bad}"
                )));
            }
        }
        if self.auth.argon2_memory_kib < 8 || self.auth.argon2_iterations < 1 {
            return Err(ConfigError::Invalid("argon2 parameters too small".into()));
        }
        Ok(())
    }
}
