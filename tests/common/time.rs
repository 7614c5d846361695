//! Meeting times: a Monday ahead in Shanghai, and how they go into a query string.

use chrono::{DateTime, Datelike, Duration, TimeZone, Utc, Weekday};

/// Next Monday (at least two days ahead) at `hour:minute` Shanghai time, in UTC.
pub fn monday_at(hour: u32, minute: u32) -> DateTime<Utc> {
    let tz = chrono_tz::Asia::Shanghai;
    let mut day = (Utc::now() + Duration::days(2))
        .with_timezone(&tz)
        .date_naive();
    while day.weekday() != Weekday::Mon {
        day = day.succ_opt().expect("a next day");
    }
    tz.from_local_datetime(&day.and_hms_opt(hour, minute, 0).expect("a time of day"))
        .single()
        .expect("one Shanghai time")
        .with_timezone(&Utc)
}

/// `day` days after that Monday, at `hour:minute` Shanghai time.
pub fn day_at(day: i64, hour: u32, minute: u32) -> DateTime<Utc> {
    monday_at(hour, minute) + Duration::days(day)
}

/// RFC 3339 in UTC with a `Z`, safe in a query string.
pub fn z(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}
