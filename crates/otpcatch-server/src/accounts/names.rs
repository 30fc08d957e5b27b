//! Random names: local parts of fresh addresses, Gmail-looking ids,
//! Bearers, and the short hashes accounts are keyed by.

use sha2::{Digest, Sha256};

/// Lower-case letters and digits, starting with a letter.
pub(super) fn random_local_part(len: usize) -> String {
    const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyz";
    const ALPHANUMERIC: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut local = String::with_capacity(len);
    local.push(LETTERS[rand::random_range(0..LETTERS.len())] as char);
    while local.len() < len {
        local.push(ALPHANUMERIC[rand::random_range(0..ALPHANUMERIC.len())] as char);
    }
    local
}

/// A Gmail-looking id with dots, such as `kq.wzerp.mt`.
pub(super) fn dotted_id() -> String {
    let plain = random_local_part(10);
    format!("{}.{}.{}", &plain[..2], &plain[2..7], &plain[7..])
}

/// A fresh Bearer: 256 random bits in the shape 22.do's have.
pub(super) fn bearer() -> String {
    format!("{:032x}.{:032x}", rand::random::<u128>(), rand::random::<u128>())
}

/// The first 8 bytes of a value's SHA-256, in hex: a stable name for a
/// secret that does not reveal it.
pub(super) fn short_hash(value: &str) -> String {
    Sha256::digest(value.as_bytes())[..8].iter().map(|b| format!("{b:02x}")).collect()
}
