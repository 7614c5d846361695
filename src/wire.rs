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
            Debug, Clone, Copy, PartialEq, Eq, Hash,
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

            /// Does serde write every value as its `as_str` name (and read it back)?
            #[cfg(test)]
            pub fn serde_matches_wire() -> bool {
                Self::ALL.iter().all(|v| {
                    let json = serde_json::Value::String(v.as_str().to_string());
                    serde_json::to_value(v).ok().as_ref() == Some(&json)
                        && serde_json::from_value::<$name>(json).ok() == Some(*v)
                })
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
        let checks = [
            ("Role", crate::auth::Role::serde_matches_wire()),
            (
                "PlaceKind",
                crate::places::rules::PlaceKind::serde_matches_wire(),
            ),
            (
                "OrganizationKind",
                crate::places::model::OrganizationKind::serde_matches_wire(),
            ),
            ("Stage", t::Stage::serde_matches_wire()),
            ("Resolution", t::Resolution::serde_matches_wire()),
            ("TopicAction", t::Action::serde_matches_wire()),
            ("TopicCategory", t::Category::serde_matches_wire()),
            ("Source", t::Source::serde_matches_wire()),
            ("Stance", t::Stance::serde_matches_wire()),
            (
                "OutboxStatus",
                crate::notifications::outbox::OutboxStatus::serde_matches_wire(),
            ),
            (
                "EventKind",
                crate::topics::events::EventKind::serde_matches_wire(),
            ),
            ("ResourceKind", tm::ResourceKind::serde_matches_wire()),
            ("TaskStatus", tm::TaskStatus::serde_matches_wire()),
            (
                "ObjectionDecision",
                tm::ObjectionDecision::serde_matches_wire(),
            ),
            ("Kind", c::Kind::serde_matches_wire()),
            ("Format", c::Format::serde_matches_wire()),
            ("Status", c::Status::serde_matches_wire()),
            ("ConsultationAction", c::Action::serde_matches_wire()),
            ("ParticipantCategory", c::Category::serde_matches_wire()),
            ("Response", c::Response::serde_matches_wire()),
            ("Consensus", c::Consensus::serde_matches_wire()),
            ("FollowUpKind", c::FollowUpKind::serde_matches_wire()),
            ("ProposalStatus", c::ProposalStatus::serde_matches_wire()),
        ];
        for (name, ok) in checks {
            assert!(ok, "{name}: serde and as_str disagree");
        }
    }
}
