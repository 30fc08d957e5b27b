//! Entry points for the fuzz targets in `fuzz/`, built only with the
//! `fuzzing` feature. Not part of the API.

/// Decodes `input` (a status selector, then a body) as an API response.
pub fn api_response(input: &[u8]) {
    let Some((&selector, body)) = input.split_first() else { return };
    let status = [200, 201, 204, 400, 401, 404, 429, 500][usize::from(selector & 7)];
    crate::client::fuzz_decode(status, body);
}

/// Reads `input` as the push stream's bytes.
pub fn push_stream(input: &[u8]) {
    crate::wait::fuzz_events(input);
}
