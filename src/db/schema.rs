//! Diesel table definitions, written by hand to match both migration sets.
//! Only portable column types appear here (BigInt, Integer, Text, Bool, Timestamp).

diesel::table! {
    places (id) {
        id -> BigInt,
        parent_id -> Nullable<BigInt>,
        kind -> Text,
        name -> Text,
        code -> Text,
        path -> Text,
        depth -> Integer,
        created_at -> Timestamp,
    }
}

diesel::table! {
    organizations (id) {
        id -> BigInt,
        kind -> Text,
        name -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    organization_places (organization_id, place_id) {
        organization_id -> BigInt,
        place_id -> BigInt,
    }
}

diesel::table! {
    users (id) {
        id -> BigInt,
        email -> Text,
        password_hash -> Text,
        display_name -> Text,
        home_place_id -> Nullable<BigInt>,
        email_verified_at -> Nullable<Timestamp>,
        disabled -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    role_grants (id) {
        id -> BigInt,
        user_id -> BigInt,
        role -> Text,
        place_id -> Nullable<BigInt>,
        organization_id -> Nullable<BigInt>,
        granted_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    sessions (id) {
        id -> BigInt,
        user_id -> BigInt,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        revoke_reason -> Nullable<Text>,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> BigInt,
        session_id -> BigInt,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    email_tokens (id) {
        id -> BigInt,
        user_id -> BigInt,
        purpose -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    login_throttle (email_key) {
        email_key -> Text,
        failures -> Integer,
        window_started_at -> Timestamp,
        locked_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    outbox (id) {
        id -> BigInt,
        to_addr -> Text,
        subject -> Text,
        body_text -> Text,
        kind -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    write_gate (id) {
        id -> BigInt,
        n -> BigInt,
    }
}

diesel::joinable!(role_grants -> users (user_id));
diesel::joinable!(role_grants -> places (place_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(refresh_tokens -> sessions (session_id));
diesel::joinable!(organization_places -> organizations (organization_id));
diesel::joinable!(organization_places -> places (place_id));

diesel::allow_tables_to_appear_in_same_query!(
    places,
    organizations,
    organization_places,
    users,
    role_grants,
    sessions,
    refresh_tokens,
    email_tokens,
    login_throttle,
    outbox,
    write_gate,
);
