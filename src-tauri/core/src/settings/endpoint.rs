//! The one rule for the local model's address: it must be on this machine. Settings validation and the model
//! client both apply it, so a remote address can neither be saved nor reached.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use reqwest::Url;

use super::KEY_ASK_ENDPOINT;
use crate::error::Error;

/// Accepts only addresses on this machine: 127.0.0.0/8, ::1 (and ::ffff:127.x) and `localhost`, over plain
/// http (nothing crosses a network, so there is nothing for TLS to protect).
pub fn check_loopback(endpoint: &str) -> Result<(), Error> {
    let bad = |reason: String| {
        Err(Error::InvalidSetting {
            key: KEY_ASK_ENDPOINT.into(),
            reason,
        })
    };
    let text = endpoint.trim();
    let Ok(url) = Url::parse(text) else {
        return bad(format!(
            "\"{text}\" is not an address such as http://127.0.0.1:11434"
        ));
    };
    if url.scheme() != "http" {
        return bad(format!(
            "\"{text}\" must start with http:// (the model runs on this machine, so no TLS is involved)"
        ));
    }
    if loopback_host(&url).is_none() {
        return bad(format!(
            "\"{text}\" is not on this machine; only 127.0.0.1 (127.0.0.0/8), ::1 and localhost are accepted, \
             so nothing leaves the machine"
        ));
    }
    Ok(())
}

/// The loopback addresses to connect to, or `None` when the URL's host is not this machine.
pub fn loopback_host(url: &Url) -> Option<Vec<IpAddr>> {
    match url.host()? {
        url::Host::Domain(d) if d.eq_ignore_ascii_case("localhost") => Some(vec![
            IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(Ipv6Addr::LOCALHOST),
        ]),
        url::Host::Domain(_) => None,
        url::Host::Ipv4(ip) => ip.is_loopback().then_some(vec![IpAddr::V4(ip)]),
        url::Host::Ipv6(ip) => (ip.is_loopback()
            || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback()))
        .then_some(vec![IpAddr::V6(ip)]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_addresses_pass() {
        for ok in [
            "http://127.0.0.1:11434",
            "http://127.8.9.10:8080/v1",
            "http://localhost:11434",
            "http://LOCALHOST:1234",
            "http://[::1]:8080",
            "http://[::ffff:127.0.0.1]:8080",
        ] {
            assert!(check_loopback(ok).is_ok(), "{ok} should pass");
        }
        for bad in [
            "http://10.0.0.5:11434",
            "http://192.168.1.2:11434",
            "http://example.com:11434",
            "http://localhost.example.com",
            "http://[2001:db8::1]:8080",
            "http://0.0.0.0:11434",
            "https://127.0.0.1:11434",
            "127.0.0.1:11434",
            "",
        ] {
            let e = check_loopback(bad).expect_err(bad);
            assert_eq!(e.code(), "invalid_setting");
            assert!(e.to_string().starts_with("ask.endpoint: "), "{e}");
        }
    }
}
