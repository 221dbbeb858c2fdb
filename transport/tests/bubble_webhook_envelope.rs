//! The Bubble receiver checks a body the way the pump after its queue reads it
//! (`codec::bubble::webhook_frame`): a body that is not a `{type, data}` delivery is refused
//! with 400 and the reason, never acknowledged (Bubble retries only what was not answered 200,
//! so an acknowledged body the pump then refused was an event lost).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use botgate_transport::webhook::{BubbleReceiver, Outcome, Receiver, WebhookRequest};
use http::{HeaderMap, StatusCode};
use tokio::sync::mpsc;

#[test]
fn a_body_that_is_not_a_delivery_is_refused_with_the_reason() {
    let (tx, mut rx) = mpsc::channel(8);
    let receiver = BubbleReceiver::new(None, tx);
    for body in [
        "",
        "not json",
        "[1]",
        r#"{"data":{"id":1}}"#,
        r#"{"type":7,"data":{"id":1}}"#,
    ] {
        let answer = receiver.receive(WebhookRequest::new(HeaderMap::new(), body.to_owned()));
        assert_eq!(
            (answer.status, answer.outcome),
            (StatusCode::BAD_REQUEST, Outcome::Malformed),
            "{body}"
        );
        assert!(!answer.body.is_empty(), "{body}: no reason given");
        assert!(rx.try_recv().is_err(), "{body}: handed on");
    }
    // A delivery (any key order, extra keys, no data) is acknowledged and handed on.
    for body in [
        r#"{"data":{"id":1,"content":"hi"},"extra":true,"type":"MESSAGE_CREATE"}"#,
        r#"{"type":"GUILD_DELETE"}"#,
    ] {
        let answer = receiver.receive(WebhookRequest::new(HeaderMap::new(), body.to_owned()));
        assert_eq!(
            (answer.status, answer.outcome),
            (StatusCode::OK, Outcome::Delivered),
            "{body}"
        );
        assert!(rx.try_recv().is_ok(), "{body}");
    }
}
