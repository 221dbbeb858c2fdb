//! The mapping that takes the event (`unify_*_owned`, used when no typed handler needs it)
//! gives exactly what the borrowing one gives, for every sample frame of each platform, the
//! skipped kinds included: moving the event into `original` changes no field.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

use botgate_codec::unify::{
    unify_bubble, unify_bubble_owned, unify_onebot, unify_onebot_owned, unify_qq, unify_qq_owned,
    UnifyContext,
};
use botgate_codec::Frame;

#[path = "support/samples.rs"]
mod samples;
use samples::{BUBBLE, ONEBOT, QQ};

fn ctx() -> UnifyContext {
    UnifyContext::new("102074")
}

/// The dispatches of a QQ / Bubble sample file: (event type, `d`).
fn dispatches(file: &str) -> Vec<(String, Vec<u8>)> {
    file.lines()
        .filter(|l| !l.trim().is_empty())
        .filter_map(|l| {
            let frame = Frame::scan(l.as_bytes().to_vec()).expect("sample frame scans");
            let t = frame.event_type().filter(|_| frame.op() == 0)?.to_owned();
            Some((t, frame.data().unwrap_or(b"null").to_vec()))
        })
        .collect()
}

#[test]
fn qq_owned_mapping_equals_the_borrowing_one() {
    let (mut mapped, mut skipped) = (0, 0);
    for (t, d) in dispatches(QQ) {
        let event = botgate_codec::qq::decode_event(&t, &d).expect("sample decodes");
        let borrowed = unify_qq(&event, &ctx());
        let owned = unify_qq_owned(event, &ctx());
        assert_eq!(owned, borrowed, "{t}");
        if owned.is_ok() {
            mapped += 1;
        } else {
            skipped += 1;
        }
    }
    assert!(
        mapped > 5 && skipped > 0,
        "mapped {mapped}, skipped {skipped}"
    );
}

#[test]
fn bubble_owned_mapping_equals_the_borrowing_one() {
    let mut mapped = 0;
    for (t, d) in dispatches(BUBBLE) {
        let event = botgate_codec::bubble::decode_event(&t, &d).expect("sample decodes");
        let borrowed = unify_bubble(&event, &ctx());
        let owned = unify_bubble_owned(event, &ctx());
        assert_eq!(owned, borrowed, "{t}");
        mapped += usize::from(owned.is_ok());
    }
    assert!(mapped > 5, "mapped {mapped}");
}

#[test]
fn onebot_owned_mapping_equals_the_borrowing_one() {
    let mut mapped = 0;
    for line in ONEBOT.lines().filter(|l| !l.trim().is_empty()) {
        // The file also holds a few lines that are not events (action responses).
        let Ok(event) = botgate_codec::onebot::decode_event(line.as_bytes()) else {
            continue;
        };
        let borrowed = unify_onebot(&event, &ctx());
        let owned = unify_onebot_owned(event, &ctx());
        assert_eq!(owned, borrowed, "{line}");
        mapped += usize::from(owned.is_ok());
    }
    assert!(mapped > 5, "mapped {mapped}");
}
