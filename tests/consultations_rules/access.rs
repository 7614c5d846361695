//! Who may call each endpoint, and where: the role × place matrix and what allowed callers get.

use super::*;

/// The write endpoints of consultations, proposals and the calendar feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ep {
    Create,
    Patch,
    Transition,
    AddItem,
    Reorder,
    Invite,
    Rsvp,
    Attendance,
    Outcome,
    Confirm,
    Dissent,
    Submit,
    Accept,
    Answer,
    FeedCreate,
    FeedRevoke,
}

impl Ep {
    #[rustfmt::skip]
    const ALL: [Ep; 16] = [
        Ep::Create, Ep::Patch, Ep::Transition, Ep::AddItem, Ep::Reorder, Ep::Invite, Ep::Rsvp,
        Ep::Attendance, Ep::Outcome, Ep::Confirm, Ep::Dissent, Ep::Submit, Ep::Accept, Ep::Answer,
        Ep::FeedCreate, Ep::FeedRevoke,
    ];

    /// Who may call it (everyone else is refused).
    fn allowed(self) -> Vec<&'static str> {
        match self {
            Ep::Create => vec!["cppcc", "cppcc_peer", "staff", "sub"],
            Ep::Patch
            | Ep::Transition
            | Ep::AddItem
            | Ep::Reorder
            | Ep::Invite
            | Ep::Attendance
            | Ep::Outcome => vec!["cppcc", "sub"],
            Ep::Rsvp => vec!["invitee", "absentee", "firm"],
            Ep::Confirm | Ep::Dissent => vec!["invitee"],
            Ep::Submit => vec!["cppcc"],
            Ep::Accept | Ep::Answer => vec!["dept", "sub"],
            Ep::FeedCreate | Ep::FeedRevoke => PEOPLE.to_vec(),
        }
    }

    /// How the others are refused.
    fn refusal(self) -> (u16, &'static str) {
        match self {
            Ep::Rsvp => (403, "invitation.not_invited"),
            Ep::Confirm | Ep::Dissent => (403, "minutes.not_an_attendee"),
            _ => (403, "permission.denied"),
        }
    }

    fn success(self) -> u16 {
        match self {
            Ep::Create | Ep::AddItem | Ep::Invite | Ep::Outcome | Ep::FeedCreate => 201,
            Ep::Rsvp | Ep::FeedRevoke => 204,
            _ => 200,
        }
    }

    /// The 404 of an unknown meeting or proposal, for endpoints with an id in the path.
    fn not_found(self) -> Option<&'static str> {
        match self {
            Ep::Create | Ep::FeedCreate | Ep::FeedRevoke => None,
            Ep::Submit | Ep::Accept | Ep::Answer => Some("proposal.not_found"),
            _ => Some("consultation.not_found"),
        }
    }

    /// A fresh fixture the endpoint can act on (for `who`, when it matters).
    async fn prepare(self, w: &World, who: Option<&str>) -> Fix {
        match self {
            Ep::Create | Ep::FeedCreate => Fix::default(),
            Ep::FeedRevoke => {
                if let Some(who) = who {
                    let r = w
                        .app
                        .post("/api/v1/me/calendar-feed", w.tok(who), json!({}))
                        .await;
                    assert_eq!(r.status.as_u16(), 201, "{:?}", r.body);
                }
                Fix::default()
            }
            Ep::Patch | Ep::Transition | Ep::AddItem | Ep::Reorder | Ep::Invite | Ep::Rsvp => {
                w.build(Upto::Draft, None).await
            }
            Ep::Attendance => w.build(Upto::InProgress, None).await,
            Ep::Outcome | Ep::Confirm | Ep::Dissent => w.build(Upto::Concluded, None).await,
            Ep::Submit | Ep::Accept | Ep::Answer => {
                let mut f = w.build(Upto::Concluded, None).await;
                f.proposal = w
                    .proposal_from("cppcc", &f, f.items[0], Some(w.city.dept))
                    .await;
                if self != Ep::Submit {
                    w.step("cppcc", f.proposal, json!({"to": "submitted"}))
                        .await;
                }
                if self == Ep::Answer {
                    w.step("sub", f.proposal, json!({"to": "accepted"})).await;
                }
                f
            }
        }
    }

    /// The request of this endpoint on fixture `f`, as `token`.
    #[rustfmt::skip]
    fn request(self, w: &World, f: &Fix, token: Option<&str>) -> Call {
        let at = |p: &str| format!("/api/v1/consultations/{}{p}", f.id);
        let proposal = format!("/api/v1/proposals/{}/transitions", f.proposal);
        match self {
            Ep::Create => call::post("/api/v1/consultations", token, w.draft_body("楼道堆物协商会")),
            Ep::Patch => call::patch(at(""), token, json!({"title": "加装电梯协商会（改期）", "expected_version": f.version})),
            Ep::Transition => call::post(at("/transitions"), token, json!({"action": "schedule", "expected_version": f.version})),
            Ep::AddItem => call::post(at("/agenda-items"), token, json!({"title": "其他事项", "minutes": 10})),
            Ep::Reorder => { let ids: Vec<i64> = f.items.iter().rev().copied().collect(); call::post(at("/agenda-items/reorder"), token, json!({"item_ids": ids})) },
            Ep::Invite => call::post(at("/invitations"), token, json!({"organization_id": w.city.dept, "category": "department"})),
            Ep::Rsvp => call::post(at("/rsvp"), token, json!({"response": "accepted"})),
            Ep::Attendance => call::post(at("/attendance"), token, json!({"attended_invitation_ids": [f.inv_invitee, f.inv_firm]})),
            Ep::Outcome => call::post(at("/outcomes"), token, json!({"agenda_item_id": f.items[0], "decision": "同意加装", "consensus": "unanimous"})),
            Ep::Confirm => call::post(at("/minutes/confirm"), token, json!({})),
            Ep::Dissent => call::post(at("/minutes/dissent"), token, json!({"text": "纪要遗漏了费用分摊"})),
            Ep::Submit => call::post(&proposal, token, json!({"to": "submitted"})),
            Ep::Accept => call::post(&proposal, token, json!({"to": "accepted"})),
            Ep::Answer => call::post(&proposal, token, json!({"to": "answered", "answer": "已列入明年民生实事项目"})),
            Ep::FeedCreate => call::post("/api/v1/me/calendar-feed", token, json!({})),
            Ep::FeedRevoke => call::delete("/api/v1/me/calendar-feed", token),
        }
    }

    async fn call(self, w: &World, f: &Fix, token: Option<&str>) -> Resp {
        w.app.call(&self.request(w, f, token)).await
    }
}

/// Endpoints for the convener and the sub-district.
#[rustfmt::skip]
const MANAGING: [Ep; 8] = [
    Ep::Create, Ep::Patch, Ep::Transition, Ep::AddItem, Ep::Reorder, Ep::Invite, Ep::Attendance,
    Ep::Outcome,
];

/// Endpoints for invitees, attendees, proposal authors and answerers, and every user.
#[rustfmt::skip]
const PERSONAL: [Ep; 8] = [
    Ep::Rsvp, Ep::Confirm, Ep::Dissent, Ep::Submit, Ep::Accept, Ep::Answer, Ep::FeedCreate,
    Ep::FeedRevoke,
];

/// Every endpoint of `eps`: anonymous 401; everyone not allowed refused, changing nothing; an
/// unknown id 404; each allowed caller succeeds on a fresh fixture.
async fn matrix(eps: &[Ep]) {
    let w = World::new(&[]).await;
    let app = &w.app;
    for &ep in eps {
        let shared = ep.prepare(&w, None).await;
        deny(
            app,
            &format!("{ep:?} as anonymous"),
            ep.call(&w, &shared, None),
            Expect(401, "auth.missing_token", None),
        )
        .await;
        let allowed = ep.allowed();
        let (status, code) = ep.refusal();
        for who in PEOPLE.iter().filter(|p| !allowed.contains(*p)) {
            deny(
                app,
                &format!("{ep:?} as {who}"),
                ep.call(&w, &shared, w.tok(who)),
                Expect(status, code, None),
            )
            .await;
        }
        if let Some(code) = ep.not_found() {
            let mut gone = shared.clone();
            gone.id = 987_654_321;
            gone.proposal = 987_654_321;
            let who = allowed[0];
            deny(
                app,
                &format!("{ep:?} on an unknown id as {who}"),
                ep.call(&w, &gone, w.tok(who)),
                Expect(404, code, None),
            )
            .await;
        }
        for who in allowed {
            let f = ep.prepare(&w, Some(who)).await;
            let r = ep.call(&w, &f, w.tok(who)).await;
            assert_eq!(
                r.status.as_u16(),
                ep.success(),
                "{ep:?} as {who} is allowed: {:?}",
                r.body
            );
        }
    }
    w.app.stop().await;
}

#[actix_rt::test]
async fn managing_a_meeting_takes_a_convener_role_at_the_place_or_its_management() -> TestResult {
    assert!(
        Ep::ALL
            .iter()
            .all(|e| MANAGING.contains(e) || PERSONAL.contains(e)),
        "the two matrices cover every write endpoint"
    );
    matrix(&MANAGING).await;
    Ok(())
}

#[actix_rt::test]
async fn answering_signing_proposals_and_feeds_belong_to_their_people() -> TestResult {
    matrix(&PERSONAL).await;
    Ok(())
}

#[actix_rt::test]
async fn the_allowed_callers_changes_are_what_they_asked_for() -> TestResult {
    let w = World::new(&[]).await;
    let app = &w.app;
    // Conveners at the place or above create drafts they convene.
    for who in ["cppcc", "cppcc_peer", "staff", "sub"] {
        let m = w.create(who, w.draft_body("院坝协商会")).await;
        assert_eq!(m["convener_id"], w.uid(who), "{who}");
        assert_eq!(m["status"], "draft", "{who}");
        assert_eq!(m["version"], 1, "{who}");
    }
    // Sub-district staff manage a meeting a CPPCC member convenes.
    let f = w.build(Upto::Draft, None).await;
    let r = w
        .app
        .post(
            &format!("/api/v1/consultations/{}/agenda-items/reorder", f.id),
            w.tok("sub"),
            json!({"item_ids": [f.items[1], f.items[0]]}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    let order: Vec<i64> = r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(id_of)
        .collect();
    assert_eq!(order, vec![f.items[1], f.items[0]]);
    assert_eq!(r.body["items"][0]["position"], 1);
    // The firm answers for its organisation's invitation; the answer is on the invitation.
    w.rsvp(f.id, "firm", "tentative").await;
    w.rsvp(f.id, "invitee", "declined").await;
    let invs = app
        .get(
            &format!("/api/v1/consultations/{}/invitations", f.id),
            // Names go to participants and staff (tests/meeting_privacy.rs).
            w.tok("sub"),
        )
        .await;
    let by_id = |id: i64| {
        invs.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(by_id(f.inv_firm)["response"], "tentative");
    assert_eq!(by_id(f.inv_invitee)["response"], "declined");
    assert_eq!(by_id(f.inv_absentee)["response"], "pending");
    // Attendance replaces the whole list.
    let held = w.build(Upto::InProgress, None).await;
    w.attendance(held.id, &[held.inv_invitee, held.inv_firm])
        .await;
    let r = app
        .post(
            &format!("/api/v1/consultations/{}/attendance", held.id),
            w.tok("cppcc"),
            json!({"attended_invitation_ids": [held.inv_absentee]}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    let attended: Vec<i64> = r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["attended"] == true)
        .map(id_of)
        .collect();
    assert_eq!(attended, vec![held.inv_absentee]);
    // Sign-off: the record shows who confirmed and who dissented.
    let done = w.build(Upto::Concluded, None).await;
    let r = app
        .post(
            &format!("/api/v1/consultations/{}/minutes/dissent", done.id),
            w.tok("invitee"),
            json!({"text": "费用分摊未写入纪要"}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    assert_eq!(r.body["confirmed_by"], json!([]));
    assert_eq!(
        r.body["dissents"],
        json!([{"user_id": w.uid("invitee"), "text": "费用分摊未写入纪要"}])
    );
    assert_eq!(r.body["attended_categories"], json!(["resident_rep"]));
    assert_eq!(app.count("minutes_signoffs"), 1);
    w.stop().await
}

#[actix_rt::test]
async fn reads_need_an_account_and_nothing_more() -> TestResult {
    let w = World::new(&[]).await;
    let app = &w.app;
    let mut f = w.build(Upto::Concluded, None).await;
    f.proposal = w
        .proposal_from("sub", &f, f.items[0], Some(w.city.dept))
        .await;
    let (from, to) = (day_at(0, 0, 0), day_at(1, 0, 0));
    let paths = |id: i64, p: i64| {
        vec![
            format!("/api/v1/consultations?place_id={}", w.city.community),
            format!("/api/v1/consultations/{id}"),
            format!("/api/v1/consultations/{id}/agenda-items"),
            format!("/api/v1/consultations/{id}/invitations"),
            format!("/api/v1/consultations/{id}/outcomes"),
            format!("/api/v1/consultations/{id}/minutes"),
            format!("/api/v1/consultations/{id}/calendar.ics"),
            format!(
                "/api/v1/consultations/free-slots?users={}&from={}&to={}&minutes=60",
                w.uid("invitee"),
                z(from),
                z(to)
            ),
            format!("/api/v1/proposals/{p}"),
        ]
    };
    for path in paths(f.id, f.proposal) {
        deny(
            app,
            &format!("GET {path} anonymously"),
            app.get(&path, None),
            Expect(401, "auth.missing_token", None),
        )
        .await;
        for who in PEOPLE {
            // Free/busy goes only to conveners whose places hold the person (the invitee
            // lives in the community); everyone else is refused.
            let reach = ["cppcc", "cppcc_peer", "staff", "sub"];
            if path.contains("free-slots") && !reach.contains(&who) {
                deny(
                    app,
                    &format!("GET {path} as {who}"),
                    app.get(&path, w.tok(who)),
                    DENIED,
                )
                .await;
                continue;
            }
            let before = snapshot(app);
            let r = app.get(&path, w.tok(who)).await;
            assert_eq!(r.status.as_u16(), 200, "GET {path} as {who}: {:?}", r.body);
            assert_eq!(snapshot(app), before, "GET {path} as {who} changes nothing");
        }
    }
    let gone = paths(987_654_321, 987_654_321);
    #[rustfmt::skip]
    let table = [
        (&gone[1], "consultation.not_found"),
        (&gone[2], "consultation.not_found"),
        (&gone[3], "consultation.not_found"),
        (&gone[4], "consultation.not_found"),
        (&gone[5], "consultation.not_found"),
        (&gone[6], "consultation.not_found"),
        (&gone[8], "proposal.not_found"),
    ];
    for (path, code) in table {
        deny(
            app,
            &format!("GET {path}"),
            app.get(path, w.tok("resident")),
            Expect(404, code, None),
        )
        .await;
    }
    w.stop().await
}
