//! The scheduling guard against double-booking, and free slots.

use super::*;

/// A venue, and the same venue written in another case with spaces around it.
const HALL_A: &str = "Hall A 议事厅";
const HALL_A_LOOSE: &str = "  hall a 议事厅 ";

#[actix_rt::test]
async fn scheduling_refuses_double_bookings_of_conveners_and_venues() -> TestResult {
    let world = World::new(&[]).await;
    let w = &world;
    let app = &w.app;
    let a = w
        .scheduled_at("cppcc", "A", day_at(0, 10, 0), day_at(0, 11, 0), HALL_A)
        .await;

    // The convener is booked in A.
    let b = w
        .new_at("cppcc", "B", day_at(0, 10, 30), day_at(0, 11, 30), "Hall B")
        .await;
    let detail = w.clash("the convener double-booked", "cppcc", b).await;
    assert!(detail.contains(&format!("consultation {a}")), "{detail}");
    assert!(
        detail.contains(&format!("user {}", w.uid("cppcc"))),
        "{detail}"
    );

    // The venue, written in another case with spaces around it, is booked in A.
    let c = w
        .new_at(
            "staff",
            "C",
            day_at(0, 10, 30),
            day_at(0, 11, 30),
            HALL_A_LOOSE,
        )
        .await;
    let detail = w.clash("the venue double-booked", "staff", c).await;
    assert!(detail.contains(&format!("consultation {a}")), "{detail}");
    assert!(detail.contains("venue"), "{detail}");

    // Drafts hold no time: a draft over A is neither blocked nor blocking.
    let draft = w
        .new_at("cppcc", "draft", day_at(0, 10, 0), day_at(0, 11, 0), HALL_A)
        .await;
    assert_eq!(w.meeting(draft).await["status"], "draft");

    // Once A is cancelled, B and C are free to go.
    w.act("cppcc", a, "cancel", json!({"reason": "改期"})).await;
    w.act("cppcc", b, "schedule", json!({})).await;
    w.act("staff", c, "schedule", json!({})).await;

    // Back to back is no clash, on either side, for the convener and the venue.
    #[rustfmt::skip]
    let back_to_back = [
        ("cppcc", "A2", day_at(1, 10, 0), day_at(1, 11, 0), "议事厅"),
        ("cppcc", "after", day_at(1, 11, 0), day_at(1, 12, 0), "议事厅"),
        ("sub", "before", day_at(1, 9, 0), day_at(1, 10, 0), " 议事厅"),
    ];
    let mut ids = Vec::new();
    for (who, title, s, e, venue) in back_to_back {
        ids.push(w.scheduled_at(who, title, s, e, venue).await);
    }
    let (a2, after) = (ids[0], ids[1]);

    // Moving a scheduled meeting onto A2 is refused and leaves it as it was.
    let v = w.version(after).await;
    let path = format!("/api/v1/consultations/{after}");
    let body = json!({"starts_at": day_at(1, 10, 30), "ends_at": day_at(1, 11, 30), "expected_version": v});
    let req = app.patch(&path, w.tok("cppcc"), body);
    let r = deny(app, "a scheduled meeting moved onto a clash", req, CLASH).await;
    assert!(
        r.body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains(&format!("consultation {a2}")),
        "{:?}",
        r.body
    );
    // …and so is moving its venue onto a booked one at the same time.
    let elsewhere = w
        .scheduled_at(
            "sub",
            "elsewhere",
            day_at(1, 10, 0),
            day_at(1, 11, 0),
            "街道会议室",
        )
        .await;
    let v = w.version(elsewhere).await;
    deny(
        app,
        "a scheduled meeting moved into a booked venue",
        app.patch(
            &format!("/api/v1/consultations/{elsewhere}"),
            w.tok("sub"),
            json!({"venue": "议事厅 ", "expected_version": v}),
        ),
        CLASH,
    )
    .await;
    // A move into free time is accepted and raises the version.
    let va = w.version(after).await;
    let r = app
        .patch(
            &format!("/api/v1/consultations/{after}"),
            w.tok("cppcc"),
            json!({"starts_at": day_at(1, 14, 0), "ends_at": day_at(1, 15, 0), "expected_version": va}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    assert_eq!(r.body["version"], va + 1);
    world.stop().await
}

#[actix_rt::test]
async fn invitees_who_hold_the_time_block_and_those_who_declined_do_not() -> TestResult {
    let world = World::new(&[]).await;
    let w = &world;
    let app = &w.app;
    let a = w
        .new_at("cppcc", "A", day_at(2, 10, 0), day_at(2, 11, 0), "A厅")
        .await;
    for who in ["invitee", "absentee", "resident"] {
        w.invite_user(a, who).await;
    }
    w.act("cppcc", a, "schedule", json!({})).await;
    w.rsvp(a, "invitee", "declined").await;
    w.rsvp(a, "absentee", "tentative").await;
    // `resident` stays pending.

    // A declined invitee does not block.
    let d = w
        .new_at("staff", "D", day_at(2, 10, 0), day_at(2, 11, 0), "D厅")
        .await;
    w.invite_user(d, "invitee").await;
    w.act("staff", d, "schedule", json!({})).await;

    // Tentative and pending invitees do.
    for (who, convener, title, venue) in [
        ("absentee", "sub", "E", "E厅"),
        ("resident", "cppcc_peer", "F", "F厅"),
    ] {
        let m = w
            .new_at(convener, title, day_at(2, 10, 30), day_at(2, 11, 30), venue)
            .await;
        w.invite_user(m, who).await;
        let detail = w
            .clash(&format!("scheduling over {who}'s time"), convener, m)
            .await;
        assert!(
            detail.contains(&format!("user {}", w.uid(who)))
                && detail.contains(&format!("consultation {a}")),
            "{detail}"
        );
    }

    // Inviting a busy user to a scheduled meeting is refused.
    for who in ["absentee", "resident"] {
        deny(
            app,
            &format!("inviting {who}, booked elsewhere, to a scheduled meeting"),
            app.post(
                &format!("/api/v1/consultations/{d}/invitations"),
                w.tok("staff"),
                json!({"user_id": w.uid(who), "category": "resident_rep"}),
            ),
            CLASH,
        )
        .await;
    }
    // …but not to a draft, which holds no time yet.
    let g = w
        .new_at("cppcc_peer", "G", day_at(2, 10, 0), day_at(2, 11, 0), "G厅")
        .await;
    w.invite_user(g, "resident").await;

    // Once A is cancelled it blocks no one.
    w.act("cppcc", a, "cancel", json!({"reason": "改期"})).await;
    let r = app
        .post(
            &format!("/api/v1/consultations/{d}/invitations"),
            w.tok("staff"),
            json!({"user_id": w.uid("absentee"), "category": "resident_rep"}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 201, "{:?}", r.body);
    w.act("cppcc_peer", g, "schedule", json!({})).await;
    world.stop().await
}

/// Two overlapping meetings scheduled at the same moment, by one convener or in one venue:
/// exactly one is scheduled, the other is refused as a clash (no check-then-act race). SQLite
/// write transactions are serial; on PostgreSQL the clash check must lock what it reads.
#[actix_rt::test]
async fn parallel_schedules_do_not_double_book() -> TestResult {
    let world = World::new(&[]).await;
    let w = &world;
    for n in 0..8 {
        let s = day_at(30, 8, 0) + Duration::hours(3 * n);
        // Even pairs share the convener, odd pairs the venue.
        let (first, second, venue_a, venue_b) = if n % 2 == 0 {
            ("cppcc", "cppcc", format!("甲厅{n}"), format!("乙厅{n}"))
        } else {
            ("cppcc", "sub", format!("同一厅{n}"), format!("同一厅{n}"))
        };
        let a = id_of(
            &w.create(
                first,
                w.body_at(&format!("并发{n}甲"), s, s + Duration::hours(1), &venue_a),
            )
            .await,
        );
        let b = id_of(
            &w.create(
                second,
                w.body_at(
                    &format!("并发{n}乙"),
                    s + Duration::minutes(30),
                    s + Duration::minutes(90),
                    &venue_b,
                ),
            )
            .await,
        );
        let (ra, rb) = futures_util::future::join(
            w.act_v(first, a, 1, "schedule", json!({})),
            w.act_v(second, b, 1, "schedule", json!({})),
        )
        .await;
        let mut got = [
            (ra.status.as_u16(), ra.code().to_string()),
            (rb.status.as_u16(), rb.code().to_string()),
        ];
        got.sort();
        let what = if n % 2 == 0 { "convener" } else { "venue" };
        assert_eq!(
            got,
            [
                (200, String::new()),
                (409, "consultation.clash".to_string())
            ],
            "pair {n} ({what}): exactly one of two overlapping meetings is scheduled"
        );
    }
    world.stop().await
}

// Free slots.

#[actix_rt::test]
async fn free_slots_are_working_hours_on_weekdays_around_busy_time() -> TestResult {
    let world = World::new(&[]).await;
    let w = &world;
    let app = &w.app;
    let tz = chrono_tz::Asia::Shanghai;
    let slots = |users: Vec<i64>, from: DateTime<Utc>, to: DateTime<Utc>, minutes: i64| {
        let users: Vec<String> = users.iter().map(|u| u.to_string()).collect();
        let path = format!(
            "/api/v1/consultations/free-slots?users={}&from={}&to={}&minutes={minutes}",
            users.join(","),
            z(from),
            z(to)
        );
        async move {
            // A convener whose district holds everyone asked about (free/busy reach).
            let r = app.get(&path, w.tok("cppcc")).await;
            assert_eq!(r.status.as_u16(), 200, "{path}: {:?}", r.body);
            r.body
                .as_array()
                .unwrap()
                .iter()
                .map(|s| {
                    (
                        s["starts_at"]
                            .as_str()
                            .unwrap()
                            .parse::<DateTime<Utc>>()
                            .unwrap(),
                        s["ends_at"]
                            .as_str()
                            .unwrap()
                            .parse::<DateTime<Utc>>()
                            .unwrap(),
                    )
                })
                .collect::<Vec<_>>()
        }
    };
    let r = w.uid("resident");
    let a = w.uid("absentee");

    // The day starts at 09:00 Shanghai (01:00 UTC); at most five slots, on a 30-minute grid.
    let day = slots(vec![r], day_at(0, 0, 0), day_at(1, 0, 0), 60).await;
    assert_eq!(day.len(), 5, "{day:?}");
    assert_eq!(day[0], (day_at(0, 9, 0), day_at(0, 10, 0)));
    assert_eq!(day[0].0.with_timezone(&Utc).hour(), 1);
    for (i, s) in day.iter().enumerate() {
        assert_eq!(s.0, day_at(0, 9, 0) + Duration::minutes(30 * i as i64));
    }
    // Even over two weeks, five.
    assert_eq!(
        slots(vec![r, a], day_at(0, 0, 0), day_at(14, 0, 0), 60)
            .await
            .len(),
        5
    );

    // From a Saturday the first slot is Monday 09:00.
    let weekend = slots(vec![r], day_at(-2, 0, 0), day_at(0, 12, 0), 60).await;
    assert_eq!(weekend[0], (day_at(0, 9, 0), day_at(0, 10, 0)));

    // A 60-minute slot never ends after 17:30; nor does a 90-minute one.
    let late = slots(vec![r], day_at(0, 16, 0), day_at(1, 9, 0), 60).await;
    assert_eq!(
        late,
        vec![
            (day_at(0, 16, 0), day_at(0, 17, 0)),
            (day_at(0, 16, 30), day_at(0, 17, 30)),
        ]
    );
    let late = slots(vec![r], day_at(0, 15, 30), day_at(1, 0, 0), 90).await;
    assert_eq!(late.last().unwrap().1, day_at(0, 17, 30), "{late:?}");
    // Eight-hour slots from a Saturday: two a weekday, the last ending at 17:30.
    let week = slots(vec![r], day_at(-2, 0, 0), day_at(12, 0, 0), 480).await;
    assert_eq!(
        week,
        vec![
            (day_at(0, 9, 0), day_at(0, 17, 0)),
            (day_at(0, 9, 30), day_at(0, 17, 30)),
            (day_at(1, 9, 0), day_at(1, 17, 0)),
            (day_at(1, 9, 30), day_at(1, 17, 30)),
            (day_at(2, 9, 0), day_at(2, 17, 0)),
        ]
    );
    // Friday afternoon runs on to Monday morning.
    let friday = slots(vec![r], day_at(4, 16, 0), day_at(7, 12, 0), 60).await;
    assert_eq!(
        friday.iter().map(|s| s.0).collect::<Vec<_>>(),
        vec![
            day_at(4, 16, 0),
            day_at(4, 16, 30),
            day_at(7, 9, 0),
            day_at(7, 9, 30),
            day_at(7, 10, 0),
        ]
    );
    for (s, e) in week.iter().chain(&friday) {
        let (ls, le) = (s.with_timezone(&tz), e.with_timezone(&tz));
        assert!(!matches!(ls.weekday(), Weekday::Sat | Weekday::Sun), "{ls}");
        assert!(
            ls.time() >= chrono::NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
            "{ls}"
        );
        assert!(
            le.time() <= chrono::NaiveTime::from_hms_opt(17, 30, 0).unwrap(),
            "{le}"
        );
        assert_eq!(ls.date_naive(), le.date_naive());
    }

    // A meeting the resident accepted pushes the first slot after it; the absentee declined
    // it and stays free; the convener is busy too.
    let m = id_of(
        &w.create(
            "cppcc",
            w.body_at("早会", day_at(0, 9, 0), day_at(0, 10, 30), "议事厅"),
        )
        .await,
    );
    w.invite_user(m, "resident").await;
    w.invite_user(m, "absentee").await;
    w.act("cppcc", m, "schedule", json!({})).await;
    w.rsvp(m, "resident", "accepted").await;
    w.rsvp(m, "absentee", "declined").await;
    let busy = slots(vec![r], day_at(0, 0, 0), day_at(1, 0, 0), 60).await;
    assert_eq!(busy[0], (day_at(0, 10, 30), day_at(0, 11, 30)), "{busy:?}");
    let convener = slots(vec![w.uid("cppcc")], day_at(0, 0, 0), day_at(1, 0, 0), 60).await;
    assert_eq!(convener[0].0, day_at(0, 10, 30));
    let declined = slots(vec![a], day_at(0, 0, 0), day_at(1, 0, 0), 60).await;
    assert_eq!(declined[0].0, day_at(0, 9, 0));
    let both = slots(vec![a, r], day_at(0, 0, 0), day_at(1, 0, 0), 30).await;
    assert_eq!(both[0], (day_at(0, 10, 30), day_at(0, 11, 0)));
    world.stop().await
}
