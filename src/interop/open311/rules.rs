//! Pure rules of Open311: the services (our topic categories), the status of a topic, which
//! community a report's coordinates or address fall in, the request fields, and the dates.
//! No database, no HTTP: tested below.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

use crate::topics::rules::{Category, Stage};

crate::wire_enum! {
    /// GeoReport v2's two statuses: `open` for say … evaluate, `closed` once the topic is.
    #[schema(as = Open311Status)]
    pub enum Status {
        Open = "open",
        Closed = "closed",
    }
}

/// The format a response is written in, from the path's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Xml,
}

impl Format {
    /// The `Content-Type` of a body in this format.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Json => "application/json",
            Format::Xml => "text/xml; charset=utf-8",
        }
    }
}

/// The Open311 status of a topic in `stage`.
pub fn status_of(stage: Stage) -> Status {
    match stage {
        Stage::Closed => Status::Closed,
        _ => Status::Open,
    }
}

/// The stages a status filter keeps.
pub fn stages_of(status: Status) -> Vec<Stage> {
    Stage::ALL
        .into_iter()
        .filter(|s| status_of(*s) == status)
        .collect()
}

/// What a service shows besides its code: name, description, keywords and group (zh-CN).
pub struct ServiceText {
    pub name: &'static str,
    pub description: &'static str,
    pub keywords: &'static str,
    pub group: &'static str,
}

/// The zh-CN texts of the service for `c`.
pub fn service_text(c: Category) -> ServiceText {
    let t = |name, description, keywords, group| ServiceText {
        name,
        description,
        keywords,
        group,
    };
    match c {
        Category::Environment => t(
            "环境卫生",
            "垃圾分类、清运、绿化、噪声与污染",
            "垃圾, 清运, 绿化, 噪声, 污水",
            "人居环境",
        ),
        Category::Property => t(
            "物业管理",
            "物业服务、维修资金、小区公共部位的管理",
            "物业, 保洁, 维修资金, 门禁",
            "小区治理",
        ),
        Category::Safety => t(
            "治安安全",
            "消防通道、治安隐患、高空抛物",
            "消防, 治安, 隐患, 高空抛物",
            "平安建设",
        ),
        Category::Facilities => t(
            "公共设施",
            "电梯、路灯、道路、健身器材等公共设施的损坏与维修",
            "电梯, 路灯, 道路, 井盖, 健身器材",
            "人居环境",
        ),
        Category::TrafficParking => t(
            "交通停车",
            "停车位、充电桩、非机动车停放与通行",
            "停车, 充电桩, 电动车, 通行",
            "小区治理",
        ),
        Category::ElderlyChildren => t(
            "一老一小",
            "养老助餐、托育、适老化与儿童友好设施",
            "养老, 助餐, 托育, 适老化",
            "民生服务",
        ),
        Category::NeighbourhoodDisputes => t(
            "邻里纠纷",
            "相邻关系、噪声扰民、宠物与公共空间占用",
            "邻里, 纠纷, 扰民, 宠物",
            "平安建设",
        ),
        Category::Other => t("其他", "以上类别以外的社区事务", "其他", "其他"),
    }
}

/// One attribute of a service definition (all of ours are optional free text).
pub struct AttributeDef {
    pub code: &'static str,
    pub description: &'static str,
}

/// The attributes of the service for `c`: only 公共设施 asks where exactly the fault is
/// (building, unit, floor), which the responsible firm needs and a map point does not give.
pub fn attributes(c: Category) -> &'static [AttributeDef] {
    const FACILITIES: &[AttributeDef] = &[AttributeDef {
        code: "location_detail",
        description: "具体位置（楼栋、单元、楼层）",
    }];
    match c {
        Category::Facilities => FACILITIES,
        _ => &[],
    }
}

/// The notice a posted request answers with.
pub const SERVICE_NOTICE: &str = "已收到，社区将在受理后编入议事目录；可凭编号查询进展。";

/// At most this many requests answer one GET (the spec lets the server choose).
pub const MAX_RESULTS: i64 = 1000;

/// The default window of GET requests without dates: the last 90 days (the spec's default).
pub const DEFAULT_WINDOW_DAYS: i64 = 90;

/// Longest description kept (the spec's 4,000 characters).
pub const MAX_DESCRIPTION: usize = 4000;

/// Longest value of any other text field.
pub const MAX_FIELD: usize = 500;

/// Longest topic title made from a description.
const TITLE_CHARS: usize = 40;

/// A topic title from the request: the description's first line, cut to 40 characters, or
/// the service name when there is no description.
pub fn title_from(description: &str, service_name: &str) -> String {
    let line = description.lines().map(str::trim).find(|l| !l.is_empty());
    match line {
        None => service_name.to_string(),
        Some(l) if l.chars().count() <= TITLE_CHARS => l.to_string(),
        Some(l) => {
            let mut t: String = l.chars().take(TITLE_CHARS - 1).collect();
            t.push('…');
            t
        }
    }
}

/// A field's text without control characters (but newlines and tabs in `multiline`), trimmed.
pub fn clean(value: &str, multiline: bool) -> String {
    value
        .chars()
        .filter(|c| !c.is_control() || (multiline && matches!(c, '\n' | '\t')))
        .filter(|c| !matches!(c, '\u{2028}' | '\u{2029}'))
        .collect::<String>()
        .trim()
        .to_string()
}

/// A date-time parameter: W3C/RFC 3339 (`2026-12-01T08:00:00+08:00` or `…Z`), a local time
/// without offset (taken as UTC), or a bare date (its midnight UTC).
pub fn parse_datetime(s: &str) -> Option<DateTime<Utc>> {
    if s.is_empty() || s.trim() != s {
        return None;
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    if let Ok(t) = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S") {
        return Some(t.and_utc());
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
}

/// A coordinate parameter: a finite number within `limit` degrees either way.
pub fn parse_degrees(s: &str, limit: f64) -> Option<f64> {
    s.trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && v.abs() <= limit)
}

/// A place that could take a report: id, name, code, point, bounding box
/// `(min_lat, min_lng, max_lat, max_lng)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub id: i64,
    pub name: String,
    pub code: String,
    pub point: Option<(f64, f64)>,
    pub bbox: Option<(f64, f64, f64, f64)>,
}

/// How far from a community's point a report without a containing box may be and still land
/// there: farther, it is outside the client's area.
pub const NEAREST_LIMIT_M: f64 = 3000.0;

/// The community at (`lat`, `lng`): one whose bounding box contains it (the smallest box
/// when several do), else the one whose point is nearest, within `limit_m` metres. None when
/// no candidate qualifies.
pub fn nearest(candidates: &[Candidate], lat: f64, lng: f64, limit_m: f64) -> Option<i64> {
    let containing = candidates
        .iter()
        .filter_map(|c| {
            let (a, b, x, y) = c.bbox?;
            (a <= lat && lat <= x && b <= lng && lng <= y).then_some((c.id, (x - a) * (y - b)))
        })
        .min_by(|p, q| p.1.total_cmp(&q.1));
    if let Some((id, _)) = containing {
        return Some(id);
    }
    candidates
        .iter()
        .filter_map(|c| c.point.map(|(la, lo)| (c.id, distance_m(lat, lng, la, lo))))
        .filter(|(_, d)| *d <= limit_m)
        .min_by(|p, q| p.1.total_cmp(&q.1))
        .map(|(id, _)| id)
}

/// Great-circle distance in metres (haversine on a sphere of the Earth's mean radius).
pub fn distance_m(lat1: f64, lng1: f64, lat2: f64, lng2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lng2 - lng1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * 6_371_000.0 * a.sqrt().asin()
}

/// The place an address names: one whose code or name is the whole address, else the one
/// whose name (the longest, so 幸福社区3号楼 beats 幸福社区) appears in it.
pub fn match_address(candidates: &[Candidate], address: &str) -> Option<i64> {
    let a = address.trim();
    if a.is_empty() {
        return None;
    }
    if let Some(c) = candidates.iter().find(|c| c.code == a || c.name == a) {
        return Some(c.id);
    }
    candidates
        .iter()
        .filter(|c| !c.name.is_empty() && a.contains(c.name.as_str()))
        .max_by_key(|c| c.name.chars().count())
        .map(|c| c.id)
}

/// The `attribute[code]` keys of a posted form: the code inside the brackets.
pub fn attribute_code(key: &str) -> Option<&str> {
    key.strip_prefix("attribute[")?.strip_suffix(']')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(
        id: i64,
        name: &str,
        point: Option<(f64, f64)>,
        bbox: Option<(f64, f64, f64, f64)>,
    ) -> Candidate {
        Candidate {
            id,
            name: name.to_string(),
            code: format!("c{id}"),
            point,
            bbox,
        }
    }

    #[test]
    fn stages_map_to_open_and_closed() {
        for s in Stage::ALL {
            let want = if s == Stage::Closed {
                Status::Closed
            } else {
                Status::Open
            };
            assert_eq!(status_of(s), want, "{s:?}");
        }
        assert_eq!(stages_of(Status::Closed), vec![Stage::Closed]);
        assert_eq!(stages_of(Status::Open).len(), 5);
    }

    const L: f64 = NEAREST_LIMIT_M;

    #[test]
    fn a_containing_box_wins_over_a_nearer_point() {
        let c = [
            place(1, "甲", Some((29.8700, 121.5500)), None),
            place(
                2,
                "乙",
                Some((29.9000, 121.6000)),
                Some((29.86, 121.54, 29.88, 121.56)),
            ),
        ];
        assert_eq!(nearest(&c, 29.8701, 121.5501, L), Some(2));
        // Outside every box: the nearest point.
        assert_eq!(nearest(&c, 29.871, 121.551, L), Some(2));
        assert_eq!(nearest(&c, 29.85, 121.55, L), Some(1));
        // Too far from every point: nowhere.
        assert_eq!(nearest(&c, 29.0, 121.0, L), None);
        // The smaller of two containing boxes.
        let c = [
            place(1, "大", None, Some((29.0, 121.0, 30.0, 122.0))),
            place(2, "小", None, Some((29.5, 121.5, 29.6, 121.6))),
        ];
        assert_eq!(nearest(&c, 29.55, 121.55, L), Some(2));
        assert_eq!(nearest(&c, 29.1, 121.1, L), Some(1));
        assert_eq!(nearest(&[place(1, "无", None, None)], 29.0, 121.0, L), None);
    }

    #[test]
    fn addresses_match_code_name_or_the_longest_contained_name() {
        let c = [
            place(1, "幸福社区", None, None),
            place(2, "幸福社区3号楼", None, None),
            place(3, "和义社区", None, None),
        ];
        assert_eq!(match_address(&c, "c3"), Some(3));
        assert_eq!(match_address(&c, "和义社区"), Some(3));
        assert_eq!(match_address(&c, "南门街道幸福社区3号楼2单元"), Some(2));
        assert_eq!(match_address(&c, "幸福社区东门"), Some(1));
        assert_eq!(match_address(&c, "别处"), None);
        assert_eq!(match_address(&c, "  "), None);
    }

    #[test]
    fn dates_parse_in_the_spec_forms() {
        let want = DateTime::parse_from_rfc3339("2026-12-01T00:00:00Z").unwrap();
        assert_eq!(
            parse_datetime("2026-12-01T08:00:00+08:00"),
            Some(want.into())
        );
        assert_eq!(parse_datetime("2026-12-01T00:00:00Z"), Some(want.into()));
        assert_eq!(parse_datetime("2026-12-01T00:00:00"), Some(want.into()));
        assert_eq!(parse_datetime("2026-12-01"), Some(want.into()));
        assert_eq!(parse_datetime("yesterday"), None);
        assert_eq!(parse_datetime(" 2026-12-01"), None);
        assert_eq!(parse_datetime(""), None);
    }

    #[test]
    fn fields_are_cleaned_and_titles_cut() {
        assert_eq!(clean(" a\u{7}b\nc ", false), "abc");
        assert_eq!(clean(" a\u{7}b\nc ", true), "ab\nc");
        assert_eq!(title_from("\n 电梯坏了 \n三天了", "公共设施"), "电梯坏了");
        assert_eq!(title_from("", "公共设施"), "公共设施");
        let long = "很".repeat(60);
        assert_eq!(title_from(&long, "x").chars().count(), 40);
        assert_eq!(parse_degrees("29.87", 90.0), Some(29.87));
        assert_eq!(parse_degrees("91", 90.0), None);
        assert_eq!(parse_degrees("NaN", 90.0), None);
        assert_eq!(
            attribute_code("attribute[location_detail]"),
            Some("location_detail")
        );
        assert_eq!(attribute_code("attribute"), None);
    }

    #[test]
    fn every_category_is_a_named_service() {
        for c in Category::ALL {
            assert!(!service_text(c).name.is_empty());
        }
        assert_eq!(attributes(Category::Facilities).len(), 1);
        assert!(attributes(Category::Other).is_empty());
    }
}
