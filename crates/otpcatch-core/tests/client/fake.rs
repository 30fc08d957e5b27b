//! The fake of the 22.do API that every test here runs against (from
//! otpcatch-testkit), and a client for it.

use std::path::Path;
use std::time::Duration;

pub(crate) use otpcatch_testkit::{ADDRESS, API_TOKEN, FakeApi as Fake, Fault, PASSWORD, now};

/// A client for the fake: its URL, the API token, a cache directory of the
/// test's own, and short backoffs.
pub(crate) trait ClientFor {
    fn builder(&self, cache: &Path) -> otpcatch_core::ClientBuilder;

    fn client(&self, cache: &Path) -> otpcatch_core::Client {
        self.builder(cache).build().expect("a client for the fake")
    }
}

impl ClientFor for Fake {
    fn builder(&self, cache: &Path) -> otpcatch_core::ClientBuilder {
        otpcatch_core::Client::builder()
            .base_url(&self.url)
            .api_token(API_TOKEN)
            .cache_dir(cache)
            .backoff(Duration::from_millis(10), Duration::from_millis(50))
    }
}
