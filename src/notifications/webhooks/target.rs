//! Where an endpoint URL leads: its host resolved and every address checked against
//! [`rules::is_public`], at create/update and again before each attempt (DNS can change between
//! the two). Blocking: call it off the async threads.

use std::net::{SocketAddr, ToSocketAddrs};

use url::{Host, Url};

use super::rules;

/// Why a target is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetProblem {
    /// The host resolves to no address.
    Unresolvable(String),
    /// The host (or one of its addresses) is loopback, private, link-local, ….
    Private(String),
}

impl std::fmt::Display for TargetProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TargetProblem::Unresolvable(d) => write!(f, "cannot resolve {d}"),
            TargetProblem::Private(d) => write!(f, "refused private address {d}"),
        }
    }
}

/// Resolves `url`'s host. With private targets allowed nothing is checked and nothing pinned
/// (an empty list); otherwise the checked addresses, which the delivery then connects to (so
/// a second lookup cannot lead elsewhere).
pub fn resolve(url: &Url, allow_private: bool) -> Result<Vec<SocketAddr>, TargetProblem> {
    if allow_private {
        return Ok(Vec::new());
    }
    let port = url.port_or_known_default().unwrap_or(80);
    let addrs: Vec<SocketAddr> = match url.host() {
        Some(Host::Ipv4(ip)) => vec![SocketAddr::new(ip.into(), port)],
        Some(Host::Ipv6(ip)) => vec![SocketAddr::new(ip.into(), port)],
        Some(Host::Domain(name)) => (name, port)
            .to_socket_addrs()
            .map_err(|_| TargetProblem::Unresolvable(name.to_string()))?
            .collect(),
        None => Vec::new(),
    };
    let ips: Vec<_> = addrs.iter().map(SocketAddr::ip).collect();
    match rules::first_refused(&ips) {
        None => Ok(addrs),
        Some(Some(ip)) => Err(TargetProblem::Private(ip.to_string())),
        Some(None) => Err(TargetProblem::Unresolvable(
            url.host_str().unwrap_or_default().to_string(),
        )),
    }
}
