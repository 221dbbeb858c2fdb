//! Invariant check shared by the `unify` fuzz target and `codec/tests/unify_fuzz_seeds.rs`.
//! Not part of the stable API.

use botgate_proto::unified::{Event, EventKind, Platform, Scene};

use super::{unify_frame, Outcome, UnifyContext};

/// Runs [`unify_frame`] on `bytes` for `platform` and checks the result: decode errors are
/// fine; a unified event must be self-consistent and serialise to JSON that reads back equal.
///
/// # Panics
/// If an invariant is broken (that is the point).
pub fn check_unify(platform: Platform, bytes: &[u8]) {
    let ctx = UnifyContext::new("10001").with_now(1_700_000_000);
    let Ok(outcome) = unify_frame(platform, bytes, &ctx) else {
        return;
    };
    let again = unify_frame(platform, bytes, &ctx).ok();
    assert_eq!(again.as_ref(), Some(&outcome), "unify is not deterministic");
    let Outcome::Unified(u) = outcome else {
        return;
    };
    check_event(&u.unified, platform);
    let json =
        serde_json::to_value(&*u).unwrap_or_else(|e| panic!("a unified event must serialise: {e}"));
    assert_eq!(json["is_group"], u.is_group());
    assert_eq!(json["is_private"], u.is_private());
    assert_eq!(json["is_guild"], u.is_guild());
    let back: Event =
        serde_json::from_value(json).unwrap_or_else(|e| panic!("the JSON must read back: {e}"));
    assert_eq!(back, *u.unified, "JSON round trip changed the event");
    if let Err(e) = serde_json::to_string(&u.with_original()) {
        panic!("the original must serialise: {e}");
    }
    assert_eq!(u.original.platform(), platform);
}

fn check_event(e: &Event, platform: Platform) {
    assert_eq!(e.platform, platform);
    assert!(
        !e.sub_event.is_unknown(),
        "unknown sub_event {}",
        e.sub_event
    );
    let expected = e.sub_event.kind();
    match &e.event {
        EventKind::Message | EventKind::MessageSent => {
            assert_eq!(expected, Some(EventKind::Message), "{}", e.sub_event);
            assert_eq!(
                e.sub_event.as_str(),
                e.contact.scene.as_str(),
                "a message's sub_event is its scene"
            );
        }
        other => assert_eq!(expected.as_ref(), Some(other), "{}", e.sub_event),
    }
    assert!(!e.contact.scene.is_unknown());
    let expected_group = match e.contact.scene {
        Scene::Group => Some(&e.contact.peer),
        Scene::StrangerFromGroup => e.contact.sub_peer.as_ref(),
        _ => None,
    };
    assert_eq!(
        e.group_id.as_ref(),
        expected_group,
        "group_id only in group scenes"
    );
    assert_eq!(e.sender.uid, e.user_id, "sender.uid is user_id");
}

/// The fuzz target's input format: the first byte selects the platform (`b'0'` or any byte
/// ≡ 0 mod 3: QQ; ≡ 1: Bubble; ≡ 2: OneBot), the rest is the frame. Empty input is ignored.
///
/// # Panics
/// If an invariant of [`check_unify`] is broken.
pub fn check_unify_input(data: &[u8]) {
    let Some((&selector, frame)) = data.split_first() else {
        return;
    };
    let platform = match selector % 3 {
        0 => Platform::Qq,
        1 => Platform::Bubble,
        _ => Platform::OneBot,
    };
    check_unify(platform, frame);
}
