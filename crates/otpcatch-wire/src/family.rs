//! The three families of addresses the API serves, each with inbox
//! endpoints of its own.

use std::fmt;

use crate::endpoint::{self, Inbox};

/// The kind of mailbox an address belongs to. Each family has its own inbox
/// endpoints in the 22.do API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Family {
    /// A temporary address on one of the service's domains (`/inbox`).
    #[default]
    Temp,
    /// A purchased Gmail id or one of its variants (`/gmail/inbox`).
    Gmail,
    /// A purchased Microsoft account or one of its variants (`/microsoft/inbox`).
    Microsoft,
}

/// The domains Gmail delivers on: every Gmail id receives on both.
const GMAIL_DOMAINS: &[&str] = &["gmail.com", "googlemail.com"];

/// Microsoft's consumer domains.
const MICROSOFT_DOMAINS: &[&str] = &["outlook.com", "hotmail.com", "live.com", "msn.com"];

impl Family {
    /// Every family.
    pub const ALL: [Self; 3] = [Self::Temp, Self::Gmail, Self::Microsoft];

    /// The family of an address on `domain` (case-insensitive): Gmail's and
    /// Microsoft's consumer domains map to their families, every other
    /// domain is `Temp`.
    pub fn of_domain(domain: &str) -> Self {
        let is = |list: &[&str]| list.iter().any(|d| d.eq_ignore_ascii_case(domain));
        if is(GMAIL_DOMAINS) {
            Self::Gmail
        } else if is(MICROSOFT_DOMAINS) {
            Self::Microsoft
        } else {
            Self::Temp
        }
    }

    /// The family of `address`, by its domain (see [`Family::of_domain`]);
    /// `Temp` for anything that is not an address.
    pub fn guess(address: &str) -> Self {
        address.rsplit_once('@').map_or(Self::Temp, |(_, domain)| Self::of_domain(domain))
    }

    /// The domains the family's addresses live on; empty for `Temp`, whose
    /// domains are whatever the service offers.
    pub fn domains(self) -> &'static [&'static str] {
        match self {
            Self::Temp => &[],
            Self::Gmail => GMAIL_DOMAINS,
            Self::Microsoft => MICROSOFT_DOMAINS,
        }
    }

    /// The domain an id of the family is written with when the service
    /// names none: `gmail.com`, `outlook.com`.
    pub fn home_domain(self) -> Option<&'static str> {
        self.domains().first().copied()
    }

    /// The family's inbox endpoints: list, read, delete and push.
    pub fn inbox(self) -> &'static Inbox {
        match self {
            Self::Temp => &endpoint::TEMP_INBOX,
            Self::Gmail => &endpoint::GMAIL_INBOX,
            Self::Microsoft => &endpoint::MICROSOFT_INBOX,
        }
    }

    /// The family's name as users type it: `temp`, `gmail` or `microsoft`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Temp => "temp",
            Self::Gmail => "gmail",
            Self::Microsoft => "microsoft",
        }
    }
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn family_is_guessed_from_the_domain() {
        assert_eq!(Family::guess("a.b+x@gmail.com"), Family::Gmail);
        assert_eq!(Family::guess("x@GoogleMail.com"), Family::Gmail);
        assert_eq!(Family::guess("x@outlook.com"), Family::Microsoft);
        assert_eq!(Family::guess("x@Hotmail.com"), Family::Microsoft);
        assert_eq!(Family::guess("x@otpcatch.test"), Family::Temp);
        assert_eq!(Family::guess("not-an-address"), Family::Temp);
    }

    #[test]
    fn every_family_domain_maps_back_to_its_family() {
        for family in Family::ALL {
            for domain in family.domains() {
                assert_eq!(Family::of_domain(domain), family, "{domain}");
            }
        }
        assert_eq!(Family::Gmail.home_domain(), Some("gmail.com"));
        assert_eq!(Family::Microsoft.home_domain(), Some("outlook.com"));
        assert_eq!(Family::Temp.home_domain(), None);
    }
}
