//! Concurrent re-ratings by one resident replace the rating (finding 10c).

use super::*;

#[actix_rt::test]
async fn concurrent_re_ratings_by_one_resident_replace_the_rating() {
    let w = World::new(&[]).await;
    let app = &w.app;
    let id = w.raise("小区路灯不亮").await;
    // Straight into an open evaluation window (the way there is covered elsewhere).
    let closes = yishi::db::now() + Duration::days(7);
    app.with_db(|c| {
        diesel::update(topics::table.find(id))
            .set((
                topics::stage.eq(Stage::Evaluate),
                topics::eval_round.eq(1),
                topics::eval_closes_at.eq(Some(closes)),
            ))
            .execute(c)
            .unwrap();
    });
    let path = format!("/api/v1/topics/{id}/evaluations");
    let ratings = (1..=5).map(|score| {
        let path = path.clone();
        let token = w.r1.clone();
        async move {
            app.post(
                &path,
                Some(&token),
                json!({"score": score, "comment": "并发"}),
            )
            .await
        }
    });
    let answers = futures_util::future::join_all(ratings).await;
    for r in &answers {
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(r.body["count"], 1, "{:?}", r.body);
    }
    assert_eq!(app.count("evaluations"), 1, "one rating row");
    // The last one to commit holds: one of the five, and a later rating replaces it.
    let summary = app.get(&path, Some(&w.staff)).await;
    let mean = summary.body["mean"].as_f64().unwrap();
    assert!((1.0..=5.0).contains(&mean) && mean.fract() == 0.0, "{mean}");
    let last = app
        .post(&path, Some(&w.r1), json!({"score": 2, "comment": "最后"}))
        .await;
    assert_eq!(last.status, StatusCode::OK, "{:?}", last.body);
    assert_eq!(
        (&last.body["count"], &last.body["mean"]),
        (&json!(1), &json!(2.0))
    );
    assert_eq!(app.count("evaluations"), 1);
    let checked = app.with_db(|c| yishi::topics::events::verify_all(c).unwrap());
    assert!(checked.is_ok(), "audit chain broken: {checked:?}");
    w.app.stop().await;
}
