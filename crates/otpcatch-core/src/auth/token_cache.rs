//! The Bearer cache on disk, shared by every otpcatch process.
//!
//! One 0600 file per credential and server, named by a hash of both. It is
//! read and written only under an exclusive lock, and the lock is held
//! during an exchange, so processes that start together make one exchange
//! between them instead of one each.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::{Bearer, fresh_bearer};
use crate::Secret;
use crate::error::Result;
use crate::quota::open_private;
use otpcatch_wire::BearerGrant;

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct CachedBearer {
    /// Written to the 0600 cache file: one of the two places a secret's
    /// value is written (the other is a request body).
    #[serde(serialize_with = "expose")]
    pub(super) bearer: Secret,
    pub(super) renew_at: i64,
}

fn expose<S: serde::Serializer>(secret: &Secret, serializer: S) -> std::result::Result<S::Ok, S::Error> {
    serializer.serialize_str(secret.expose())
}

#[derive(Debug)]
pub(super) struct TokenCache {
    path: PathBuf,
}

impl TokenCache {
    pub(super) fn new(path: PathBuf) -> Self {
        Self { path }
    }

    /// The cached Bearer if it is fresh at `now`; otherwise the result of
    /// `exchange`, which is then cached.
    pub(super) async fn get_or_exchange<F, Fut>(&self, now: i64, exchange: F) -> Result<Bearer>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<BearerGrant>>,
    {
        let mut file = match self.lock().await {
            Ok(file) => file,
            Err(err) => {
                tracing::warn!("the Bearer cache {} is unusable ({err}); not caching", self.path.display());
                return Ok(fresh_bearer(exchange().await?, now));
            }
        };
        if let Some(cached) = read(&mut file).filter(|c| c.renew_at > now) {
            tracing::debug!("using the cached Bearer");
            return Ok(cached.into());
        }
        let bearer = fresh_bearer(exchange().await?, now);
        if let Err(err) = write(&mut file, Some(&bearer)) {
            tracing::warn!("could not write the Bearer cache {}: {err}", self.path.display());
        }
        Ok(bearer)
    }

    /// Replaces the cached Bearer.
    pub(super) async fn store(&self, bearer: &Bearer) {
        if let Ok(mut file) = self.lock().await
            && let Err(err) = write(&mut file, Some(bearer))
        {
            tracing::warn!("could not write the Bearer cache {}: {err}", self.path.display());
        }
    }

    /// Empties the cache if it still holds `rejected`.
    pub(super) async fn forget(&self, rejected: &Secret) {
        if let Ok(mut file) = self.lock().await
            && read(&mut file).is_some_and(|c| &c.bearer == rejected)
        {
            let _ = write(&mut file, None);
        }
    }

    async fn lock(&self) -> std::io::Result<File> {
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || {
            let file = open_private(&path)?;
            file.lock()?;
            Ok(file)
        })
        .await
        .map_err(std::io::Error::other)?
    }
}

fn read(file: &mut File) -> Option<CachedBearer> {
    let mut text = String::new();
    file.seek(SeekFrom::Start(0)).ok()?;
    file.read_to_string(&mut text).ok()?;
    serde_json::from_str(&text).ok()
}

fn write(file: &mut File, bearer: Option<&Bearer>) -> std::io::Result<()> {
    file.seek(SeekFrom::Start(0))?;
    file.set_len(0)?;
    if let Some(bearer) = bearer {
        let cached = CachedBearer { bearer: bearer.token.clone(), renew_at: bearer.renew_at };
        file.write_all(&serde_json::to_vec(&cached).map_err(std::io::Error::other)?)?;
    }
    file.sync_data()
}
