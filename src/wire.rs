//! Closed sets of names shared by the API, the database and the rules (stages, roles, kinds,
//! categories): one list per enum gives the type, its serde and OpenAPI form, `ALL`, `as_str`
//! and `parse`, so a wire name is written once.

/// Declares such an enum: `wire_enum! { /// doc  pub enum Stage { Say = "say", ... } }`.
#[macro_export]
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $wire:literal ),+ $(,)?
        }
    ) => {
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize, utoipa::ToSchema,
            diesel::expression::AsExpression, diesel::deserialize::FromSqlRow,
        )]
        #[diesel(sql_type = diesel::sql_types::Text)]
        // Wire names are the variants in snake_case (serde and utoipa both read rename_all;
        // the round-trip tests of each area pin `as_str` to the serde form).
        #[serde(rename_all = "snake_case")]
        $(#[$meta])*
        $vis enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: [$name; [$(stringify!($variant)),+].len()] = [$($name::$variant),+];

            /// The wire and database name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $wire),+
                }
            }

            /// Parses a wire or database name.
            pub fn parse(s: &str) -> Option<$name> {
                match s {
                    $($wire => Some($name::$variant),)+
                    _ => None,
                }
            }

            /// The name, or an error for the log when a stored value is not one of ours.
            pub fn from_stored(s: &str) -> Result<$name, String> {
                Self::parse(s).ok_or_else(|| {
                    format!("unknown {} value {s:?} in the database", stringify!($name))
                })
            }

            /// Checks the names in both directions: each is unique, `parse` reads back what
            /// `as_str` writes, serde writes and reads the same name, and nothing else parses.
            #[cfg(test)]
            pub fn assert_wire_names() {
                let mut seen = std::collections::HashSet::new();
                for v in Self::ALL {
                    let name = v.as_str();
                    assert!(seen.insert(name), "{}: duplicate name {name}", stringify!($name));
                    assert_eq!(Self::parse(name), Some(v), "{}: parse {name}", stringify!($name));
                    let json = serde_json::Value::String(name.to_string());
                    assert_eq!(serde_json::to_value(v).ok(), Some(json.clone()), "{}: serde writes {name}", stringify!($name));
                    assert_eq!(serde_json::from_value::<$name>(json).ok(), Some(v), "{}: serde reads {name}", stringify!($name));
                }
                assert_eq!(Self::parse("nonsense"), None);
                assert_eq!(Self::parse(""), None);
            }
        }

        // Stored as its wire name in a TEXT column on every backend: rows carry the enum, and
        // an unknown stored name fails the query (logged as a 500), never a silent fallback.
        impl<DB> diesel::serialize::ToSql<diesel::sql_types::Text, DB> for $name
        where
            DB: diesel::backend::Backend,
            str: diesel::serialize::ToSql<diesel::sql_types::Text, DB>,
        {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, DB>,
            ) -> diesel::serialize::Result {
                self.as_str().to_sql(out)
            }
        }

        impl<DB> diesel::deserialize::FromSql<diesel::sql_types::Text, DB> for $name
        where
            DB: diesel::backend::Backend,
            String: diesel::deserialize::FromSql<diesel::sql_types::Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> diesel::deserialize::Result<Self> {
                let s = String::from_sql(bytes)?;
                Ok($name::from_stored(&s)?)
            }
        }
    };
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_wire_enum_speaks_its_names() {
        use crate::consultations::rules as c;
        use crate::topics::{model as tm, rules as t};
        crate::auth::Role::assert_wire_names();
        crate::accounts::queries::TokenPurpose::assert_wire_names();
        crate::accounts::queries::RevokeReason::assert_wire_names();
        crate::places::rules::PlaceKind::assert_wire_names();
        crate::places::model::OrganizationKind::assert_wire_names();
        t::Stage::assert_wire_names();
        t::Resolution::assert_wire_names();
        t::Action::assert_wire_names();
        t::Category::assert_wire_names();
        t::Source::assert_wire_names();
        t::Stance::assert_wire_names();
        crate::notifications::outbox::OutboxStatus::assert_wire_names();
        crate::notifications::kinds::NotificationKind::assert_wire_names();
        crate::notifications::kinds::FollowLevel::assert_wire_names();
        crate::notifications::kinds::FollowChoice::assert_wire_names();
        crate::notifications::kinds::EmailMode::assert_wire_names();
        crate::notifications::kinds::Language::assert_wire_names();
        crate::notifications::kinds::DeliveryMode::assert_wire_names();
        crate::notifications::webhooks::model::DeliveryStatus::assert_wire_names();
        crate::topics::events::EventKind::assert_wire_names();
        tm::ResourceKind::assert_wire_names();
        tm::TaskStatus::assert_wire_names();
        tm::ObjectionDecision::assert_wire_names();
        c::Kind::assert_wire_names();
        c::Format::assert_wire_names();
        c::Status::assert_wire_names();
        c::Action::assert_wire_names();
        c::Category::assert_wire_names();
        c::Response::assert_wire_names();
        c::Consensus::assert_wire_names();
        c::FollowUpKind::assert_wire_names();
        c::ProposalStatus::assert_wire_names();
    }
}
