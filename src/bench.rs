//! `yishi bench places`: builds a place tree of 111,111 places (fan-out 10 over five levels)
//! in a scratch database and times the subtree queries and permission lookups that every
//! request relies on. Results are reported in docs/benchmarks.md, never asserted by tests.

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
