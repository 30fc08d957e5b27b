//! Any bytes as an API response (and as the push stream): decoding fails
//! cleanly, and a /token response is never quoted in an error.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    otpcatch_core::fuzzing::api_response(data);
    otpcatch_core::fuzzing::push_stream(data);
});
