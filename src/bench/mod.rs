//! `yishi bench places`: builds a place tree of 111,111 places (fan-out 10 over five levels)
//! in a scratch database and times the subtree queries and permission lookups that every
//! request relies on. `yishi bench fanout`: one event to a topic's 5,000 followers.
//! `yishi bench export`: the peak memory of a `serve` child process exporting 5,000 and then
//! 50,000 catalog topics as open data (CSV and JSON over HTTP).
//! `yishi bench seed --tier ..`: a realistic data set for load tests ([`seed`]).
//! `yishi bench run`: a mixed load over HTTP with goose, as ratios to pgbench and argon2
//! measured in the same run ([`load`]).
//! Results are reported in docs/benchmarks.md, never asserted by tests.

mod export;
pub mod load;
pub mod seed;

pub use export::{
    BulkTopics, ExportReport, export, fill_export, insert_catalog_topics, peak_rss_kib,
};

use std::time::Instant;

use crate::db::{self, DbConn};
use crate::error::ApiResult;
use crate::places::queries;
use crate::places::rules::PlaceKind;

/// Timings of one run, in milliseconds unless named otherwise.
#[derive(Debug)]
pub struct PlacesReport {
    pub places: usize,
    pub build_ms: u128,
    /// One page (100) of a sub-district's subtree (1,111 places).
    pub subtree_page_ms: f64,
    /// Walking a whole district subtree (11,111 places) page by page.
    pub district_walk_ms: f64,
    /// Loading one building with its path, as the permission check does.
    pub place_ref_us: f64,
}

fn timed<T>(f: impl FnOnce() -> ApiResult<T>) -> ApiResult<(T, f64)> {
    let t = Instant::now();
    let v = f()?;
    Ok((v, t.elapsed().as_secs_f64() * 1000.0))
}

/// Runs the places benchmark on `conn` (an empty, migrated database).
pub fn places(conn: &mut DbConn, fanout: usize) -> ApiResult<PlacesReport> {
    let started = Instant::now();
    let kinds = [
        PlaceKind::District,
        PlaceKind::Subdistrict,
        PlaceKind::Community,
        PlaceKind::Grid,
        PlaceKind::Building,
    ];
    let mut count = 1;
    let (city, district, subdistrict, building) = db::write_tx(conn, |conn| {
        let city = queries::insert_place(conn, None, PlaceKind::City, "bench city", "b")?;
        let mut level = vec![(city.id, format!("/{}/", city.id), "b".to_string())];
        let mut firsts = Vec::new();
        for kind in kinds {
            let mut next = Vec::with_capacity(level.len() * fanout);
            for (id, path, code) in &level {
                for i in 0..fanout {
                    let c = format!("{code}-{i}");
                    let p = queries::insert_place(conn, Some((*id, path)), kind, &c, &c)?;
                    next.push((p.id, format!("{path}{}/", p.id), c));
                }
            }
            count += next.len();
            firsts.push(next[0].0);
            level = next;
        }
        Ok((city.id, firsts[0], firsts[1], firsts[4]))
    })?;
    let build_ms = started.elapsed().as_millis();
    let _ = city;

    let sub_path = queries::place_ref(conn, subdistrict, None)?.0.path;
    let runs = 50;
    let mut total = 0.0;
    for _ in 0..runs {
        let (_, ms) =
            timed(|| queries::list_places(conn, None, Some(&sub_path), None, None, None, 101))?;
        total += ms;
    }
    let subtree_page_ms = total / runs as f64;

    let district_path = queries::place_ref(conn, district, None)?.0.path;
    let (_, district_walk_ms) = timed(|| {
        let mut after = None;
        loop {
            let page =
                queries::list_places(conn, None, Some(&district_path), None, None, after, 100)?;
            match page.last() {
                Some(p) if page.len() == 100 => after = Some(p.id),
                _ => break,
            }
        }
        Ok(())
    })?;

    let lookups = 1000;
    let (_, ms) = timed(|| {
        for _ in 0..lookups {
            queries::place_ref(conn, building, None)?;
        }
        Ok(())
    })?;
    Ok(PlacesReport {
        places: count,
        build_ms,
        subtree_page_ms,
        district_walk_ms,
        place_ref_us: ms * 1000.0 / lookups as f64,
    })
}

/// What fanning out one event to a topic's followers cost.
#[derive(Debug)]
pub struct FanoutReport {
    pub followers: usize,
    /// Notifications written by the one fan-out.
    pub notifications: usize,
    /// SQL statements the fan-out transaction issued (diesel's instrumentation), all channels
    /// included (notifications, mail scheduling, webhook queueing).
    pub statements: usize,
    pub fan_out_ms: f64,
}

/// `yishi bench fanout`: a topic with `followers` followers is accepted; times the fan-out of
/// that one event and counts its statements. Followers are read and written in chunks, so the
/// count grows with followers / `notifications.follower_chunk`, not with followers.
pub fn fanout(
    conn: &mut DbConn,
    settings: &crate::config::Settings,
    followers: usize,
) -> ApiResult<FanoutReport> {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use diesel::connection::{Connection, InstrumentationEvent};

    use crate::notifications::{events, fanout, follows, kinds};
    use crate::topics::queries as tq;
    use crate::topics::rules::{Category, Source};

    db::write_tx(conn, |conn| {
        let city = queries::insert_place(conn, None, PlaceKind::City, "bench city", "fb")?;
        let community = queries::insert_place(
            conn,
            Some((city.id, &format!("/{}/", city.id))),
            PlaceKind::Community,
            "bench community",
            "fb-1",
        )?;
        let author =
            crate::accounts::queries::insert_user(conn, "author@bench", "-", "作者", None, true)?;
        let topic = tq::insert_topic(
            conn,
            &tq::NewTopicRow {
                place_id: community.id,
                community_id: community.id,
                title: "电梯更换",
                body: "三号楼电梯更换方案",
                category: Category::Facilities,
                source: Source::Resident,
                author_id: author,
                on_behalf_of: None,
                major: false,
            },
        )?;
        for i in 0..followers {
            let u = crate::accounts::queries::insert_user(
                conn,
                &format!("f{i}@bench"),
                "-",
                &format!("居民{i}"),
                Some(community.id),
                true,
            )?;
            follows::follow_if_new(conn, u, topic, kinds::FollowLevel::Normal)?;
        }
        let mut n = events::Notice::new(
            kinds::NotificationKind::TopicAccepted,
            format!("bench:{topic}"),
        );
        n.place_id = Some(community.id);
        n.topic_id = Some(topic);
        n.actor_id = Some(author);
        events::emit(conn, &n)?;
        Ok(())
    })?;
    let statements = Arc::new(AtomicUsize::new(0));
    let counter = statements.clone();
    conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
        if let InstrumentationEvent::StartQuery { .. } = event {
            counter.fetch_add(1, Ordering::Relaxed);
        }
    });
    let (done, fan_out_ms) = timed(|| fanout::fan_out_one(conn, settings))?;
    Ok(FanoutReport {
        followers,
        notifications: done.map_or(0, |d| d.recipients),
        statements: statements.load(Ordering::Relaxed),
        fan_out_ms,
    })
}
