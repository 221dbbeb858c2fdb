//! Decode any bytes as a frame of the platform the first byte selects; if it decodes, the
//! unified mapping must not panic and its result must be self-consistent and serialise.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    botgate_codec::unify::fuzzing::check_unify_input(data);
});
