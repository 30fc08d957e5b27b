//! Accounts: who may call the API, what each has created or bought, and
//! how fast each may go.
//!
//! Accounts come from the configuration (API tokens, and addresses with
//! passwords); each sees only the addresses it created, the Gmail ids and
//! Microsoft accounts it bought, and their messages, unless catch-all
//! reading lets every account read every address on the served domains.
//! This module keeps the accounts and who owns which mailbox; `bearer.rs`
//! the Bearers, `rate.rs` the QPS window, `purchase.rs` the emulated Gmail
//! and Microsoft families, `names.rs` the random names.

mod bearer;
mod names;
mod purchase;
mod rate;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use otpcatch_wire::{Family, Secret};

pub(crate) use purchase::{PurchaseError, gmail_variants, microsoft_variants};

use crate::addresses;
use crate::smtp::session::Refusal;
use crate::store::{Database, Durable, unix_now};
use bearer::Bearers;
use names::{random_local_part, short_hash};
use rate::RateWindow;

/// An account's index in [`Accounts`].
pub(crate) type AccountId = usize;

/// The accounts and everything they own.
#[derive(Debug)]
pub(crate) struct Accounts {
    premium_domains: Vec<String>,
    private_domains: Vec<String>,
    catch_all: bool,
    bearer_lifetime: Duration,
    qps: u32,
    price: f64,
    database: Option<Arc<Database>>,
    state: Mutex<State>,
    /// How many requests were refused with 429 since the server started.
    refused: AtomicU64,
}

#[derive(Debug)]
struct State {
    /// Every account, by id.
    accounts: Vec<Account>,
    bearers: Bearers,
    /// Mailbox key → owning account.
    owners: HashMap<String, AccountId>,
    /// Recent credential exchanges (`/auth`, `/token`), from anyone: they
    /// come before any account is known, so they share one window, which
    /// also slows a password or token guesser down.
    exchanges: RateWindow,
}

/// One account: how it logs in, and what it has.
#[derive(Debug)]
struct Account {
    /// A stable name that survives restarts: `token:HASH` or `user:ADDRESS`.
    key: String,
    login: Login,
    balance: f64,
    /// Gmail ids as bought (`aa.bb.cc`), newest first.
    gmail: Vec<String>,
    /// Microsoft addresses as bought, newest first.
    microsoft: Vec<String>,
    /// Recent requests, for the QPS limit.
    rate: RateWindow,
}

/// How an account logs in.
#[derive(Debug)]
enum Login {
    /// `POST /token` with this API token.
    Token(Secret),
    /// `POST /auth` with this address (lower-cased) and password.
    Password { address: String, password: Secret },
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
        let account = |key: String, login: Login| Account {
            key,
            login,
            balance: settings.balance,
            gmail: Vec::new(),
            microsoft: Vec::new(),
            rate: RateWindow::default(),
        };
        let tokens = settings
            .tokens
            .into_iter()
            .map(|token| account(format!("token:{}", short_hash(token.expose())), Login::Token(token)));
        let users = settings.users.into_iter().map(|(address, password)| {
            let address = address.trim().to_lowercase();
            account(format!("user:{address}"), Login::Password { address, password })
        });
        let accounts = tokens.chain(users).collect();
        let lower = |domains: Vec<String>| domains.into_iter().map(|d| d.trim().to_lowercase()).collect();
        Self {
            premium_domains: lower(settings.premium_domains),
            private_domains: lower(settings.private_domains),
            catch_all: settings.catch_all,
            bearer_lifetime: settings.bearer_lifetime,
            qps: settings.qps.max(1),
            price: settings.price,
            database,
            state: Mutex::new(State {
                accounts,
                bearers: Bearers::default(),
                owners: HashMap::new(),
                exchanges: RateWindow::default(),
            }),
            refused: AtomicU64::new(0),
        }
    }

    /// Restores what accounts owned before a restart.
    pub(crate) fn restore(&self, owners: Vec<(String, String)>) {
        for (address, key) in owners {
            let account = self.lock().accounts.iter().position(|a| a.key == key);
            if let Some(account) = account {
                self.record_owner(account, &address);
            }
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// `POST /token`: a Bearer and its expiry for a known API token.
    pub(crate) fn grant_for_token(&self, token: &str) -> Option<(Secret, i64)> {
        self.grant(|login| matches!(login, Login::Token(t) if t.expose() == token))
    }

    /// `POST /auth`: a Bearer and its expiry for a known address and password.
    pub(crate) fn grant_for_user(&self, address: &str, password: &str) -> Option<(Secret, i64)> {
        let address = address.trim().to_lowercase();
        self.grant(|login| {
            matches!(login, Login::Password { address: a, password: p } if *a == address && p.expose() == password)
        })
    }

    /// A Bearer for the account whose login `accepts`.
    fn grant(&self, accepts: impl Fn(&Login) -> bool) -> Option<(Secret, i64)> {
        let now = unix_now();
        let expiry = now.saturating_add(i64::try_from(self.bearer_lifetime.as_secs()).unwrap_or(i64::MAX));
        let mut state = self.lock();
        let account = state.accounts.iter().position(|a| accepts(&a.login))?;
        let bearer = state.bearers.grant(account, expiry, now);
        Some((Secret::new(bearer), expiry))
    }

    /// The account a Bearer belongs to, if it is valid.
    pub(crate) fn authenticate(&self, bearer: &str) -> Option<AccountId> {
        self.lock().bearers.account(bearer, unix_now())
    }

    /// Counts a request against the account's QPS; `Err` with how long to
    /// wait when it is over.
    pub(crate) fn admit(&self, account: AccountId) -> Result<(), Duration> {
        let admitted = self.lock().accounts[account].rate.admit(Instant::now(), self.qps);
        if admitted.is_err() {
            self.refused.fetch_add(1, Ordering::Relaxed);
        }
        admitted
    }

    /// Counts a credential exchange (`/auth`, `/token`) against the
    /// server-wide window for them, which allows as many a second as one
    /// account's quota; `Err` with how long to wait when it is over.
    pub(crate) fn admit_exchange(&self) -> Result<(), Duration> {
        let admitted = self.lock().exchanges.admit(Instant::now(), self.qps);
        if admitted.is_err() {
            self.refused.fetch_add(1, Ordering::Relaxed);
        }
        admitted
    }

    /// How many requests have been refused with 429.
    pub(crate) fn refused(&self) -> u64 {
        self.refused.load(Ordering::Relaxed)
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

    /// Makes a fresh random address on one of `domains` for `account`:
    /// the address, its local part and domain, and the write that makes
    /// its ownership survive a restart (answer only once it is done).
    pub(crate) fn create_address(
        &self,
        account: AccountId,
        domains: &[String],
    ) -> Option<(String, String, String, Durable)> {
        let domain = domains.get(rand::random_range(0..domains.len().max(1)))?.clone();
        let local = random_local_part(10);
        let address = format!("{local}@{domain}");
        let durable = self.own(account, vec![address.clone()]);
        Some((address, local, domain, durable))
    }

    /// Records that `account` owns `addresses`, and queues that for disk.
    fn own(&self, account: AccountId, addresses: Vec<String>) -> Durable {
        for address in &addresses {
            self.record_owner(account, address);
        }
        match &self.database {
            Some(database) => {
                let key = self.lock().accounts[account].key.clone();
                database.own(addresses, &key)
            }
            None => Durable::now(),
        }
    }

    fn record_owner(&self, account: AccountId, address: &str) {
        let Some((local, domain)) = addresses::parse(address) else { return };
        let key = addresses::mailbox_key(&local, &domain);
        let mut state = self.lock();
        state.owners.insert(key, account);
        let owner = &mut state.accounts[account];
        match Family::of_domain(&domain) {
            Family::Gmail => owner.gmail.insert(0, local),
            Family::Microsoft => owner.microsoft.insert(0, format!("{local}@{domain}")),
            Family::Temp => {}
        }
    }

    /// The mailbox SMTP files mail for `address` into, or why it is
    /// refused: only served domains and bought Gmail and Microsoft ids
    /// receive mail, and `postmaster` (which RFC 5321 says every server
    /// must accept) files into `postmaster@` the first served domain.
    pub(crate) fn mailbox_for_delivery(&self, address: &str) -> Result<String, Refusal> {
        if address.trim().eq_ignore_ascii_case("postmaster")
            && let Some(domain) = self.premium_domains.first().or(self.private_domains.first())
        {
            return Ok(format!("postmaster@{domain}"));
        }
        let (local, domain) = addresses::check(address).map_err(Refusal::Malformed)?;
        let key = addresses::mailbox_key(&local, &domain);
        match Family::of_domain(&domain) {
            Family::Temp if self.serves(&domain) => Ok(key),
            Family::Gmail | Family::Microsoft if self.lock().owners.contains_key(&key) => Ok(key),
            _ => Err(Refusal::NotServed(domain)),
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
        if Family::of_domain(&domain) != family {
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
                        .is_some_and(|(_, d)| self.serves(d) && Family::of_domain(d) == Family::Temp)
            }
        }
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
        assert!(accounts.mailbox_for_delivery("anyone@otpcatch.test").is_ok());
        assert!(accounts.mailbox_for_delivery("anyone@mine.test").is_ok());
        assert!(accounts.mailbox_for_delivery("victim@example.org").is_err(), "never a relay");
        assert!(accounts.mailbox_for_delivery("someone@gmail.com").is_err());
        assert_eq!(accounts.mailbox_for_delivery("Postmaster").unwrap(), "postmaster@otpcatch.test");
        let (ids, _) = accounts.purchase(0, Family::Gmail, 1).unwrap();
        let variant = format!("{}+x@googlemail.com", ids[0].replace('.', ""));
        assert_eq!(
            accounts.mailbox_for_delivery(&variant).ok(),
            Some(format!("{}@gmail.com", ids[0].replace('.', "")))
        );
    }

    #[test]
    fn purchases_spend_the_balance() {
        let accounts = accounts(false);
        assert_eq!(accounts.purchase(0, Family::Microsoft, 2).unwrap().0.len(), 2);
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
