//! Accounts: who may call the API, what each has created or bought, and
//! how fast each may go.
//!
//! Accounts come from the configuration (`--api-token`, `--user`); each
//! sees only the addresses it created, the Gmail ids and Microsoft
//! accounts it bought, and their messages, unless `--catch-all` lets every
//! account read every address on the served domains.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use otpcatch_core::{Family, Secret};
use sha2::{Digest, Sha256};

use crate::addresses;
use crate::store::{Database, unix_now};

/// An account's index in [`Accounts`].
pub(crate) type AccountId = usize;

/// The accounts and everything they own.
#[derive(Debug)]
pub(crate) struct Accounts {
    /// Stable names (surviving restarts), by account id.
    keys: Vec<String>,
    tokens: Vec<(Secret, AccountId)>,
    users: Vec<(String, Secret, AccountId)>,
    premium_domains: Vec<String>,
    private_domains: Vec<String>,
    catch_all: bool,
    bearer_lifetime: Duration,
    qps: u32,
    price: f64,
    database: Option<Arc<Database>>,
    state: Mutex<State>,
    /// How many requests were refused with 429 since the server started.
    refused: std::sync::atomic::AtomicU64,
}

#[derive(Debug)]
struct State {
    bearers: HashMap<String, (AccountId, i64)>,
    /// Mailbox key → owning account.
    owners: HashMap<String, AccountId>,
    balances: Vec<f64>,
    /// Gmail ids as bought (`aa.bb.cc`), per account, newest first.
    gmail: Vec<Vec<String>>,
    /// Microsoft addresses as bought, per account, newest first.
    microsoft: Vec<Vec<String>>,
    /// Recent request times, per account, for the QPS limit.
    recent: Vec<VecDeque<Instant>>,
}

/// Why a purchase was refused.
#[derive(Debug, PartialEq)]
pub(crate) enum PurchaseError {
    /// The balance does not cover it.
    InsufficientBalance { needed: f64, balance: f64 },
}

/// Settings for [`Accounts::new`].
#[derive(Debug)]
pub(crate) struct AccountSettings {
    pub(crate) tokens: Vec<Secret>,
    pub(crate) users: Vec<(String, Secret)>,
    pub(crate) premium_domains: Vec<String>,
    pub(crate) private_domains: Vec<String>,
    pub(crate) catch_all: bool,
    pub(crate) bearer_lifetime: Duration,
    pub(crate) qps: u32,
    pub(crate) balance: f64,
    pub(crate) price: f64,
}

impl Accounts {
    pub(crate) fn new(settings: AccountSettings, database: Option<Arc<Database>>) -> Self {
        let mut keys = Vec::new();
        let mut tokens = Vec::new();
        for token in settings.tokens {
            tokens.push((token.clone(), keys.len()));
            keys.push(format!("token:{}", short_hash(token.expose())));
        }
        let mut users = Vec::new();
        for (address, password) in settings.users {
            let address = address.trim().to_lowercase();
            keys.push(format!("user:{address}"));
            users.push((address, password, keys.len() - 1));
        }
        let count = keys.len();
        let lower = |domains: Vec<String>| domains.into_iter().map(|d| d.trim().to_lowercase()).collect();
        Self {
            keys,
            tokens,
            users,
            premium_domains: lower(settings.premium_domains),
            private_domains: lower(settings.private_domains),
            catch_all: settings.catch_all,
            bearer_lifetime: settings.bearer_lifetime,
            qps: settings.qps.max(1),
            price: settings.price,
            database,
            state: Mutex::new(State {
                bearers: HashMap::new(),
                owners: HashMap::new(),
                balances: vec![settings.balance; count],
                gmail: vec![Vec::new(); count],
                microsoft: vec![Vec::new(); count],
                recent: vec![VecDeque::new(); count],
            }),
            refused: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// Restores what accounts owned before a restart.
    pub(crate) fn restore(&self, owners: Vec<(String, String)>) {
        for (address, key) in owners {
            if let Some(account) = self.keys.iter().position(|k| *k == key) {
                self.record_owner(account, &address);
            }
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// `POST /token`: a Bearer and its expiry for a known API token.
    pub(crate) fn grant_for_token(&self, token: &str) -> Option<(Secret, i64)> {
        let account = self.tokens.iter().find(|(t, _)| t.expose() == token).map(|(_, a)| *a)?;
        Some(self.grant(account))
    }

    /// `POST /auth`: a Bearer and its expiry for a known address and password.
    pub(crate) fn grant_for_user(&self, address: &str, password: &str) -> Option<(Secret, i64)> {
        let address = address.trim().to_lowercase();
        let account = self
            .users
            .iter()
            .find(|(a, p, _)| *a == address && p.expose() == password)
            .map(|(_, _, account)| *account)?;
        Some(self.grant(account))
    }

    fn grant(&self, account: AccountId) -> (Secret, i64) {
        let bearer = format!("{:032x}.{:032x}", rand::random::<u128>(), rand::random::<u128>());
        let expiry = unix_now() + self.bearer_lifetime.as_secs() as i64;
        let mut state = self.lock();
        state.bearers.retain(|_, (_, e)| *e > unix_now());
        state.bearers.insert(bearer.clone(), (account, expiry));
        (Secret::new(bearer), expiry)
    }

    /// The account a Bearer belongs to, if it is valid.
    pub(crate) fn authenticate(&self, bearer: &str) -> Option<AccountId> {
        let state = self.lock();
        let &(account, expiry) = state.bearers.get(bearer)?;
        (expiry > unix_now()).then_some(account)
    }

    /// Counts a request against the account's QPS; `Err` with how long to
    /// wait when it is over.
    pub(crate) fn admit(&self, account: AccountId) -> Result<(), Duration> {
        let now = Instant::now();
        let window = Duration::from_secs(1);
        let mut state = self.lock();
        let recent = &mut state.recent[account];
        while recent.front().is_some_and(|&t| now.duration_since(t) >= window) {
            recent.pop_front();
        }
        if recent.len() >= self.qps as usize {
            self.refused.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let oldest = recent.front().copied().unwrap_or(now);
            return Err(window.saturating_sub(now.duration_since(oldest)));
        }
        recent.push_back(now);
        Ok(())
    }

    /// How many requests have been refused with 429.
    pub(crate) fn refused(&self) -> u64 {
        self.refused.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub(crate) fn premium_domains(&self) -> &[String] {
        &self.premium_domains
    }

    pub(crate) fn private_domains(&self) -> &[String] {
        &self.private_domains
    }

    fn serves(&self, domain: &str) -> bool {
        self.premium_domains.iter().chain(&self.private_domains).any(|d| d == domain)
    }

    /// Makes a fresh random address on one of `domains` for `account`.
    pub(crate) fn create_address(&self, account: AccountId, domains: &[String]) -> Option<(String, String, String)> {
        let domain = domains.get(rand::random_range(0..domains.len().max(1)))?.clone();
        let local = random_local_part(10);
        let address = format!("{local}@{domain}");
        self.own(account, &address);
        Some((address, local, domain))
    }

    fn own(&self, account: AccountId, address: &str) {
        self.record_owner(account, address);
        if let Some(database) = &self.database {
            database.own(address, &self.keys[account]);
        }
    }

    fn record_owner(&self, account: AccountId, address: &str) {
        let Some((local, domain)) = addresses::parse(address) else { return };
        let key = addresses::mailbox_key(&local, &domain);
        let mut state = self.lock();
        state.owners.insert(key, account);
        match addresses::family(&domain) {
            Family::Gmail => state.gmail[account].insert(0, local),
            Family::Microsoft => state.microsoft[account].insert(0, format!("{local}@{domain}")),
            Family::Temp => {}
        }
    }

    /// The mailbox SMTP files mail for `address` into, or `None` to refuse
    /// it (550): only served domains and bought Gmail and Microsoft ids.
    pub(crate) fn mailbox_for_delivery(&self, address: &str) -> Option<String> {
        let (local, domain) = addresses::parse(address)?;
        let key = addresses::mailbox_key(&local, &domain);
        match addresses::family(&domain) {
            Family::Temp if self.serves(&domain) => Some(key),
            Family::Gmail | Family::Microsoft if self.lock().owners.contains_key(&key) => Some(key),
            _ => None,
        }
    }

    /// The mailbox `account` may read for `address` in `family`, or why not.
    pub(crate) fn mailbox_for_reading(
        &self,
        account: AccountId,
        family: Family,
        address: &str,
    ) -> Result<String, ReadRefusal> {
        let (local, domain) = addresses::parse(address).ok_or(ReadRefusal::Malformed)?;
        if addresses::family(&domain) != family {
            return Err(ReadRefusal::WrongFamily);
        }
        let key = addresses::mailbox_key(&local, &domain);
        let owner = self.lock().owners.get(&key).copied();
        match owner {
            Some(owner) if owner == account => Ok(key),
            None if self.catch_all && family == Family::Temp && self.serves(&domain) => Ok(key),
            _ if family == Family::Temp && !self.serves(&domain) => Err(ReadRefusal::UnservedDomain),
            _ => Err(ReadRefusal::NotYours),
        }
    }

    /// Whether `account` may read a message filed in `mailbox`.
    pub(crate) fn may_read(&self, account: AccountId, mailbox: &str) -> bool {
        match self.lock().owners.get(mailbox) {
            Some(&owner) => owner == account,
            None => {
                self.catch_all
                    && mailbox
                        .rsplit_once('@')
                        .is_some_and(|(_, d)| self.serves(d) && addresses::family(d) == Family::Temp)
            }
        }
    }

    /// The Gmail ids `account` bought, newest first.
    pub(crate) fn gmail_ids(&self, account: AccountId) -> Vec<String> {
        self.lock().gmail[account].clone()
    }

    /// The Microsoft accounts `account` bought, newest first.
    pub(crate) fn microsoft_accounts(&self, account: AccountId) -> Vec<String> {
        self.lock().microsoft[account].clone()
    }

    /// Buys `number` ids of `family` for `account` from its balance.
    pub(crate) fn purchase(
        &self,
        account: AccountId,
        family: Family,
        number: u32,
    ) -> Result<Vec<String>, PurchaseError> {
        let needed = self.price * f64::from(number);
        {
            let mut state = self.lock();
            let balance = state.balances[account];
            if needed > balance + 1e-9 {
                return Err(PurchaseError::InsufficientBalance { needed, balance });
            }
            state.balances[account] = balance - needed;
        }
        let bought: Vec<String> = (0..number)
            .map(|_| match family {
                Family::Gmail => {
                    let id = dotted_id();
                    self.own(account, &format!("{id}@gmail.com"));
                    id
                }
                _ => {
                    let address = format!("{}@{}", random_local_part(12), addresses::MICROSOFT_DOMAIN);
                    self.own(account, &address);
                    address
                }
            })
            .collect();
        Ok(bought)
    }
}

/// Why an account may not read an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ReadRefusal {
    /// The address does not parse (422).
    Malformed,
    /// A temp address on a domain the server does not serve (422).
    UnservedDomain,
    /// A Gmail address on the temp-mail endpoint, or the like (422).
    WrongFamily,
    /// Another account's address, or one never created (404).
    NotYours,
}

/// Lower-case letters and digits, starting with a letter.
fn random_local_part(len: usize) -> String {
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
fn dotted_id() -> String {
    let plain = random_local_part(10);
    format!("{}.{}.{}", &plain[..2], &plain[2..7], &plain[7..])
}

fn short_hash(value: &str) -> String {
    Sha256::digest(value.as_bytes())[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// Variants of a Gmail id: `+tag` ones, or the dots moved around.
pub(crate) fn gmail_variants(id: &str, number: u32, plus: bool) -> Vec<String> {
    let plain: String = id.chars().filter(|&c| c != '.').collect();
    (0..number)
        .map(|_| {
            if plus {
                format!("{id}+{}", random_local_part(rand::random_range(4..10)))
            } else {
                let mut dotted = String::new();
                for (i, c) in plain.chars().enumerate() {
                    if i > 0 && rand::random_bool(0.3) {
                        dotted.push('.');
                    }
                    dotted.push(c);
                }
                dotted
            }
        })
        .collect()
}

/// Variants of a Microsoft address: `+tag` ones, or the address itself.
pub(crate) fn microsoft_variants(address: &str, number: u32, plus: bool) -> Vec<String> {
    let (local, domain) = address.split_once('@').unwrap_or((address, addresses::MICROSOFT_DOMAIN));
    (0..number)
        .map(|_| {
            if plus {
                format!("{local}+{}@{domain}", random_local_part(rand::random_range(4..10)))
            } else {
                address.to_owned()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accounts(catch_all: bool) -> Accounts {
        Accounts::new(
            AccountSettings {
                tokens: vec![Secret::new("t1"), Secret::new("t2")],
                users: vec![("Owner@Example.com".into(), Secret::new("pw"))],
                premium_domains: vec!["otpcatch.test".into()],
                private_domains: vec!["mine.test".into()],
                catch_all,
                bearer_lifetime: Duration::from_secs(60),
                qps: 3,
                balance: 2.0,
                price: 1.0,
            },
            None,
        )
    }

    #[test]
    fn bearers_map_to_their_account() {
        let accounts = accounts(false);
        let (bearer, expiry) = accounts.grant_for_token("t2").unwrap();
        assert!(expiry > unix_now());
        assert_eq!(accounts.authenticate(bearer.expose()), Some(1));
        let (bearer, _) = accounts.grant_for_user("owner@example.com", "pw").unwrap();
        assert_eq!(accounts.authenticate(bearer.expose()), Some(2));
        assert!(accounts.grant_for_token("t3").is_none());
        assert!(accounts.grant_for_user("owner@example.com", "wrong").is_none());
        assert_eq!(accounts.authenticate("made-up"), None);
    }

    #[test]
    fn accounts_read_only_their_own_addresses() {
        let accounts = accounts(false);
        let (address, ..) = accounts.create_address(0, &["otpcatch.test".into()]).unwrap();
        let key = accounts.mailbox_for_reading(0, Family::Temp, &address).unwrap();
        assert!(accounts.may_read(0, &key));
        assert_eq!(accounts.mailbox_for_reading(1, Family::Temp, &address), Err(ReadRefusal::NotYours));
        assert!(!accounts.may_read(1, &key));
        assert_eq!(accounts.mailbox_for_reading(0, Family::Temp, "x@elsewhere.test"), Err(ReadRefusal::UnservedDomain));
        assert_eq!(accounts.mailbox_for_reading(0, Family::Temp, "not an address"), Err(ReadRefusal::Malformed));
        assert_eq!(accounts.mailbox_for_reading(0, Family::Temp, "anything@otpcatch.test"), Err(ReadRefusal::NotYours));

        let open = self::accounts(true);
        assert!(open.mailbox_for_reading(1, Family::Temp, "anything@otpcatch.test").is_ok());
        let (address, ..) = open.create_address(0, &["otpcatch.test".into()]).unwrap();
        assert!(open.mailbox_for_reading(1, Family::Temp, &address).is_err(), "created addresses stay private");
    }

    #[test]
    fn only_served_domains_and_bought_ids_receive_mail() {
        let accounts = accounts(false);
        assert!(accounts.mailbox_for_delivery("anyone@otpcatch.test").is_some());
        assert!(accounts.mailbox_for_delivery("anyone@mine.test").is_some());
        assert!(accounts.mailbox_for_delivery("victim@example.org").is_none(), "never a relay");
        assert!(accounts.mailbox_for_delivery("someone@gmail.com").is_none());
        let ids = accounts.purchase(0, Family::Gmail, 1).unwrap();
        let variant = format!("{}+x@googlemail.com", ids[0].replace('.', ""));
        assert_eq!(accounts.mailbox_for_delivery(&variant), Some(format!("{}@gmail.com", ids[0].replace('.', ""))));
    }

    #[test]
    fn purchases_spend_the_balance() {
        let accounts = accounts(false);
        assert_eq!(accounts.purchase(0, Family::Microsoft, 2).unwrap().len(), 2);
        assert_eq!(accounts.microsoft_accounts(0).len(), 2);
        assert!(matches!(accounts.purchase(0, Family::Gmail, 1), Err(PurchaseError::InsufficientBalance { .. })));
        assert!(accounts.gmail_ids(0).is_empty());
    }

    #[test]
    fn the_qps_limit_is_per_account() {
        let accounts = accounts(false);
        for _ in 0..3 {
            accounts.admit(0).unwrap();
        }
        let wait = accounts.admit(0).unwrap_err();
        assert!(wait <= Duration::from_secs(1));
        assert!(accounts.admit(1).is_ok());
    }

    #[test]
    fn variants_deliver_to_their_id() {
        for variant in gmail_variants("aa.bb.cc", 5, false).into_iter().chain(gmail_variants("aa.bb.cc", 5, true)) {
            assert_eq!(addresses::key_of(&format!("{variant}@gmail.com")).unwrap(), "aabbcc@gmail.com", "{variant}");
        }
        for variant in microsoft_variants("me@outlook.com", 3, true) {
            assert_eq!(addresses::key_of(&variant).unwrap(), "me@outlook.com");
        }
    }
}
