//! Webhook signatures against vectors computed outside botgate (pyca/cryptography for Ed25519,
//! Python's hmac for HMAC-SHA256, the openssl CLI as a cross-check: see
//! testdata/webhook/README.md), and every verdict of the receivers on each input class.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod qq_signed;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use botgate_transport::webhook::{
    verify_bubble_signature, BubbleReceiver, Delivery, Outcome, QqKey, QqReceiver,
    QqReceiverConfig, Receiver, WebhookRequest,
};
use botgate_transport::Secret;
use http::{HeaderMap, HeaderValue, StatusCode};
use serde_json::Value;
use tokio::sync::mpsc;

fn vectors() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../testdata/webhook/vectors.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or_else(|| panic!("{key} in {v}"))
}

fn at(unix: &str) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(unix.parse().unwrap())
}

fn request(headers: &[(&str, &str)], body: &str, received_at: SystemTime) -> WebhookRequest {
    let mut map = HeaderMap::new();
    for (k, v) in headers {
        map.insert(
            http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
            HeaderValue::from_str(v).unwrap(),
        );
    }
    WebhookRequest {
        headers: map,
        body: body.to_owned().into(),
        received_at,
    }
}

#[test]
fn qq_validation_signatures_match_the_independent_vectors() {
    let v = vectors();
    for case in v["qq_validation"].as_array().unwrap() {
        let key = QqKey::from_secret(s(case, "secret")).unwrap();
        assert_eq!(hex::encode(key.public_key()), s(case, "public_key"));
        // Ed25519 is deterministic: the same key signs the same bytes the same way.
        assert_eq!(
            key.sign_validation(s(case, "event_ts"), s(case, "plain_token")),
            s(case, "signature"),
            "{case}"
        );
    }
}

#[test]
fn qq_event_signatures_verify_and_any_change_fails() {
    let v = vectors();
    for case in v["qq_event"].as_array().unwrap() {
        let key = QqKey::from_secret(s(case, "secret")).unwrap();
        assert_eq!(hex::encode(key.public_key()), s(case, "public_key"));
        let (ts, body, sig) = (s(case, "timestamp"), s(case, "body"), s(case, "signature"));
        assert!(key.verify(ts, body.as_bytes(), sig), "{case}");
        assert!(
            key.verify(ts, body.as_bytes(), &sig.to_uppercase()),
            "hex case"
        );
        let mut tampered = body.as_bytes().to_vec();
        tampered.push(b' ');
        assert!(!key.verify(ts, &tampered, sig), "body changed");
        let later = (ts.parse::<u64>().unwrap() + 1).to_string();
        assert!(
            !key.verify(&later, body.as_bytes(), sig),
            "timestamp changed"
        );
        let other = QqKey::from_secret("another-secret").unwrap();
        assert!(!other.verify(ts, body.as_bytes(), sig), "other key");
        let mut flipped = hex::decode(sig).unwrap();
        flipped[10] ^= 1;
        assert!(!key.verify(ts, body.as_bytes(), &hex::encode(flipped)));
    }
}

#[test]
fn bubble_signatures_match_the_independent_vectors() {
    let v = vectors();
    for case in v["bubble"].as_array().unwrap() {
        let secret = Secret::new(s(case, "secret"));
        let (body, sig) = (s(case, "body"), s(case, "signature"));
        assert!(
            verify_bubble_signature(&secret, body.as_bytes(), sig),
            "{case}"
        );
        assert!(verify_bubble_signature(
            &secret,
            body.as_bytes(),
            &sig.replacen("sha256=", "SHA256=", 1)
        ));
        assert!(!verify_bubble_signature(
            &secret,
            format!("{body} ").as_bytes(),
            sig
        ));
        assert!(!verify_bubble_signature(
            &Secret::new("other"),
            body.as_bytes(),
            sig
        ));
        assert!(!verify_bubble_signature(
            &secret,
            body.as_bytes(),
            &sig["sha256=".len()..]
        ));
        assert!(!verify_bubble_signature(
            &secret,
            body.as_bytes(),
            &sig[..sig.len() - 2]
        ));
        assert!(!verify_bubble_signature(
            &secret,
            body.as_bytes(),
            "sha256=zz"
        ));
    }
}

fn qq_receiver(secret: &str, app_id: Option<&str>) -> (QqReceiver, mpsc::Receiver<Delivery>) {
    let (tx, rx) = mpsc::channel(8);
    let config = QqReceiverConfig {
        app_id: app_id.map(str::to_owned),
        timestamp_window: Duration::from_secs(300),
    };
    (
        QqReceiver::new(QqKey::from_secret(secret).unwrap(), config, tx),
        rx,
    )
}

#[test]
fn qq_receiver_answers_the_documented_validation() {
    let v = vectors();
    let case = &v["qq_validation"][0];
    let (receiver, mut rx) = qq_receiver(s(case, "secret"), Some("11111111"));
    // QQ's documented request: no signature headers, event_ts as a string.
    let body = format!(
        r#"{{"d":{{"plain_token":"{}","event_ts":"{}"}},"op":13}}"#,
        s(case, "plain_token"),
        s(case, "event_ts")
    );
    let answer = receiver.receive(request(
        &[
            ("user-agent", "QQBot-Callback"),
            ("x-bot-appid", "11111111"),
        ],
        &body,
        SystemTime::now(),
    ));
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.outcome, Outcome::Validated);
    let json: Value = serde_json::from_slice(&answer.body).unwrap();
    assert_eq!(json["plain_token"], case["plain_token"]);
    assert_eq!(json["signature"], case["signature"]);
    assert!(rx.try_recv().is_err(), "a validation is not dispatched");

    // An event_ts sent as a number (the older documented example) signs its digits.
    let case = &v["qq_validation"][1];
    let (receiver, _rx) = qq_receiver(s(case, "secret"), None);
    let body = format!(
        r#"{{"op":13,"d":{{"plain_token":"{}","event_ts":{}}}}}"#,
        s(case, "plain_token"),
        s(case, "event_ts")
    );
    let answer = receiver.receive(request(&[], &body, SystemTime::now()));
    let json: Value = serde_json::from_slice(&answer.body).unwrap();
    assert_eq!(json["signature"], case["signature"]);
}

#[test]
fn qq_receiver_refuses_to_sign_what_could_read_as_an_event() {
    let (receiver, _rx) = qq_receiver("DG5g3B4j9X2KOErG", None);
    for d in [
        r#"{"plain_token":"{\"op\":0,\"t\":\"C2C_MESSAGE_CREATE\"}","event_ts":"1725442341"}"#,
        r#"{"plain_token":"abc","event_ts":"17254{"}"#,
        r#"{"plain_token":"","event_ts":"1"}"#,
        r#"{"plain_token":"abc"}"#,
    ] {
        let answer = receiver.receive(request(
            &[],
            &format!(r#"{{"op":13,"d":{d}}}"#),
            SystemTime::now(),
        ));
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{d}");
        assert_eq!(answer.outcome, Outcome::Malformed);
    }
}

/// Headers, body, arrival time, expected verdict.
type Case<'a> = (Vec<(&'a str, &'a str)>, &'a str, SystemTime, Outcome);

#[test]
fn qq_receiver_dispatches_only_verified_fresh_events() {
    let v = vectors();
    let case = &v["qq_event"][1];
    let (ts, body, sig) = (s(case, "timestamp"), s(case, "body"), s(case, "signature"));
    let (receiver, mut rx) = qq_receiver(s(case, "secret"), Some("102000001"));
    let signed = [
        ("x-signature-ed25519", sig),
        ("x-signature-timestamp", ts),
        ("x-bot-appid", "102000001"),
    ];

    let ok = receiver.receive(request(&signed, body, at(ts) + Duration::from_secs(2)));
    assert_eq!(
        (ok.status, ok.outcome),
        (StatusCode::OK, Outcome::Delivered)
    );
    assert_eq!(&ok.body[..], br#"{"op":12}"#);
    assert_eq!(&rx.try_recv().unwrap().body[..], body.as_bytes());

    let changed = body.replace("/ping", "/pong");
    let bad_sig = sig.replacen(&sig[..2], if &sig[..2] == "00" { "01" } else { "00" }, 1);
    let cases: Vec<Case> = vec![
        // wrong signature
        (
            vec![
                ("x-signature-ed25519", &bad_sig),
                ("x-signature-timestamp", ts),
            ],
            body,
            at(ts),
            Outcome::BadSignature,
        ),
        // body changed after signing
        (signed.to_vec(), &changed, at(ts), Outcome::BadSignature),
        // no headers at all on a dispatch
        (vec![], body, at(ts), Outcome::BadSignature),
        // signature without its timestamp
        (
            vec![("x-signature-ed25519", sig)],
            body,
            at(ts),
            Outcome::StaleTimestamp,
        ),
        // timestamp without a signature
        (
            vec![("x-signature-timestamp", ts)],
            body,
            at(ts),
            Outcome::BadSignature,
        ),
        // a correct signature, delivered 301 s late (or early)
        (
            signed.to_vec(),
            body,
            at(ts) + Duration::from_secs(301),
            Outcome::StaleTimestamp,
        ),
        (
            signed.to_vec(),
            body,
            at(ts) - Duration::from_secs(301),
            Outcome::StaleTimestamp,
        ),
        // another bot's delivery
        (
            vec![
                ("x-signature-ed25519", sig),
                ("x-signature-timestamp", ts),
                ("x-bot-appid", "9"),
            ],
            body,
            at(ts),
            Outcome::WrongApp,
        ),
        // a timestamp that is not a number
        (
            vec![
                ("x-signature-ed25519", sig),
                ("x-signature-timestamp", "soon"),
            ],
            body,
            at(ts),
            Outcome::StaleTimestamp,
        ),
    ];
    for (headers, body, when, outcome) in cases {
        let answer = receiver.receive(request(&headers, body, when));
        assert_eq!(
            answer.status,
            StatusCode::UNAUTHORIZED,
            "{headers:?} {outcome:?}"
        );
        assert_eq!(answer.outcome, outcome, "{headers:?}");
        assert!(rx.try_recv().is_err(), "nothing dispatched for {outcome:?}");
    }
}

#[test]
fn qq_receiver_answers_503_when_the_queue_is_full() {
    let v = vectors();
    let case = &v["qq_event"][1];
    let (ts, body, sig) = (s(case, "timestamp"), s(case, "body"), s(case, "signature"));
    let (tx, mut rx) = mpsc::channel(1);
    // The queue is full already.
    tx.try_send(Delivery {
        body: bytes::Bytes::from_static(b"{}"),
        received_at: at(ts),
    })
    .unwrap();
    let receiver = QqReceiver::new(
        QqKey::from_secret(s(case, "secret")).unwrap(),
        QqReceiverConfig::default(),
        tx,
    );
    let headers = [("x-signature-ed25519", sig), ("x-signature-timestamp", ts)];
    let busy = receiver.receive(request(&headers, body, at(ts)));
    assert_eq!(
        (busy.status, busy.outcome),
        (StatusCode::SERVICE_UNAVAILABLE, Outcome::Overloaded)
    );
    // QQ sends it again once there is room: a refused delivery was not remembered as taken.
    rx.try_recv().unwrap();
    assert_eq!(
        receiver.receive(request(&headers, body, at(ts))).outcome,
        Outcome::Delivered
    );
    // Sent once more: taken already, acknowledged and not handed on.
    let again = receiver.receive(request(&headers, body, at(ts)));
    assert_eq!(
        (again.status, again.outcome),
        (StatusCode::OK, Outcome::Ignored)
    );
    assert_eq!(rx.try_recv().unwrap().body, body.as_bytes());
    assert!(rx.try_recv().is_err());
}

#[test]
fn bubble_receiver_checks_the_hmac_when_it_has_a_secret() {
    let v = vectors();
    let case = &v["bubble"][0];
    let (body, sig) = (s(case, "body"), s(case, "signature"));
    let (tx, mut rx) = mpsc::channel(8);
    let receiver = BubbleReceiver::new(Some(Secret::new(s(case, "secret"))), tx);
    let now = SystemTime::now();

    let ok = receiver.receive(request(&[("x-bubble-signature", sig)], body, now));
    assert_eq!(
        (ok.status, ok.outcome),
        (StatusCode::OK, Outcome::Delivered)
    );
    assert_eq!(&rx.try_recv().unwrap().body[..], body.as_bytes());

    let wrong = format!("sha256={}", "0".repeat(64));
    for headers in [
        vec![],
        vec![("x-bubble-signature", wrong.as_str())],
        vec![("x-bubble-signature", &sig["sha256=".len()..])],
    ] {
        let answer = receiver.receive(request(&headers, body, now));
        assert_eq!(
            (answer.status, answer.outcome),
            (StatusCode::UNAUTHORIZED, Outcome::BadSignature)
        );
        assert!(rx.try_recv().is_err());
    }
    let tampered = receiver.receive(request(
        &[("x-bubble-signature", sig)],
        &body.replace("Hello", "Hullo"),
        now,
    ));
    assert_eq!(tampered.status, StatusCode::UNAUTHORIZED);
    assert!(rx.try_recv().is_err());
}

#[test]
fn bubble_receiver_without_a_secret_accepts() {
    let (tx, mut rx) = mpsc::channel(8);
    let receiver = BubbleReceiver::new(Some(Secret::new("")), tx);
    for _ in 0..2 {
        let answer = receiver.receive(request(&[], r#"{"type":"X","data":{}}"#, SystemTime::now()));
        assert_eq!(answer.status, StatusCode::OK);
        assert!(rx.try_recv().is_ok());
    }
}

#[test]
fn qq_receiver_refuses_signed_garbage_and_ignores_other_ops() {
    let (receiver, mut rx) = qq_signed::receiver(8);
    for (body, status, outcome) in [
        ("not json", StatusCode::BAD_REQUEST, Outcome::Malformed),
        (r#"{"d":{}}"#, StatusCode::BAD_REQUEST, Outcome::Malformed),
        (r#"{"op":11}"#, StatusCode::OK, Outcome::Ignored),
        // A string op is refused as on the gateway (decision 0078; it was delivered, then
        // dropped by the frame scan).
        (
            r#"{"op":"0","t":"C2C_MESSAGE_CREATE","d":{}}"#,
            StatusCode::BAD_REQUEST,
            Outcome::Malformed,
        ),
    ] {
        let answer = receiver.receive(qq_signed::signed(body));
        assert_eq!((answer.status, answer.outcome), (status, outcome), "{body}");
        assert_eq!(
            rx.try_recv().is_ok(),
            outcome == Outcome::Delivered,
            "{body}"
        );
    }
}
