//! Two copies of one QQ delivery arriving at once while the dispatch queue is full: neither
//! may be acknowledged. A copy answered 200 "ignored" because the other had claimed the
//! signature, while that other then found the queue full, gave its claim back and answered
//! 503, left QQ with a 200 for an event nobody queued: lost.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Barrier};

use botgate_transport::webhook::{Outcome, QqKey, Receiver, WebhookRequest};

mod qq_signed;
use qq_signed::{receiver, signed_by as signed, SECRET};

#[test]
fn two_copies_meeting_a_full_queue_are_both_refused() {
    let (receiver, _rx) = receiver(1);
    let receiver = Arc::new(receiver);
    let key = QqKey::from_secret(SECRET).unwrap();
    // Fill the queue (capacity 1) with a delivery nobody takes.
    let filler = receiver.receive(signed(
        &key,
        r#"{"op":0,"t":"C2C_MESSAGE_CREATE","d":{},"id":"f"}"#,
    ));
    assert_eq!(filler.outcome, Outcome::Delivered);
    // The window is a few instructions wide: it was hit within ~30 pairs before the fix.
    for i in 0..600 {
        let body = format!(r#"{{"op":0,"t":"C2C_MESSAGE_CREATE","d":{{}},"id":"e{i}"}}"#);
        let a = signed(&key, &body);
        let b = WebhookRequest {
            headers: a.headers.clone(),
            body: a.body.clone(),
            received_at: a.received_at,
        };
        let start = Arc::new(Barrier::new(2));
        let other = {
            let (receiver, start) = (Arc::clone(&receiver), Arc::clone(&start));
            std::thread::spawn(move || {
                start.wait();
                receiver.receive(b).outcome
            })
        };
        start.wait();
        let mine = receiver.receive(a).outcome;
        let theirs = other.join().unwrap();
        assert_eq!(
            (mine, theirs),
            (Outcome::Overloaded, Outcome::Overloaded),
            "copy pair {i}: a 200 for an event the full queue did not take"
        );
    }
}
