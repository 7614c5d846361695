//! THE TABLE: for every operation of the OpenAPI document (by operationId, the handler's
//! name) the fixture its path names and the expected answer for every column of
//! [`super::callers::KINDS`]. `ok` is any 2xx; `400|422` is either; one token stands for every
//! column (the operation does not look at the caller).
//!
//! Decisions the table records (the product's, found by walking it; all fixtures live in
//! 幸福社区, so "out" columns are out of scope):
//! - anonymous on a bearer operation is 401; a signed-in caller without the role is 403;
//! - reads of topics, meetings, plans, minutes, outcomes and proposals are open to every
//!   signed-in user, in scope or not (200, not 404): the catalog is public anyway;
//! - 404 stands for "not yours to see": a user outside an admin's places (get/update/grant/revoke),
//!   a task for another organisation (update_task as `dept`), a support you never gave;
//! - admins administer (places, organisations, users) but take no part in the five steps:
//!   they may comment, not raise, moderate, accept or plan;
//! - grid workers sit below the community: a topic of the community is out of their scope;
//! - meetings are managed by their convener and by sub-district staff of the place, not by
//!   other conveners (the `cppcc` column is not the fixture meeting's convener).
//! - free/busy (`list_free_slots`) is for conveners, about people within their places;
//! - organisation rights (RSVP, minutes) need the organisation's role at the meeting's place:
//!   `firm_away` holds the same firm's grant at another community and is refused.

use super::fixtures::Fx;

/// One row: operationId, fixture, expected answers by column.
pub type Row = (&'static str, Fx, &'static str);

#[rustfmt::skip]
pub const ROWS: &[Row] = &[
    //                                                anon      resident  res_out  grid  staff  staff_out  sub  cppcc  firm  firm_away  dept  admin  admin_out  root
    // ---- auth: anonymous operations, the same answer whoever sends a token
    ("create_session", Fx::None,                     "ok"),
    // end_session: an unknown refresh token: logging out is idempotent, 204.
    ("end_session", Fx::None,                        "ok"),
    ("refresh_session", Fx::None,                    "401"),
    ("register_account", Fx::None,                   "ok"),
    // verify_email: a bad token is 422 auth.invalid_email_token.
    ("verify_email", Fx::None,                       "422"),
    // request_password_reset: 202 whether or not the address exists.
    ("request_password_reset", Fx::None,             "ok"),
    ("confirm_password_reset", Fx::None,             "422"),
    // unlock_account: a bad token is 422 auth.invalid_email_token.
    ("unlock_account", Fx::None,                     "422"),
    // ---- me and the calendar feed
    ("get_me", Fx::None,                             "401       ok        ok       ok    ok     ok         ok   ok     ok    ok         ok    ok     ok         ok"),
    // update_me: each signed-in user changes their own account (show_name_publicly).
    ("update_me", Fx::None,                          "401       ok        ok       ok    ok     ok         ok   ok     ok    ok         ok    ok     ok         ok"),
    ("create_calendar_feed", Fx::None,               "401       ok        ok       ok    ok     ok         ok   ok     ok    ok         ok    ok     ok         ok"),
    // revoke_calendar_feed: 204 with or without a feed.
    ("revoke_calendar_feed", Fx::None,               "401       ok        ok       ok    ok     ok         ok   ok     ok    ok         ok    ok     ok         ok"),
    // get_calendar_feed: anonymous: the token in the query string is the credential.
    ("get_calendar_feed", Fx::Feed,                  "ok"),
    // ---- notifications 通知: each caller's own inbox, follows and preferences
    ("list_notifications", Fx::None,                 "401       ok        ok       ok    ok     ok         ok   ok     ok    ok         ok    ok     ok         ok"),
    // stream_notifications: every signed-in caller's own stream (a session cookie works too).
    ("stream_notifications", Fx::None,               "401       ok        ok       ok    ok     ok         ok   ok     ok    ok         ok    ok     ok         ok"),
    ("count_unread_notifications", Fx::None,         "401       ok        ok       ok    ok     ok         ok   ok     ok    ok         ok    ok     ok         ok"),
    ("read_all_notifications", Fx::None,             "401       ok        ok       ok    ok     ok         ok   ok     ok    ok         ok    ok     ok         ok"),
    // read_notification: another user's notification (the author's) is not found.
    ("read_notification", Fx::Notification,          "401       404       404      404   404    404        404  404    404   404        404   404    404        404"),
    ("follow_topic", Fx::Topic,                      "401       ok        ok       ok    ok     ok         ok   ok     ok    ok         ok    ok     ok         ok"),
    ("unfollow_topic", Fx::Topic,                    "401       ok        ok       ok    ok     ok         ok   ok     ok    ok         ok    ok     ok         ok"),
    ("list_my_follows", Fx::None,                    "401       ok        ok       ok    ok     ok         ok   ok     ok    ok         ok    ok     ok         ok"),
    ("get_notification_settings", Fx::None,          "401       ok        ok       ok    ok     ok         ok   ok     ok    ok         ok    ok     ok         ok"),
    ("put_notification_settings", Fx::None,          "401       ok        ok       ok    ok     ok         ok   ok     ok    ok         ok    ok     ok         ok"),
    // ---- webhooks (admin): admins whose place covers the endpoint's; outside their places it is not found
    ("create_webhook", Fx::None,                     "401       403       403      403   403    403        403  403    403   403        403   ok     403        ok"),
    // list_webhooks: an admin anywhere may list (scoped to their places).
    ("list_webhooks", Fx::None,                      "401       403       403      403   403    403        403  403    403   403        403   ok     ok         ok"),
    ("get_webhook", Fx::Webhook,                     "401       403       403      403   403    403        403  403    403   403        403   ok     404        ok"),
    ("update_webhook", Fx::Webhook,                  "401       403       403      403   403    403        403  403    403   403        403   ok     404        ok"),
    ("delete_webhook", Fx::Webhook,                  "401       403       403      403   403    403        403  403    403   403        403   ok     404        ok"),
    ("list_webhook_deliveries", Fx::Webhook,         "401       403       403      403   403    403        403  403    403   403        403   ok     404        ok"),
    // ---- places and organisations: read by anyone, written by admins whose place covers them (installation-wide admins anywhere)
    ("list_places", Fx::None,                        "ok"),
    ("get_place", Fx::Place,                         "ok"),
    ("create_place", Fx::None,                       "401       403       403      403   403    403        403  403    403   403        403   ok     403        ok"),
    ("update_place", Fx::Place,                      "401       403       403      403   403    403        403  403    403   403        403   ok     403        ok"),
    ("list_organizations", Fx::None,                 "ok"),
    ("get_organization", Fx::Org,                    "ok"),
    ("create_organization", Fx::None,                "401       403       403      403   403    403        403  403    403   403        403   ok     403        ok"),
    ("update_organization", Fx::Org,                 "401       403       403      403   403    403        403  403    403   403        403   ok     403        ok"),
    // ---- users and grants (admin): a user outside the admin's places is 404 on reads and updates, but revoking is 403
    // list_users: an admin anywhere may list (scoped to their places).
    ("list_users", Fx::None,                         "401       403       403      403   403    403        403  403    403   403        403   ok     ok         ok"),
    ("get_user", Fx::User,                           "401       403       403      403   403    403        403  403    403   403        403   ok     404        ok"),
    ("update_user", Fx::User,                        "401       403       403      403   403    403        403  403    403   403        403   ok     404        ok"),
    ("grant_role", Fx::User,                         "401       403       403      403   403    403        403  403    403   403        403   ok     404        ok"),
    ("revoke_role", Fx::Grant,                       "401       403       403      403   403    403        403  403    403   403        403   ok     404        ok"),
    // ---- topics 说 议: every signed-in user reads any topic (404 only for what does not exist); writes need a role at the topic's place
    ("list_topics", Fx::None,                        "401       ok        ok       ok    ok     ok         ok   ok     ok    ok         ok    ok     ok         ok"),
    // create_topic: residents of the place, staff and CPPCC members; admins do not raise topics.
    ("create_topic", Fx::None,                       "401       ok        403      403   ok     403        ok   ok     403   403        403   403    403        403"),
    // get_topic: out of scope is readable (200), not 404: topics are public in the catalog anyway.
    ("get_topic", Fx::Topic,                         "401       ok        ok       ok    ok     ok         ok   ok     ok    ok         ok    ok     ok         ok"),
    ("get_timeline", Fx::Topic,                      "401       ok        ok       ok    ok     ok         ok   ok     ok    ok         ok    ok     ok         ok"),
    ("list_comments", Fx::Topic,                     "401       ok        ok       ok    ok     ok         ok   ok     ok    ok         ok    ok     ok         ok"),
    // create_comment: anyone with a role at or above the place except grid workers; an organisation only where it is granted.
    ("create_comment", Fx::Topic,                    "401       ok        403      403   ok     403        ok   ok     ok    403        ok    ok     403        ok"),
    // hide_comment: moderation: community and sub-district staff only, not admins.
    ("hide_comment", Fx::Comment,                    "401       403       403      403   ok     403        ok   403    403   403        403   403    403        403"),
    // support_topic: 附议: residents of the place only.
    ("support_topic", Fx::Topic,                     "401       ok        403      403   403    403        403  403    403   403        403   403    403        403"),
    // withdraw_support: only the supporter has one: everyone else 404.
    ("withdraw_support", Fx::Supported,              "401       ok        404      404   404    404        404  404    404   404        404   404    404        404"),
    // transition_topic: accept: staff of the place (community or sub-district).
    ("transition_topic", Fx::Topic,                  "401       403       403      403   ok     403        ok   403    403   403        403   403    403        403"),
    // ---- plans 筹 and tasks 办
    ("get_plan", Fx::PlanDraft,                      "401       ok        ok       ok    ok     ok         ok   ok     ok    ok         ok    ok     ok         ok"),
    // put_plan: staff of the place.
    ("put_plan", Fx::PlanDraft,                      "401       403       403      403   ok     403        ok   403    403   403        403   403    403        403"),
    ("list_topic_tasks", Fx::PlanDraft,              "401       ok        ok       ok    ok     ok         ok   ok     ok    ok         ok    ok     ok         ok"),
    ("create_task", Fx::PlanDraft,                   "401       403       403      403   ok     403        ok   403    403   403        403   403    403        403"),
    ("list_objections", Fx::Notice,                  "401       ok        ok       ok    ok     ok         ok   ok     ok    ok         ok    ok     ok         ok"),
    // create_objection: 公示 objections: residents of the place only.
    ("create_objection", Fx::Notice,                 "401       ok        403      403   403    403        403  403    403   403        403   403    403        403"),
    // answer_objection: staff of the place.
    ("answer_objection", Fx::Objection,              "401       403       403      403   ok     403        ok   403    403   403        403   403    403        403"),
    // list_tasks: by place: staff, CPPCC members and admins of the place, and organisations granted there; others 403.
    ("list_tasks", Fx::None,                         "401       403       403      403   ok     403        ok   ok     ok    403        ok    ok     403        ok"),
    // update_task: the assigned organisation at the place and staff; another organisation does not see the task (404).
    ("update_task", Fx::Task,                        "401       403       403      403   ok     403        ok   403    ok    403        404   403    403        403"),
    // ---- evaluation 评
    ("get_evaluations", Fx::Evaluate,                "401       ok        ok       ok    ok     ok         ok   ok     ok    ok         ok    ok     ok         ok"),
    // rate_topic: residents of the place who took part (here: supported).
    ("rate_topic", Fx::Evaluate,                     "401       ok        403      403   403    403        403  403    403   403        403   403    403        403"),
    // ---- public: anonymous catalog
    ("get_catalog", Fx::Place,                       "ok"),
    // get_public_topic: a topic in discuss; a topic still in say is 404 here.
    ("get_public_topic", Fx::Discuss,                "ok"),
    // get_stats: public statistics of the whole installation, the same for everyone.
    ("get_stats", Fx::None,                          "ok"),
    // ---- open data: anonymous exports of the catalog and the public meetings
    ("export_topics_json", Fx::None,                 "ok"),
    ("export_topics_csv", Fx::None,                  "ok"),
    ("export_consultations_json", Fx::None,          "ok"),
    ("export_consultations_csv", Fx::None,           "ok"),
    // ---- consultations 协商会: anyone signed in reads a meeting; the convener and sub-district staff of the place manage it
    ("list_consultations", Fx::None,                 "401       ok        ok       ok    ok     ok         ok   ok     ok    ok         ok    ok     ok         ok"),
    // create_consultation: CONVENERS (community staff, sub-district staff, CPPCC members) of the place.
    ("create_consultation", Fx::None,                "401       403       403      403   ok     403        ok   ok     403   403        403   403    403        403"),
    // list_free_slots: only CONVENERS, for people within their places; others 403.
    ("list_free_slots", Fx::None,                    "401       403       403      403   ok     403        ok   ok     403   403        403   403    403        403"),
    ("get_consultation", Fx::Meeting,                "401       ok        ok       ok    ok     ok         ok   ok     ok    ok         ok    ok     ok         ok"),
    // update_consultation: the convener (a fixture CPPCC member, not a column) or sub-district staff of the place.
    ("update_consultation", Fx::Meeting,             "401       403       403      403   403    403        ok   403    403   403        403   403    403        403"),
    ("list_agenda", Fx::Meeting,                     "401       ok        ok       ok    ok     ok         ok   ok     ok    ok         ok    ok     ok         ok"),
    ("add_agenda_item", Fx::Meeting,                 "401       403       403      403   403    403        ok   403    403   403        403   403    403        403"),
    ("reorder_agenda", Fx::Meeting,                  "401       403       403      403   403    403        ok   403    403   403        403   403    403        403"),
    ("transition_consultation", Fx::Meeting,         "401       403       403      403   403    403        ok   403    403   403        403   403    403        403"),
    ("get_consultation_calendar", Fx::Meeting,       "401       ok        ok       ok    ok     ok         ok   ok     ok    ok         ok    ok     ok         ok"),
    // list_invitations: names only for participants and staff, counts for others; 200 for all.
    ("list_invitations", Fx::Scheduled,              "401       ok        ok       ok    ok     ok         ok   ok     ok    ok         ok    ok     ok         ok"),
    ("create_invitations", Fx::Meeting,              "401       403       403      403   403    403        ok   403    403   403        403   403    403        403"),
    // respond_invitation: invitees: the invited resident and the invited firm; the firm's role must be at the meeting's place.
    ("respond_invitation", Fx::Scheduled,            "401       ok        403      403   403    403        403  403    ok    403        403   403    403        403"),
    ("record_attendance", Fx::Started,               "401       403       403      403   403    403        ok   403    403   403        403   403    403        403"),
    ("get_minutes", Fx::Concluded,                   "401       ok        ok       ok    ok     ok         ok   ok     ok    ok         ok    ok     ok         ok"),
    // confirm_minutes: attendees; an organisation's role must be at the meeting's place.
    ("confirm_minutes", Fx::Concluded,               "401       ok        403      403   403    403        403  403    ok    403        403   403    403        403"),
    // record_dissent: attendees, as above.
    ("record_dissent", Fx::Concluded,                "401       ok        403      403   403    403        403  403    ok    403        403   403    403        403"),
    ("list_outcomes", Fx::Concluded,                 "401       ok        ok       ok    ok     ok         ok   ok     ok    ok         ok    ok     ok         ok"),
    ("record_outcome", Fx::Concluded,                "401       403       403      403   403    403        ok   403    403   403        403   403    403        403"),
    ("get_proposal", Fx::Proposal,                   "401       ok        ok       ok    ok     ok         ok   ok     ok    ok         ok    ok     ok         ok"),
    // move_proposal: submitted → accepted: the answering organisation (dept) or sub-district staff of the meeting's place.
    ("move_proposal", Fx::Proposal,                  "401       403       403      403   403    403        ok   403    403   403        ok    403    403        403"),
    // ---- attachments 照片与附件: uploads as the owner's writers, reads as the owner's readers
    // upload_topic_attachment: the author (not a column) in say, and staff of the place.
    ("upload_topic_attachment", Fx::Topic,           "401       403       403      403   ok     403        ok   403    403   403        403   403    403        403"),
    // list_topic_attachments: a topic in say is not public: anonymous 401, every account reads.
    ("list_topic_attachments", Fx::Topic,            "401       ok        ok       ok    ok     ok         ok   ok     ok    ok         ok    ok     ok         ok"),
    // upload_task_attachment: whoever may update the task: its organisation at the place, staff; another organisation 404.
    ("upload_task_attachment", Fx::Task,             "401       403       403      403   ok     403        ok   403    ok    403        404   403    403        403"),
    // list_task_attachments: progress of a catalog topic is public; another organisation does not see the task (404).
    ("list_task_attachments", Fx::Task,              "ok        ok        ok       ok    ok     ok         ok   ok     ok    ok         404   ok     ok         ok"),
    // upload_consultation_attachment: the convener (not a column) and staff of the place.
    ("upload_consultation_attachment", Fx::Meeting,  "401       403       403      403   ok     403        ok   403    403   403        403   403    403        403"),
    // list_consultation_attachments: as invitee names: participants, conveners, staff and admins of the place.
    ("list_consultation_attachments", Fx::Meeting,   "401       403       403      403   ok     403        ok   ok     403   403        403   ok     403        ok"),
    // get_attachment(_thumbnail): a photo of a topic in the public catalog: anyone.
    ("get_attachment", Fx::Photo,                    "ok"),
    ("get_attachment_thumbnail", Fx::Photo,          "ok"),
    // ---- ops
    ("get_health", Fx::None,                         "ok"),
    ("get_metrics", Fx::None,                        "ok"),
    ("get_readiness", Fx::None,                      "ok"),
];

/// Does `status` satisfy the expectation `token`?
pub fn matches(token: &str, status: u16) -> bool {
    token.split('|').any(|t| match t {
        "ok" => (200..300).contains(&status),
        n => n.parse::<u16>().ok() == Some(status),
    })
}

/// The expectations of a row, one per column.
pub fn expectations(row: &Row, columns: usize) -> Vec<&'static str> {
    let tokens: Vec<&str> = row.2.split_whitespace().collect();
    match tokens.len() {
        1 => vec![tokens[0]; columns],
        n if n == columns => tokens,
        n => panic!("row {} has {n} expectations for {columns} columns", row.0),
    }
}

#[test]
fn expectations_parse_and_match() {
    assert!(matches("ok", 204) && !matches("ok", 302) && !matches("ok", 403));
    assert!(matches("400|422", 422) && matches("400|422", 400) && !matches("400|422", 404));
    assert!(!matches("?", 200));
    for row in ROWS {
        let exp = expectations(row, super::callers::KINDS.len());
        for t in exp {
            assert!(
                t.split('|')
                    .all(|p| p == "ok" || p.parse::<u16>().is_ok_and(|s| (400..500).contains(&s))),
                "row {}: token {t} is neither ok nor a 4xx status",
                row.0
            );
        }
    }
    let mut ids: Vec<&str> = ROWS.iter().map(|r| r.0).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), ROWS.len(), "one row per operationId");
}
