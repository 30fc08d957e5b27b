//! Email addresses: validation, and which mailbox an address delivers to.
//!
//! A mailbox is where messages are filed. For the served domains it is the
//! address itself, lower-cased. Gmail ignores dots and `+tags` in the local
//! part, so every variant of a Gmail id files into that id's mailbox; a
//! Microsoft `+tag` variant files into its account's mailbox.

use otpcatch_wire::Family;

/// An address split into a lower-cased local part and domain, if it is
/// plausible: one `@`, non-empty parts, no spaces or control characters,
/// a dotted domain, and at most 254 bytes.
pub(crate) fn parse(address: &str) -> Option<(String, String)> {
    check(address).ok()
}

/// As [`parse`], or why the address is not one.
pub(crate) fn check(address: &str) -> Result<(String, String), &'static str> {
    let address = address.trim();
    if address.len() > 254 {
        return Err("longer than 254 bytes");
    }
    if address.chars().any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>') {
        return Err("spaces, control characters or angle brackets");
    }
    let (local, domain) = address.rsplit_once('@').ok_or("no @domain")?;
    let valid_domain = domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && domain.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '.');
    if local.is_empty() || local.contains('@') {
        return Err("no local part before the @");
    }
    if local.len() > 64 {
        return Err("a local part longer than 64 bytes");
    }
    if !valid_domain {
        return Err("not a domain after the @");
    }
    Ok((local.to_lowercase(), domain.to_lowercase()))
}

/// The mailbox key an address files into.
pub(crate) fn mailbox_key(local: &str, domain: &str) -> String {
    let base = local.split('+').next().unwrap_or(local);
    match Family::of_domain(domain) {
        // Every Gmail domain delivers to one mailbox per id.
        Family::Gmail => format!("{}@{}", base.replace('.', ""), Family::Gmail.home_domain().unwrap_or(domain)),
        Family::Microsoft => format!("{base}@{domain}"),
        Family::Temp => format!("{local}@{domain}"),
    }
}

/// The mailbox key of a whole address, if it parses.
#[cfg(test)]
pub(crate) fn key_of(address: &str) -> Option<String> {
    parse(address).map(|(local, domain)| mailbox_key(&local, &domain))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gmail_variants_share_a_mailbox() {
        let key = key_of("aa.bb.cc@gmail.com").unwrap();
        assert_eq!(key, "aabbcc@gmail.com");
        assert_eq!(key_of("A.a.B.b.cc+signup@googlemail.com").unwrap(), key);
        assert_eq!(key_of("someone+x1@outlook.com").unwrap(), "someone@outlook.com");
        assert_eq!(key_of("User.Name+tag@otpcatch.test").unwrap(), "user.name+tag@otpcatch.test");
    }

    #[test]
    fn implausible_addresses_are_refused() {
        for bad in ["", "no-at-sign", "@otpcatch.test", "a@", "a@nodot", "a b@x.test", "a@x..test.", "<a@x.test>"] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
        assert_eq!(parse(" Ünïcode@Example.TEST ").unwrap(), ("ünïcode".to_owned(), "example.test".to_owned()));
    }
}
