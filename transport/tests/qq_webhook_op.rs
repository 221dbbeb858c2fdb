//! The QQ receiver reads `op` as strictly as the gateway's envelope scan (decisions 0009 and
//! 0078): a signed body whose `op` is not an unsigned integer is refused with 400 and the
//! reason, never acknowledged and never handed on; integer ops behave as before.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use botgate_transport::webhook::{Outcome, Receiver};
use http::StatusCode;

mod qq_signed;
use qq_signed::{receiver, signed};

#[test]
fn a_signed_body_whose_op_is_not_an_integer_is_refused_with_the_reason() {
    let (receiver, mut rx) = receiver(8);
    for op in [
        r#""0""#, r#""13""#, r#""12""#, "1.0", "-1", "null", "[0]", "true",
    ] {
        let body = format!(r#"{{"op":{op},"t":"C2C_MESSAGE_CREATE","d":{{}}}}"#);
        let answer = receiver.receive(signed(&body));
        assert_eq!(
            (answer.status, answer.outcome),
            (StatusCode::BAD_REQUEST, Outcome::Malformed),
            "{body}"
        );
        let text = String::from_utf8_lossy(&answer.body);
        assert!(text.contains("`op`"), "{body}: {text}");
        assert!(rx.try_recv().is_err(), "{body}: handed on");
    }
    let answer = receiver.receive(signed(r#"{"t":"X","d":{}}"#));
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert!(String::from_utf8_lossy(&answer.body).contains("`op`"));
    // Integer ops: dispatched (0) or acknowledged (others), as before.
    let answer = receiver.receive(signed(r#"{"op":0,"t":"C2C_MESSAGE_CREATE","d":{}}"#));
    assert_eq!(
        (answer.status, answer.outcome),
        (StatusCode::OK, Outcome::Delivered)
    );
    assert!(rx.try_recv().is_ok());
    let answer = receiver.receive(signed(r#"{"op":11}"#));
    assert_eq!(
        (answer.status, answer.outcome),
        (StatusCode::OK, Outcome::Ignored)
    );
}

/// The rest of the envelope is as strict as the pump's scan after the queue (the limit 0078
/// left): a signed dispatch whose `s`, `t` or `id` that scan refuses was acknowledged, then
/// dropped as a decode error after QQ had its 200.
#[test]
fn a_signed_dispatch_whose_envelope_the_scan_refuses_is_refused_with_the_reason() {
    let (receiver, mut rx) = receiver(8);
    for body in [
        r#"{"op":0,"s":"7","t":"C2C_MESSAGE_CREATE","d":{}}"#,
        r#"{"op":0,"s":-1,"t":"C2C_MESSAGE_CREATE","d":{}}"#,
        r#"{"op":0,"t":7,"d":{}}"#,
        r#"{"op":0,"id":{},"t":"C2C_MESSAGE_CREATE","d":{}}"#,
        r#"{"op":0,"t":"C2C_MESSAGE_CREATE","d":{},"d":{}}"#,
        r#"{"op":0,"t":"C2C_MESSAGE_CREATE","d":{"a":}}"#,
    ] {
        let answer = receiver.receive(signed(body));
        assert_eq!(
            (answer.status, answer.outcome),
            (StatusCode::BAD_REQUEST, Outcome::Malformed),
            "{body}"
        );
        assert!(!answer.body.is_empty(), "{body}: no reason given");
        assert!(rx.try_recv().is_err(), "{body}: handed on");
    }
    // A sloppy but valid envelope (null `s`, keys in any order) is still delivered.
    let answer = receiver.receive(signed(
        r#"{"d":{"x":1},"t":"C2C_MESSAGE_CREATE","s":null,"id":"e1","op":0}"#,
    ));
    assert_eq!(
        (answer.status, answer.outcome),
        (StatusCode::OK, Outcome::Delivered)
    );
    assert!(rx.try_recv().is_ok());
}
