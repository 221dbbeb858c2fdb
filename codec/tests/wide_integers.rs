//! A bare integer wider than 64 bits (a sloppy producer's id sent as a number) keeps every
//! digit in a string field: serde_json's passes read such a literal as an `f64`, and the
//! decode gave `98765432109876550000000` for `98765432109876543210987`. Decoded the way the
//! dispatcher decodes (`qq::decode_event`: the direct pass first, then the serde passes).

#![allow(clippy::unwrap_used)] // tests

use botgate_codec::qq::{self, Event};

#[test]
fn a_qq_message_keeps_every_digit_of_bare_wide_ids() {
    let d = br#"{"author":{"id":123456789012345678901234,"username":"a"},"channel_id":98765432109876543210987,"guild_id":-99999999999999999999,"content":"hi","id":"m1","seq":7,"timestamp":"2021-05-20T15:14:58+08:00","future":{"n":18446744073709551616,"f":2.5}}"#;
    let Event::AtMessageCreate(m) = qq::decode_event("AT_MESSAGE_CREATE", d).unwrap() else {
        panic!("not a message")
    };
    assert_eq!(m.author.id, "123456789012345678901234");
    assert_eq!(m.channel_id, "98765432109876543210987");
    assert_eq!(m.guild_id, "-99999999999999999999");
    assert_eq!(m.content, "hi");
    assert_eq!(m.seq, Some(7), "a number that fits is still a number");
}

#[test]
fn ids_that_fit_64_bits_are_read_as_before() {
    // u64::MAX and i64::MIN fit: no copy, the same values as serde_json reads.
    let d = br#"{"author":{"id":18446744073709551615},"channel_id":-9223372036854775808,"content":"x","id":"m2"}"#;
    let Event::AtMessageCreate(m) = qq::decode_event("AT_MESSAGE_CREATE", d).unwrap() else {
        panic!("not a message")
    };
    assert_eq!(m.author.id, "18446744073709551615");
    assert_eq!(m.channel_id, "-9223372036854775808");
}

#[test]
fn a_wide_integer_in_a_number_field_is_repaired_as_absent_not_rounded() {
    // `seq` is a number field: a value it cannot hold reads as absent (lenient), as a float
    // that does not fit did before; the rest of the message is kept.
    let d = br#"{"content":"x","id":"m3","seq":123456789012345678901234}"#;
    let Event::AtMessageCreate(m) = qq::decode_event("AT_MESSAGE_CREATE", d).unwrap() else {
        panic!("not a message")
    };
    assert_eq!(m.seq, None);
    assert_eq!(m.id, "m3");
}

#[test]
fn malformed_json_with_a_wide_number_stays_an_error() {
    for d in [
        br#"{"id":"m4",12345678901234567890123:1}"#.as_slice(),
        br#"{"id":"m5","channel_id":0123456789012345678901}"#.as_slice(),
    ] {
        assert!(
            qq::decode_event("AT_MESSAGE_CREATE", d).is_err(),
            "{}",
            String::from_utf8_lossy(d)
        );
    }
}
