#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Both backends carry the same migrations, and each migration's down.sql really undoes it.

mod common;

use common::TestResult;

use diesel::migration::MigrationSource;
use diesel_migrations::MigrationHarness;

#[test]
fn both_backends_have_the_same_migrations() -> TestResult {
    let (sqlite, postgres) = yishi::db::migration_names();
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, postgres);
    Ok(())
}

#[test]
fn migrations_revert_and_reapply() -> TestResult {
    let db = common::TestDb::new();
    let pool = yishi::db::pool(&db.url, 1, 5000).unwrap();
    let mut conn = pool.get().unwrap();
    assert!(yishi::db::migrate(&mut conn).unwrap() > 0);
    assert_eq!(
        yishi::db::migrate(&mut conn).unwrap(),
        0,
        "second run applies nothing"
    );
    match &mut *conn {
        yishi::db::DbConn::Sqlite(c) => {
            let source =
                diesel_migrations::FileBasedMigrations::from_path("migrations/sqlite").unwrap();
            let n = MigrationSource::<diesel::sqlite::Sqlite>::migrations(&source)
                .unwrap()
                .len();
            for _ in 0..n {
                c.revert_last_migration(source.clone()).unwrap();
            }
        }
        yishi::db::DbConn::Postgres(c) => {
            let source =
                diesel_migrations::FileBasedMigrations::from_path("migrations/postgres").unwrap();
            let n = MigrationSource::<diesel::pg::Pg>::migrations(&source)
                .unwrap()
                .len();
            for _ in 0..n {
                c.revert_last_migration(source.clone()).unwrap();
            }
        }
    }
    assert!(
        yishi::db::migrate(&mut conn).unwrap() > 0,
        "everything reapplies after a full revert"
    );
    Ok(())
}
