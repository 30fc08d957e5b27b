//! Credentials and the Bearer they are exchanged for.
//!
//! A [`Credential`] (an API token or an address and password) is exchanged
//! for a Bearer at `POST /token` or `POST /auth`. The Bearer is kept in
//! memory and in a 0600 file in the cache directory, renewed shortly before
//! its `expireTime`, and renewed once more when a request gets a 401.

mod token_cache;

use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use tokio::sync::Mutex;

use crate::error::{CredentialKind, Result};
use crate::{Client, Secret};
use token_cache::{CachedBearer, TokenCache};

/// What the client authenticates with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// An API token, exchanged for a Bearer at `POST /token`.
    ApiToken(Secret),
    /// An account's address and password, exchanged at `POST /auth`.
    Password {
        /// The account's email address.
        address: String,
        /// The account's password.
        password: Secret,
    },
}

impl Credential {
    /// Which kind of credential this is, for error hints.
    pub fn kind(&self) -> CredentialKind {
        match self {
            Self::ApiToken(_) => CredentialKind::ApiToken,
            Self::Password { .. } => CredentialKind::Password,
        }
    }

    /// A stable, non-reversible name for the credential and the server it is
    /// for: the key of its cache files.
    pub(crate) fn cache_key(&self, base_url: &str) -> String {
        use sha2::{Digest, Sha256};
        let mut hash = Sha256::new();
        hash.update(base_url.as_bytes());
        hash.update([0]);
        match self {
            Self::ApiToken(token) => {
                hash.update(b"token\0");
                hash.update(token.expose().as_bytes());
            }
            Self::Password { address, password } => {
                hash.update(b"password\0");
                hash.update(address.as_bytes());
                hash.update([0]);
                hash.update(password.expose().as_bytes());
            }
        }
        hash.finalize()[..16].iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// A Bearer and when to stop using it.
#[derive(Debug, Clone)]
struct Bearer {
    token: Secret,
    renew_at: i64,
}

/// Keeps the Bearer for one credential.
#[derive(Debug)]
pub(crate) struct Auth {
    credential: Option<Credential>,
    current: Mutex<Option<Bearer>>,
    disk: Option<TokenCache>,
}

impl Auth {
    pub(crate) fn new(credential: Option<Credential>, cache_file: Option<PathBuf>) -> Self {
        Self { credential, current: Mutex::new(None), disk: cache_file.map(TokenCache::new) }
    }

    pub(crate) fn credential(&self) -> Option<&Credential> {
        self.credential.as_ref()
    }

    pub(crate) fn credential_kind(&self) -> CredentialKind {
        self.credential.as_ref().map_or(CredentialKind::None, Credential::kind)
    }

    /// The Bearer to send, exchanging the credential if none is fresh.
    /// `None` when no credential is configured.
    pub(crate) async fn bearer(&self, client: &Client) -> Result<Option<Secret>> {
        let Some(credential) = &self.credential else { return Ok(None) };
        let mut current = self.current.lock().await;
        let now = unix_now();
        if let Some(bearer) = current.as_ref().filter(|b| b.renew_at > now) {
            return Ok(Some(bearer.token.clone()));
        }
        let bearer = match &self.disk {
            Some(disk) => disk.get_or_exchange(now, || client.exchange(credential)).await?,
            None => fresh_bearer(client.exchange(credential).await?, now),
        };
        let token = bearer.token.clone();
        *current = Some(bearer);
        Ok(Some(token))
    }

    /// Forgets `rejected` (after a 401), here and on disk, so the next call
    /// to [`Auth::bearer`] exchanges the credential again. A Bearer that
    /// another task has already replaced is left alone.
    pub(crate) async fn forget(&self, rejected: &Secret) {
        let mut current = self.current.lock().await;
        if current.as_ref().is_some_and(|b| &b.token == rejected) {
            *current = None;
        }
        if let Some(disk) = &self.disk {
            disk.forget(rejected).await;
        }
    }

    /// Exchanges the credential now, whatever is cached; returns the new
    /// Bearer's expiry.
    pub(crate) async fn renew(&self, client: &Client) -> Result<Option<i64>> {
        let Some(credential) = &self.credential else { return Ok(None) };
        let mut current = self.current.lock().await;
        let grant = client.exchange(credential).await?;
        let expires = grant.expire_time;
        let bearer = fresh_bearer(grant, unix_now());
        if let Some(disk) = &self.disk {
            disk.store(&bearer).await;
        }
        *current = Some(bearer);
        Ok(Some(expires))
    }
}

/// When to renew a Bearer granted at `now`: a minute before it expires, or
/// after four fifths of its life if it lives less than five minutes.
fn fresh_bearer(grant: otpcatch_wire::BearerGrant, now: i64) -> Bearer {
    // The server's numbers are not trusted not to overflow.
    let lifetime = grant.expire_time.saturating_sub(now).max(0);
    let margin = (lifetime / 5).min(60);
    Bearer { token: grant.bearer, renew_at: grant.expire_time.saturating_sub(margin) }
}

impl From<CachedBearer> for Bearer {
    fn from(cached: CachedBearer) -> Self {
        Self { token: cached.bearer, renew_at: cached.renew_at }
    }
}

pub(crate) fn unix_now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}
