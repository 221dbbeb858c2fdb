//! Scan any bytes, then decode a QQ dispatch into its typed event: the event must carry the
//! frame's type and serialise, or the error must be a payload error.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    botgate_codec::fuzzing::check_decode(data, botgate_codec::qq::decode_event, |event| {
        event.event_type().as_str().to_owned()
    });
});
