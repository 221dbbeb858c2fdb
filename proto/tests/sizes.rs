//! The events a bot receives by the thousand stay small enough for the allocator's per-thread
//! cache (glibc takes blocks up to 1,032 bytes there; a larger box costs several hundred
//! instructions more to allocate and free: decision 0032's amendment).

const ALLOCATOR_CACHE: usize = 1032;

#[test]
fn the_hot_payloads_and_the_unified_event_fit_the_allocator_cache() {
    use std::mem::size_of;
    for (name, size) in [
        ("qq::Message", size_of::<botgate_proto::qq::Message>()),
        (
            "qq::GroupMessage",
            size_of::<botgate_proto::qq::GroupMessage>(),
        ),
        (
            "bubble::Message",
            size_of::<botgate_proto::bubble::Message>(),
        ),
        (
            "onebot::GroupMessage",
            size_of::<botgate_proto::onebot::GroupMessage>(),
        ),
        ("unified::Event", size_of::<botgate_proto::unified::Event>()),
    ] {
        assert!(size <= ALLOCATOR_CACHE, "{name} is {size} bytes");
    }
}
