//! Open311 GeoReport v2 at `/open311/v2` (JSON and XML) and the API keys of its clients
//! (`/api/v1/open311-clients`). Services are the topic categories; a posted request becomes a
//! topic with source `open311` in the community found from its address or coordinates; a
//! request's status, notes and dates are read from the topic. The reporter's personal details
//! stay in `open311_requests` and never leave the service. See docs/open311.md.

pub mod actions;
pub mod model;
pub mod queries;
pub mod routes;
pub mod rules;
pub mod xml;
