//! The words of the pages, zh-CN and English, as typed structs: each area has its own struct
//! with one `ZH` and one `EN` value, so a text missing in either language fails the build.
//! Error messages are not here: pages show the API's own message for a code
//! ([`crate::i18n::message`]), so a refusal reads the same on a page and in the API.

pub mod auth;
pub mod common;
pub mod mail;
pub mod meetings;
pub mod notify;
pub mod topics;
pub mod work;

use crate::i18n::Lang;

/// Every text of the pages in one language.
pub struct Texts {
    pub lang: Lang,
    /// The `<html lang>` value.
    pub html_lang: &'static str,
    pub common: common::Common,
    pub auth: auth::Auth,
    pub topics: topics::Topics,
    pub work: work::Work,
    pub meetings: meetings::Meetings,
    pub mail: mail::Mail,
    pub notify: notify::Notify,
}

static ZH: Texts = Texts {
    lang: Lang::ZhCn,
    html_lang: "zh-CN",
    common: common::ZH,
    auth: auth::ZH,
    topics: topics::ZH,
    work: work::ZH,
    meetings: meetings::ZH,
    mail: mail::ZH,
    notify: notify::ZH,
};

static EN: Texts = Texts {
    lang: Lang::En,
    html_lang: "en",
    common: common::EN,
    auth: auth::EN,
    topics: topics::EN,
    work: work::EN,
    meetings: meetings::EN,
    mail: mail::EN,
    notify: notify::EN,
};

/// The texts for `lang`.
pub fn of(lang: Lang) -> &'static Texts {
    match lang {
        Lang::ZhCn => &ZH,
        Lang::En => &EN,
    }
}

impl Texts {
    /// The API's message for an error code, in this language.
    pub fn message(&self, code: &str) -> &'static str {
        crate::i18n::message(code, self.lang)
    }
}
