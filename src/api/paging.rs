//! Keyset pagination: `limit` (1..=100, default 20) and an opaque `cursor` holding the last id.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::ApiError;

/// Largest page any list returns.
pub const MAX_LIMIT: i64 = 100;
/// Page size when none is asked for.
pub const DEFAULT_LIMIT: i64 = 20;

/// Every list answer: `{items, next_cursor}`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct List<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// A decoded page request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub limit: i64,
    /// Only rows with an id greater than this.
    pub after: Option<i64>,
}

impl Page {
    /// Checks `limit` and decodes `cursor`, naming the bad parameter.
    pub fn new(limit: Option<i64>, cursor: Option<&str>) -> Result<Page, ApiError> {
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ApiError::invalid(
                "limit",
                "validation.range",
                format!("1..={MAX_LIMIT}"),
            ));
        }
        let after = match cursor.filter(|c| !c.is_empty()) {
            None => None,
            Some(c) => Some(decode(c).ok_or_else(|| {
                ApiError::invalid(
                    "cursor",
                    "request.invalid_cursor",
                    "not a cursor from this service",
                )
            })?),
        };
        Ok(Page { limit, after })
    }

    /// Rows to fetch: one more than the page, to know whether another page exists.
    pub fn fetch(&self) -> i64 {
        self.limit + 1
    }

    /// Cuts the extra row and builds the answer; `id` gives each row's key.
    pub fn finish<T>(&self, mut rows: Vec<T>, id: impl Fn(&T) -> i64) -> List<T> {
        let more = rows.len() as i64 > self.limit;
        rows.truncate(self.limit as usize);
        let next_cursor = if more {
            rows.last().map(|r| encode(id(r)))
        } else {
            None
        };
        List {
            items: rows,
            next_cursor,
        }
    }
}

fn encode(id: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("id:{id}"))
}

fn decode(cursor: &str) -> Option<i64> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    text.strip_prefix("id:")?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trips_and_pages_end() {
        let page = Page::new(Some(2), None).unwrap();
        let list = page.finish(vec![1, 2, 3], |x| *x);
        assert_eq!(list.items, vec![1, 2]);
        let next = Page::new(Some(2), list.next_cursor.as_deref()).unwrap();
        assert_eq!(next.after, Some(2));
        let last = next.finish(vec![3], |x| *x);
        assert!(last.next_cursor.is_none());
    }

    #[test]
    fn refuses_bad_limits_and_cursors() {
        assert!(Page::new(Some(0), None).is_err());
        assert!(Page::new(Some(101), None).is_err());
        assert!(Page::new(None, Some("garbage!")).is_err());
        assert_eq!(Page::new(None, None).unwrap().limit, DEFAULT_LIMIT);
    }
}
