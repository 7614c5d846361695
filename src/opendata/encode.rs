//! Turning records into body chunks, pure: the CSV head (UTF-8 BOM and header row), CSV rows
//! (RFC 4180 quoting by the `csv` crate, CRLF line ends) and the elements of a streamed JSON
//! array. A CSV cell is the record's JSON value: strings as they are, null empty, numbers and
//! booleans as JSON writes them, arrays and objects as their JSON text, so both formats agree.

use serde::Serialize;
use serde_json::Value;

use crate::error::{ApiError, ApiResult};

/// The byte order mark that makes spreadsheet software read the CSV as UTF-8.
pub const BOM: &[u8] = "\u{feff}".as_bytes();

/// The first bytes of a JSON export: the array opens.
pub const JSON_HEAD: &[u8] = b"[\n";
/// The last bytes of a JSON export: the array closes.
pub const JSON_TAIL: &[u8] = b"\n]\n";

fn writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new())
}

fn finish(w: csv::Writer<Vec<u8>>) -> ApiResult<Vec<u8>> {
    w.into_inner()
        .map_err(|e| ApiError::internal(format!("csv: {e}")))
}

/// BOM and header row.
pub fn csv_head(columns: &[&str]) -> ApiResult<Vec<u8>> {
    let mut w = writer();
    w.write_record(columns)
        .map_err(|e| ApiError::internal(format!("csv: {e}")))?;
    let mut out = BOM.to_vec();
    out.extend(finish(w)?);
    Ok(out)
}

/// The text of one CSV cell for a JSON value.
pub fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// CSV rows of `records`, one per record, the cells in `columns` order.
pub fn csv_rows<T: Serialize>(columns: &[&str], records: &[T]) -> ApiResult<Vec<u8>> {
    let mut w = writer();
    for r in records {
        let v = serde_json::to_value(r).map_err(|e| ApiError::internal(e.to_string()))?;
        let row: Vec<String> = columns.iter().map(|c| cell(&v[*c])).collect();
        w.write_record(&row)
            .map_err(|e| ApiError::internal(format!("csv: {e}")))?;
    }
    finish(w)
}

/// Elements of the JSON array, one per line; `first` says whether no element was written
/// before (otherwise each element is preceded by a comma).
pub fn json_elements<T: Serialize>(records: &[T], first: bool) -> ApiResult<Vec<u8>> {
    let mut out = Vec::new();
    for (i, r) in records.iter().enumerate() {
        if !(first && i == 0) {
            out.extend_from_slice(b",\n");
        }
        serde_json::to_writer(&mut out, r).map_err(|e| ApiError::internal(e.to_string()))?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn head_is_bom_then_header() {
        let h = csv_head(&["id", "title"]).unwrap_or_default();
        assert_eq!(h, "\u{feff}id,title\r\n".as_bytes());
    }

    #[test]
    fn cells_quote_as_rfc_4180_says() {
        let rows = csv_rows(
            &["a", "b", "c", "d", "e"],
            &[json!({"a": "x,y", "b": "say \"hi\"", "c": "two\nlines", "d": null, "e": ["停车", 3]})],
        )
        .unwrap_or_default();
        assert_eq!(
            String::from_utf8(rows).unwrap_or_default(),
            "\"x,y\",\"say \"\"hi\"\"\",\"two\nlines\",,\"[\"\"停车\"\",3]\"\r\n"
        );
    }

    #[test]
    fn json_pages_join_into_one_array() {
        let mut body = JSON_HEAD.to_vec();
        body.extend(json_elements(&[json!({"id": 1}), json!({"id": 2})], true).unwrap_or_default());
        body.extend(json_elements(&[json!({"id": 3})], false).unwrap_or_default());
        body.extend(JSON_TAIL);
        let v: Value = serde_json::from_slice(&body).unwrap_or_default();
        assert_eq!(v, json!([{"id": 1}, {"id": 2}, {"id": 3}]));
        let mut empty = JSON_HEAD.to_vec();
        empty.extend(JSON_TAIL);
        let v: Value = serde_json::from_slice(&empty).unwrap_or_default();
        assert_eq!(v, json!([]));
    }

    #[test]
    fn columns_are_exactly_the_record_fields() {
        use crate::opendata::model::*;
        let keys = |v: Value| {
            let mut k: Vec<String> = v
                .as_object()
                .map(|o| o.keys().cloned().collect())
                .unwrap_or_default();
            k.sort();
            k
        };
        let sorted = |c: &[&str]| {
            let mut c: Vec<String> = c.iter().map(|s| s.to_string()).collect();
            c.sort();
            c
        };
        let t = OpenDataTopic {
            id: 1,
            catalog_no: "2026-0001".into(),
            place_id: 2,
            place_name: "幸福社区".into(),
            community_id: 2,
            title: "t".into(),
            body: "b".into(),
            category: crate::topics::rules::Category::Other,
            source: crate::topics::rules::Source::Resident,
            stage: crate::topics::rules::Stage::Discuss,
            resolution: None,
            escalated: false,
            major: false,
            decision: None,
            supporters_count: 0,
            comments_count: 0,
            satisfaction_count: 0,
            satisfaction_mean: None,
            author: "居民".into(),
            created_at: chrono::Utc::now(),
            updated_at: chrono::Utc::now(),
            discuss_at: None,
            plan_at: None,
            act_at: None,
            evaluate_at: None,
            closed_at: None,
        };
        assert_eq!(
            keys(serde_json::to_value(&t).unwrap_or_default()),
            sorted(TOPIC_COLUMNS)
        );
        let c = OpenDataConsultation {
            id: 1,
            place_id: 2,
            place_name: "幸福社区".into(),
            title: "t".into(),
            kind: crate::consultations::rules::Kind::Courtyard,
            format: crate::consultations::rules::Format::InPerson,
            venue: None,
            starts_at: chrono::Utc::now(),
            ends_at: chrono::Utc::now(),
            status: crate::consultations::rules::Status::Concluded,
            concluded_at: None,
            agenda: vec![],
            topic_ids: vec![],
            outcomes: vec![],
            convener: "居民".into(),
        };
        assert_eq!(
            keys(serde_json::to_value(&c).unwrap_or_default()),
            sorted(CONSULTATION_COLUMNS)
        );
    }
}
