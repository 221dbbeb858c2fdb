//! The OneBot access-token check of the reverse-WS listener: `Authorization: Bearer <t>`,
//! `Authorization: Token <t>` or `?access_token=<t>`, compared in constant time; a missing
//! token and a wrong one are told apart (401 / 403, as go-cqhttp answers).

use http::header::AUTHORIZATION;
use http::HeaderMap;

use crate::Secret;

/// What the credentials of an upgrade request amount to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Auth {
    /// One of them is the expected token.
    Ok,
    /// None was presented (HTTP 401).
    Missing,
    /// Some were presented, none is right (HTTP 403).
    Wrong,
}

/// Checks the credentials presented in `headers` / `query` against `expected`.
pub(crate) fn check(expected: &Secret, headers: &HeaderMap, query: Option<&str>) -> Auth {
    let mut ok = false;
    let mut presented = false;
    for value in headers.get_all(AUTHORIZATION) {
        if let Some(token) = value.to_str().ok().and_then(scheme_token) {
            // No early exit: every presented credential is compared.
            presented = true;
            ok |= expected.ct_eq(token);
        }
    }
    if let Some(query) = query {
        for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
            if key == "access_token" {
                presented = true;
                ok |= expected.ct_eq(&value);
            }
        }
    }
    match (ok, presented) {
        (true, _) => Auth::Ok,
        (false, false) => Auth::Missing,
        (false, true) => Auth::Wrong,
    }
}

/// True when one of the credentials presented in `headers` / `query` equals `expected`.
#[cfg(test)]
fn authorized(expected: &Secret, headers: &HeaderMap, query: Option<&str>) -> bool {
    check(expected, headers, query) == Auth::Ok
}

/// The token of `Bearer <t>` / `Token <t>` (scheme case-insensitive).
fn scheme_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    if scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("token") {
        Some(token.trim())
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn headers(auth: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(AUTHORIZATION, HeaderValue::from_str(auth).unwrap());
        h
    }

    #[test]
    fn accepts_bearer_token_and_query() {
        let s = Secret::new("t0k");
        assert!(authorized(&s, &headers("Bearer t0k"), None));
        assert!(authorized(&s, &headers("bearer t0k"), None));
        assert!(authorized(&s, &headers("Token t0k"), None));
        assert!(authorized(
            &s,
            &HeaderMap::new(),
            Some("x=1&access_token=t0k")
        ));
    }

    #[test]
    fn rejects_wrong_missing_or_other_scheme() {
        let s = Secret::new("t0k");
        assert!(!authorized(&s, &headers("Bearer t0kk"), None));
        assert!(!authorized(&s, &headers("Basic t0k"), None));
        assert!(!authorized(&s, &headers("t0k"), None));
        assert!(!authorized(&s, &HeaderMap::new(), None));
        assert!(!authorized(
            &s,
            &HeaderMap::new(),
            Some("access_token=nope")
        ));
    }

    #[test]
    fn missing_and_wrong_are_told_apart() {
        let s = Secret::new("t0k");
        assert_eq!(check(&s, &HeaderMap::new(), None), Auth::Missing);
        assert_eq!(check(&s, &headers("Basic t0k"), None), Auth::Missing);
        assert_eq!(check(&s, &headers("Bearer nope"), None), Auth::Wrong);
        assert_eq!(
            check(&s, &HeaderMap::new(), Some("access_token=")),
            Auth::Wrong
        );
        assert_eq!(
            check(&s, &headers("Bearer t0k"), Some("access_token=x")),
            Auth::Ok
        );
    }

    #[test]
    fn query_token_is_percent_decoded() {
        let s = Secret::new("a b&c");
        assert!(authorized(
            &s,
            &HeaderMap::new(),
            Some("access_token=a%20b%26c")
        ));
    }
}
