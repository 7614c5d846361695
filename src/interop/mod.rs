//! Interoperability with systems that already exist beside Yishi: the civic-reporting apps
//! that speak Open311 GeoReport v2.

pub mod open311;
