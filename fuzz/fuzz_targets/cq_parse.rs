//! Parse any UTF-8 as a CQ string: strict and lenient parses must agree when strict succeeds,
//! and `parse(render(x)) == x`; a strict failure must be a CQ-code error inside the input.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    botgate_codec::onebot::fuzzing::check_cq(data);
});
