//! Bearers: granted at `/token` and `/auth`, checked on every request.

use std::collections::HashMap;

use super::AccountId;

/// The Bearers in force, and whose each is.
#[derive(Debug, Default)]
pub(super) struct Bearers {
    /// Bearer → (account, expiry in Unix seconds).
    granted: HashMap<String, (AccountId, i64)>,
}

impl Bearers {
    /// A new Bearer for `account`, valid until `expiry`; expired ones are
    /// dropped on the way.
    pub(super) fn grant(&mut self, account: AccountId, expiry: i64, now: i64) -> String {
        self.granted.retain(|_, (_, e)| *e > now);
        let bearer = super::names::bearer();
        self.granted.insert(bearer.clone(), (account, expiry));
        bearer
    }

    /// The account `bearer` belongs to, if it is valid at `now`.
    pub(super) fn account(&self, bearer: &str, now: i64) -> Option<AccountId> {
        let &(account, expiry) = self.granted.get(bearer)?;
        (expiry > now).then_some(account)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bearer_is_its_accounts_until_it_expires() {
        let mut bearers = Bearers::default();
        let first = bearers.grant(3, 100, 50);
        assert_eq!(bearers.account(&first, 99), Some(3));
        assert_eq!(bearers.account(&first, 100), None);
        assert_eq!(bearers.account("made-up", 50), None);
        let second = bearers.grant(4, 300, 200);
        assert_ne!(first, second);
        assert!(!bearers.granted.contains_key(&first), "expired Bearers are dropped");
    }
}
