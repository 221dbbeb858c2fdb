//! A session event is moved a dozen times between the socket and the handler (the machine's
//! queue, the event channel, the pump): at 128 bytes or less the compiler moves it with a few
//! vector stores, above that every move is a `memcpy` call (≈ 0.6 k instructions per QQ event
//! before `Frame` kept its offsets in `u32`s).

use std::mem::size_of;

#[test]
fn a_session_event_is_moved_without_a_memcpy_call() {
    let event = size_of::<botgate_session::SessionEvent>();
    assert!(event <= 128, "SessionEvent is {event} bytes");
    for (name, size) in [
        ("Frame", size_of::<botgate_codec::Frame>()),
        (
            "onebot::RawEvent",
            size_of::<botgate_codec::onebot::RawEvent>(),
        ),
    ] {
        assert!(size <= 120, "{name} is {size} bytes");
    }
}
