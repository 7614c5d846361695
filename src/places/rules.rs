//! Pure rules of the place tree: which kind may sit under which, materialised paths and the
//! range that selects a subtree.

crate::wire_enum! {
    /// Levels of the territorial tree (市 > 区 > 街道 > 社区 > 网格 > 楼栋).
    pub enum PlaceKind {
        City = "city",
        District = "district",
        Subdistrict = "subdistrict",
        Community = "community",
        Grid = "grid",
        Building = "building",
    }
}

impl PlaceKind {
    /// May a place of this kind sit under `parent` (None = be a root)?
    pub fn fits_under(self, parent: Option<PlaceKind>) -> bool {
        use PlaceKind::*;
        matches!(
            (parent, self),
            (None, City)
                | (Some(City), District)
                | (Some(District), Subdistrict)
                | (Some(Subdistrict), Community)
                | (Some(Community), Grid)
                | (Some(Community), Building)
                | (Some(Grid), Building)
        )
    }

    /// Can a resident live here (a home place)?
    pub fn is_home(self) -> bool {
        matches!(
            self,
            PlaceKind::Community | PlaceKind::Grid | PlaceKind::Building
        )
    }
}

/// The path of a child: the parent's path plus the child's id.
pub fn child_path(parent_path: Option<&str>, id: i64) -> String {
    format!("{}{id}/", parent_path.unwrap_or("/"))
}

/// The half-open range `[lo, hi)` of paths in the subtree at `path` ('0' follows '/').
pub fn subtree_range(path: &str) -> (String, String) {
    let lo = path.to_string();
    let hi = format!("{}0", path.trim_end_matches('/'));
    (lo, hi)
}

/// Ids of the ancestors of a path, root first, the place itself last.
pub fn path_ids(path: &str) -> Vec<i64> {
    path.split('/').filter_map(|p| p.parse().ok()).collect()
}

/// Escapes `%`, `_` and `\` for a LIKE pattern with `\` as escape character.
pub fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hierarchy_is_strict() {
        assert!(PlaceKind::City.fits_under(None));
        assert!(!PlaceKind::District.fits_under(None));
        assert!(PlaceKind::Community.fits_under(Some(PlaceKind::Subdistrict)));
        assert!(!PlaceKind::Community.fits_under(Some(PlaceKind::District)));
        assert!(PlaceKind::Building.fits_under(Some(PlaceKind::Grid)));
        assert!(!PlaceKind::City.fits_under(Some(PlaceKind::City)));
    }

    #[test]
    fn subtree_range_selects_only_descendants() {
        let (lo, hi) = subtree_range("/1/5/");
        let inside = |p: &str| p >= lo.as_str() && p < hi.as_str();
        assert!(inside("/1/5/"));
        assert!(inside("/1/5/23/"));
        assert!(inside("/1/5/999999/12/"));
        assert!(!inside("/1/50/"));
        assert!(!inside("/1/51/"));
        assert!(!inside("/1/4/"));
        assert!(!inside("/1/6/"));
        assert!(!inside("/1/"));
    }

    #[test]
    fn paths() {
        assert_eq!(child_path(None, 7), "/7/");
        assert_eq!(child_path(Some("/7/"), 9), "/7/9/");
        assert_eq!(path_ids("/7/9/12/"), vec![7, 9, 12]);
        assert_eq!(escape_like("50%_a\\"), "50\\%\\_a\\\\");
    }
}
