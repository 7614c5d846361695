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
        lat -> Nullable<Double>,
        lng -> Nullable<Double>,
        bbox_min_lat -> Nullable<Double>,
        bbox_min_lng -> Nullable<Double>,
        bbox_max_lat -> Nullable<Double>,
        bbox_max_lng -> Nullable<Double>,
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
        show_name_publicly -> Bool,
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
        cookie_hash -> Nullable<Text>,
        expires_at -> Nullable<Timestamp>,
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
        delayed_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    login_address_locks (email_key, client_addr) {
        email_key -> Text,
        client_addr -> Text,
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
        ics -> Nullable<Text>,
        body_html -> Nullable<Text>,
        user_id -> Nullable<BigInt>,
        notification_kind -> Nullable<Text>,
        list_unsubscribe -> Nullable<Text>,
        message_id -> Nullable<Text>,
    }
}

diesel::table! {
    write_gate (id) {
        id -> BigInt,
        n -> BigInt,
    }
}

diesel::table! {
    topics (id) {
        id -> BigInt,
        place_id -> BigInt,
        community_id -> BigInt,
        title -> Text,
        body -> Text,
        category -> Text,
        source -> Text,
        author_id -> BigInt,
        on_behalf_of -> Nullable<BigInt>,
        stage -> Text,
        resolution -> Nullable<Text>,
        catalog_year -> Nullable<Integer>,
        catalog_seq -> Nullable<Integer>,
        catalog_no -> Nullable<Text>,
        escalated -> Bool,
        major -> Bool,
        supporters_count -> Integer,
        decision -> Nullable<Text>,
        merged_into -> Nullable<BigInt>,
        version -> Integer,
        eval_round -> Integer,
        eval_closes_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        discuss_at -> Nullable<Timestamp>,
        plan_at -> Nullable<Timestamp>,
        act_at -> Nullable<Timestamp>,
        evaluate_at -> Nullable<Timestamp>,
        closed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    supports (topic_id, user_id) {
        topic_id -> BigInt,
        user_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    comments (id) {
        id -> BigInt,
        topic_id -> BigInt,
        author_id -> BigInt,
        parent_id -> Nullable<BigInt>,
        body -> Text,
        stance -> Text,
        hidden -> Bool,
        hidden_reason -> Nullable<Text>,
        hidden_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    plans (topic_id) {
        topic_id -> BigInt,
        summary -> Text,
        revision -> Integer,
        published_at -> Nullable<Timestamp>,
        notice_ends_at -> Nullable<Timestamp>,
        approved_at -> Nullable<Timestamp>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    plan_resources (id) {
        id -> BigInt,
        topic_id -> BigInt,
        kind -> Text,
        source -> Text,
        amount -> Double,
        unit -> Text,
    }
}

diesel::table! {
    tasks (id) {
        id -> BigInt,
        topic_id -> BigInt,
        title -> Text,
        organization_id -> Nullable<BigInt>,
        assignee_id -> Nullable<BigInt>,
        due_at -> Timestamp,
        status -> Text,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        done_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    objections (id) {
        id -> BigInt,
        topic_id -> BigInt,
        author_id -> BigInt,
        plan_revision -> Integer,
        body -> Text,
        decision -> Nullable<Text>,
        reason -> Nullable<Text>,
        answered_by -> Nullable<BigInt>,
        answered_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    evaluations (id) {
        id -> BigInt,
        topic_id -> BigInt,
        user_id -> BigInt,
        round -> Integer,
        score -> Integer,
        comment -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    topic_events (id) {
        id -> BigInt,
        topic_id -> BigInt,
        seq -> Integer,
        kind -> Text,
        actor_id -> Nullable<BigInt>,
        from_stage -> Nullable<Text>,
        to_stage -> Nullable<Text>,
        note -> Nullable<Text>,
        payload -> Text,
        created_at -> Timestamp,
        prev_hash -> Text,
        hash -> Text,
    }
}

diesel::table! {
    topic_step_stays (id) {
        id -> BigInt,
        topic_id -> BigInt,
        step -> Text,
        entered_at -> Timestamp,
        left_at -> Timestamp,
        seconds -> BigInt,
    }
}

diesel::table! {
    idempotency_keys (user_id, idem_key) {
        user_id -> BigInt,
        idem_key -> Text,
        request_hash -> Text,
        topic_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    consultations (id) {
        id -> BigInt,
        place_id -> BigInt,
        title -> Text,
        kind -> Text,
        format -> Text,
        venue -> Nullable<Text>,
        online_url -> Nullable<Text>,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        convener_id -> BigInt,
        status -> Text,
        minutes -> Nullable<Text>,
        cancel_reason -> Nullable<Text>,
        version -> Integer,
        ical_sequence -> Integer,
        concluded_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        started_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    agenda_items (id) {
        id -> BigInt,
        consultation_id -> BigInt,
        position -> Integer,
        title -> Text,
        topic_id -> Nullable<BigInt>,
        presenter_id -> Nullable<BigInt>,
        minutes -> Integer,
    }
}

diesel::table! {
    invitations (id) {
        id -> BigInt,
        consultation_id -> BigInt,
        user_id -> Nullable<BigInt>,
        organization_id -> Nullable<BigInt>,
        category -> Text,
        response -> Text,
        attended -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    outcomes (id) {
        id -> BigInt,
        consultation_id -> BigInt,
        agenda_item_id -> BigInt,
        decision -> Text,
        consensus -> Text,
        recorded_by -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    proposals (id) {
        id -> BigInt,
        kind -> Text,
        title -> Text,
        outcome_id -> Nullable<BigInt>,
        topic_id -> Nullable<BigInt>,
        author_id -> BigInt,
        organization_id -> Nullable<BigInt>,
        status -> Text,
        answer -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    follow_ups (id) {
        id -> BigInt,
        outcome_id -> BigInt,
        kind -> Text,
        title -> Text,
        task_id -> Nullable<BigInt>,
        proposal_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    minutes_signoffs (id) {
        id -> BigInt,
        consultation_id -> BigInt,
        user_id -> BigInt,
        confirmed -> Bool,
        dissent -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    calendar_tokens (user_id) {
        user_id -> BigInt,
        token_hash -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    attachments (id) {
        id -> BigInt,
        owner_kind -> Text,
        owner_id -> BigInt,
        kind -> Text,
        content_type -> Text,
        bytes -> BigInt,
        width -> Nullable<Integer>,
        height -> Nullable<Integer>,
        object_key -> Text,
        thumbnail_key -> Nullable<Text>,
        uploaded_by -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    notification_events (id) {
        id -> BigInt,
        kind -> Text,
        dedupe_key -> Text,
        place_id -> Nullable<BigInt>,
        topic_id -> Nullable<BigInt>,
        consultation_id -> Nullable<BigInt>,
        task_id -> Nullable<BigInt>,
        actor_id -> Nullable<BigInt>,
        payload -> Text,
        created_at -> Timestamp,
        fanned_out_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    notifications (id) {
        id -> BigInt,
        event_id -> BigInt,
        user_id -> BigInt,
        kind -> Text,
        topic_id -> Nullable<BigInt>,
        consultation_id -> Nullable<BigInt>,
        title -> Text,
        body -> Text,
        url -> Text,
        created_at -> Timestamp,
        read_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    follows (user_id, topic_id) {
        user_id -> BigInt,
        topic_id -> BigInt,
        level -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    notification_settings (user_id) {
        user_id -> BigInt,
        email -> Text,
        digest_hour -> Integer,
        language -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    notification_kind_settings (user_id, kind) {
        user_id -> BigInt,
        kind -> Text,
        email -> Text,
    }
}

diesel::table! {
    notification_deliveries (id) {
        id -> BigInt,
        notification_id -> BigInt,
        channel -> Text,
        mode -> Text,
        outbox_id -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    digest_runs (user_id, local_day) {
        user_id -> BigInt,
        local_day -> Text,
        outbox_id -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    webhooks (id) {
        id -> BigInt,
        url -> Text,
        secret -> Text,
        place_id -> BigInt,
        disabled -> Bool,
        disabled_reason -> Nullable<Text>,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    webhook_kinds (webhook_id, kind) {
        webhook_id -> BigInt,
        kind -> Text,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> BigInt,
        webhook_id -> BigInt,
        event_id -> BigInt,
        message_id -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        last_status_code -> Nullable<Integer>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        delivered_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    webhook_attempts (id) {
        id -> BigInt,
        delivery_id -> BigInt,
        attempted_at -> Timestamp,
        status_code -> Nullable<Integer>,
        error -> Nullable<Text>,
        duration_ms -> Integer,
    }
}

diesel::table! {
    open311_clients (id) {
        id -> BigInt,
        name -> Text,
        place_id -> BigInt,
        key_hash -> Text,
        user_id -> BigInt,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    open311_requests (id) {
        id -> BigInt,
        client_id -> BigInt,
        topic_id -> BigInt,
        token -> Text,
        email -> Nullable<Text>,
        first_name -> Nullable<Text>,
        last_name -> Nullable<Text>,
        phone -> Nullable<Text>,
        device_id -> Nullable<Text>,
        account_id -> Nullable<Text>,
        media_url -> Nullable<Text>,
        lat -> Nullable<Double>,
        lng -> Nullable<Double>,
        address_string -> Nullable<Text>,
        address_id -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(role_grants -> users (user_id));
diesel::joinable!(open311_clients -> places (place_id));
diesel::joinable!(open311_requests -> open311_clients (client_id));
diesel::joinable!(open311_requests -> topics (topic_id));
diesel::joinable!(role_grants -> places (place_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(refresh_tokens -> sessions (session_id));
diesel::joinable!(organization_places -> organizations (organization_id));
diesel::joinable!(organization_places -> places (place_id));
diesel::joinable!(tasks -> topics (topic_id));
diesel::joinable!(comments -> topics (topic_id));
diesel::joinable!(topic_events -> topics (topic_id));
diesel::joinable!(topic_step_stays -> topics (topic_id));
diesel::joinable!(agenda_items -> consultations (consultation_id));
diesel::joinable!(invitations -> consultations (consultation_id));
diesel::joinable!(outcomes -> consultations (consultation_id));
diesel::joinable!(notifications -> notification_events (event_id));
diesel::joinable!(follows -> users (user_id));
diesel::joinable!(webhook_kinds -> webhooks (webhook_id));
diesel::joinable!(webhook_deliveries -> webhooks (webhook_id));
diesel::joinable!(webhook_attempts -> webhook_deliveries (delivery_id));
diesel::joinable!(webhooks -> places (place_id));
diesel::joinable!(webhook_deliveries -> notification_events (event_id));

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
    login_address_locks,
    outbox,
    write_gate,
    topics,
    supports,
    comments,
    plans,
    plan_resources,
    tasks,
    objections,
    evaluations,
    topic_events,
    topic_step_stays,
    idempotency_keys,
    consultations,
    agenda_items,
    invitations,
    outcomes,
    proposals,
    follow_ups,
    minutes_signoffs,
    calendar_tokens,
    attachments,
    notification_events,
    notifications,
    follows,
    notification_settings,
    notification_kind_settings,
    notification_deliveries,
    digest_runs,
    webhooks,
    webhook_kinds,
    webhook_deliveries,
    webhook_attempts,
    open311_clients,
    open311_requests,
);
