//! RFC 6238 time-based one-time passwords, for the two-factor step that
//! follows a signup: the site shows a secret (or an `otpauth://` URI in a
//! QR code), and the test types the code an authenticator app would show.
//!
//! The arithmetic is totp-rs's; this module reads secrets as users paste
//! them (spaces, lower case, padding), lets explicit settings override a
//! URI's, checks what totp-rs would otherwise panic on, and keeps the
//! secret out of every message and `Debug`.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The hash a TOTP is computed with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Algorithm {
    /// HMAC-SHA-1: what nearly every site and authenticator app uses.
    #[default]
    Sha1,
    /// HMAC-SHA-256.
    Sha256,
    /// HMAC-SHA-512.
    Sha512,
}

impl std::str::FromStr for Algorithm {
    type Err = TotpError;

    /// `SHA1`, `sha-256`, `SHA512`, …: case and a hyphen do not matter.
    fn from_str(text: &str) -> Result<Self, TotpError> {
        match text.to_ascii_uppercase().replace('-', "").as_str() {
            "SHA1" => Ok(Self::Sha1),
            "SHA256" => Ok(Self::Sha256),
            "SHA512" => Ok(Self::Sha512),
            _ => Err(TotpError(format!("unknown algorithm {text:?}: use SHA1, SHA256 or SHA512"))),
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Sha1 => "SHA1",
            Self::Sha256 => "SHA256",
            Self::Sha512 => "SHA512",
        })
    }
}

impl From<Algorithm> for totp_rs::Algorithm {
    fn from(algorithm: Algorithm) -> Self {
        match algorithm {
            Algorithm::Sha1 => Self::SHA1,
            Algorithm::Sha256 => Self::SHA256,
            Algorithm::Sha512 => Self::SHA512,
        }
    }
}

/// A secret or URI that cannot make codes, or a setting out of range. The
/// message never contains the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotpError(String);

impl fmt::Display for TotpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TotpError {}

/// Settings that override what a URI says (or the defaults: 6 digits,
/// 30 seconds, SHA-1).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TotpSettings {
    /// How many digits a code has: 6 to 8.
    pub digits: Option<u8>,
    /// How many seconds a code lasts.
    pub period: Option<u64>,
    /// The hash.
    pub algorithm: Option<Algorithm>,
}

/// The longest period accepted: a day.
const MAX_PERIOD: u64 = 86_400;

/// A TOTP generator for one secret.
#[derive(Clone)]
pub struct Totp {
    inner: totp_rs::Totp,
}

impl fmt::Debug for Totp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Totp")
            .field("digits", &self.digits())
            .field("period", &self.period())
            .field("secret", &"<redacted>")
            .finish()
    }
}

/// One code and the window it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TotpCode {
    /// The digits, zero-padded.
    pub code: String,
    /// The first second (Unix time) the code is valid.
    pub valid_from: u64,
    /// The first second (Unix time) it is no longer valid.
    pub valid_until: u64,
}

impl Totp {
    /// A generator from a base32 secret (spaces, hyphens, lower case and
    /// `=` padding are ignored, as authenticator apps do) or an
    /// `otpauth://totp/…` URI. `settings` override the URI's values.
    pub fn new(secret_or_uri: &str, settings: TotpSettings) -> Result<Self, TotpError> {
        let text = secret_or_uri.trim();
        let builder = if text.get(..10).is_some_and(|scheme| scheme.eq_ignore_ascii_case("otpauth://")) {
            from_uri(text)?
        } else {
            totp_rs::Builder::new().with_secret(decode_base32(text)?)
        };
        let mut builder = builder;
        if let Some(digits) = settings.digits {
            builder = builder.with_digits(digits);
        }
        if let Some(period) = settings.period {
            builder = builder.with_step_duration(period);
        }
        if let Some(algorithm) = settings.algorithm {
            builder = builder.with_algorithm(algorithm.into());
        }
        // Not `build()`: it refuses secrets under 128 bits, and the 80-bit
        // secrets many sites issue are valid. What `build_noncompliant`
        // would panic on is checked here instead.
        let inner = builder.build_noncompliant();
        if !(6..=8).contains(&inner.digits()) {
            return Err(TotpError(format!("a code has 6 to 8 digits, not {}", inner.digits())));
        }
        if !(1..=MAX_PERIOD).contains(&inner.step()) {
            return Err(TotpError(format!("the period is 1 to {MAX_PERIOD} seconds, not {}", inner.step())));
        }
        Ok(Self { inner })
    }

    /// How many digits a code has.
    pub fn digits(&self) -> u8 {
        self.inner.digits()
    }

    /// How many seconds a code lasts.
    pub fn period(&self) -> u64 {
        self.inner.step()
    }

    /// The code for the moment `unix_seconds`.
    pub fn at(&self, unix_seconds: u64) -> TotpCode {
        let valid_from = unix_seconds - unix_seconds % self.period();
        TotpCode {
            code: self.inner.generate(unix_seconds).to_string(),
            valid_from,
            valid_until: valid_from + self.period(),
        }
    }

    /// The code for now.
    pub fn now(&self) -> TotpCode {
        self.at(unix_now())
    }

    /// The code for now, or, when fewer than `min_left` of its window
    /// remain, the next window's code once that window starts: a code typed
    /// into a form must not expire before the form is sent.
    pub async fn fresh(&self, min_left: Duration) -> TotpCode {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
        let current = self.at(now.as_secs());
        let left = Duration::from_secs(current.valid_until).saturating_sub(now);
        if left >= min_left {
            return current;
        }
        tokio::time::sleep(left).await;
        self.at(current.valid_until.max(unix_now()))
    }
}

fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs()
}

/// The secret's bytes, as authenticator apps read what users paste.
fn decode_base32(text: &str) -> Result<Vec<u8>, TotpError> {
    let cleaned: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect::<String>()
        .trim_end_matches('=')
        .to_owned();
    if cleaned.is_empty() {
        return Err(TotpError("the secret is empty".into()));
    }
    let bytes = totp_rs::Secret::try_from_base32(&cleaned)
        .map_err(|_| TotpError("the secret is not base32 (the letters A to Z and the digits 2 to 7)".into()))?;
    Ok(bytes.as_ref().to_vec())
}

/// A builder from an `otpauth://totp/LABEL?secret=…&digits=…&period=…&algorithm=…`
/// URI. Only the parameters that make codes are read; the label and the
/// issuer are for people. Read here rather than by totp-rs, whose parser
/// refuses a secret with base32 padding, which some sites keep.
fn from_uri(uri: &str) -> Result<totp_rs::Builder, TotpError> {
    let refused = |why: &str| TotpError(why.to_owned());
    let rest = &uri["otpauth://".len()..];
    let (kind, rest) = rest.split_once('/').unwrap_or((rest, ""));
    if !kind.eq_ignore_ascii_case("totp") {
        return Err(refused("not an otpauth://totp/ URI (HOTP and other kinds are not supported)"));
    }
    let query = rest.split_once('?').map(|(_, query)| query).unwrap_or_default();
    let query = query.split_once('#').map_or(query, |(query, _)| query);
    let mut builder = totp_rs::Builder::new();
    let mut has_secret = false;
    for pair in query.split('&').filter(|pair| !pair.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = percent_decode(value);
        match key.to_ascii_lowercase().as_str() {
            "secret" => {
                builder = builder.with_secret(decode_base32(&value)?);
                has_secret = true;
            }
            "digits" => {
                let digits = value.parse().map_err(|_| refused("the otpauth URI's digits= is not a number"))?;
                builder = builder.with_digits(digits);
            }
            "period" => {
                let period = value.parse().map_err(|_| refused("the otpauth URI's period= is not a number"))?;
                builder = builder.with_step_duration(period);
            }
            "algorithm" => {
                let algorithm: Algorithm =
                    value.parse().map_err(|_| refused("the otpauth URI's algorithm= is not SHA1, SHA256 or SHA512"))?;
                builder = builder.with_algorithm(algorithm.into());
            }
            _ => {}
        }
    }
    if !has_secret {
        return Err(refused("the otpauth URI has no secret= parameter"));
    }
    Ok(builder)
}

/// `%XX` escapes and `+` decoded, as in a URI's query; a malformed escape
/// is kept as it is.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| text.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match (bytes[i], escaped) {
            (_, Some(byte)) => {
                decoded.push(byte);
                i += 3;
            }
            (b'+', None) => {
                decoded.push(b' ');
                i += 1;
            }
            (byte, None) => {
                decoded.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B: the seed for each hash, and its expected
    /// 8-digit codes at each moment.
    const SHA1_SEED: &[u8] = b"12345678901234567890";
    const SHA256_SEED: &[u8] = b"12345678901234567890123456789012";
    const SHA512_SEED: &[u8] = b"1234567890123456789012345678901234567890123456789012345678901234";
    const VECTORS: [(u64, &str, &str, &str); 6] = [
        (59, "94287082", "46119246", "90693936"),
        (1_111_111_109, "07081804", "68084774", "25091201"),
        (1_111_111_111, "14050471", "67062674", "99943326"),
        (1_234_567_890, "89005924", "91819424", "93441116"),
        (2_000_000_000, "69279037", "90698825", "38618901"),
        (20_000_000_000, "65353130", "77737706", "47863826"),
    ];

    fn base32(bytes: &[u8]) -> String {
        totp_rs::Secret::from(bytes.to_vec()).to_base32()
    }

    fn eight(algorithm: Algorithm) -> TotpSettings {
        TotpSettings { digits: Some(8), period: None, algorithm: Some(algorithm) }
    }

    #[test]
    fn the_rfc_6238_vectors_hold_for_every_hash() {
        let sha1 = Totp::new(&base32(SHA1_SEED), eight(Algorithm::Sha1)).unwrap();
        let sha256 = Totp::new(&base32(SHA256_SEED), eight(Algorithm::Sha256)).unwrap();
        let sha512 = Totp::new(&base32(SHA512_SEED), eight(Algorithm::Sha512)).unwrap();
        for (time, by_sha1, by_sha256, by_sha512) in VECTORS {
            assert_eq!(sha1.at(time).code, by_sha1, "SHA1 at {time}");
            assert_eq!(sha256.at(time).code, by_sha256, "SHA256 at {time}");
            assert_eq!(sha512.at(time).code, by_sha512, "SHA512 at {time}");
        }
    }

    #[test]
    fn a_uri_gives_its_settings_and_flags_override_them() {
        let uri = format!(
            "otpauth://totp/Site:ada%40example.test?secret={}&digits=8&algorithm=SHA256&issuer=Site",
            base32(SHA256_SEED)
        );
        let totp = Totp::new(&uri, TotpSettings::default()).unwrap();
        assert_eq!(totp.at(59).code, "46119246");
        let six = Totp::new(&uri, TotpSettings { digits: Some(6), ..TotpSettings::default() }).unwrap();
        assert_eq!(six.at(59).code, "119246");
    }

    #[test]
    fn pasted_secrets_are_read_as_authenticator_apps_read_them() {
        let spaced = "gezd gnbv gy3t qojq gezd gnbv gy3t qojq";
        let totp = Totp::new(spaced, TotpSettings { digits: Some(8), ..TotpSettings::default() }).unwrap();
        assert_eq!(totp.at(59).code, "94287082");
        // An 80-bit secret, as many sites issue, is accepted.
        assert_eq!(Totp::new("JBSWY3DPEHPK3PXP", TotpSettings::default()).unwrap().digits(), 6);
    }

    #[test]
    fn the_window_is_reported() {
        let totp = Totp::new(&base32(SHA1_SEED), TotpSettings::default()).unwrap();
        let code = totp.at(65);
        assert_eq!((code.valid_from, code.valid_until), (60, 90));
        assert_eq!(code.code.len(), 6);
    }

    #[test]
    fn bad_input_is_refused_without_quoting_the_secret() {
        let refused = |text: &str, settings| Totp::new(text, settings).unwrap_err().to_string();
        assert!(refused("not base32 1!", TotpSettings::default()).contains("not base32"));
        assert!(refused("", TotpSettings::default()).contains("empty"));
        assert!(
            refused("JBSWY3DPEHPK3PXP", TotpSettings { digits: Some(10), ..TotpSettings::default() })
                .contains("6 to 8")
        );
        assert!(
            refused("JBSWY3DPEHPK3PXP", TotpSettings { period: Some(0), ..TotpSettings::default() }).contains("period")
        );
        let padded = "otpauth://totp/Site:ada%40site.test?secret=JBSWY3DPEHPK3PXP%3D%3D%3D&issuer=Site";
        assert_eq!(Totp::new(padded, TotpSettings::default()).unwrap().digits(), 6);
        assert!(Totp::new("otpauth://totp/x?secret=JBSWY3DPEHPK3PXP====", TotpSettings::default()).is_ok());
        assert!(refused("otpauth://totp/x?issuer=Site", TotpSettings::default()).contains("no secret="));
        let hotp = refused("otpauth://hotp/x?secret=JBSWY3DPEHPK3PXP&counter=1", TotpSettings::default());
        assert!(hotp.contains("otpauth://totp/") && !hotp.contains("JBSWY3DPEHPK3PXP"), "{hotp}");
        let unknown = refused("otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&algorithm=MD5", TotpSettings::default());
        assert!(!unknown.contains("JBSWY3DPEHPK3PXP"), "{unknown}");
        assert!("md5".parse::<Algorithm>().is_err());
        assert_eq!("sha-256".parse::<Algorithm>(), Ok(Algorithm::Sha256));
        assert!(!format!("{:?}", Totp::new("JBSWY3DPEHPK3PXP", TotpSettings::default()).unwrap()).contains("JBSW"));
    }

    #[tokio::test(start_paused = true)]
    async fn a_fresh_code_has_time_left() {
        let totp = Totp::new(&base32(SHA1_SEED), TotpSettings { period: Some(1), ..TotpSettings::default() }).unwrap();
        // A period of one second never has two seconds left: `fresh`
        // waits for the next window and returns a code for it.
        let before = unix_now();
        let code = totp.fresh(Duration::from_secs(2)).await;
        assert!(code.valid_from > before, "the code of the window after {before}, not {}", code.valid_from);
    }
}
