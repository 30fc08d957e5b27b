use otpcatch_wire::endpoint::{AUTH, TOKEN};
use otpcatch_wire::{AuthRequest, BearerGrant, TokenRequest};

use crate::Client;
use crate::auth::Credential;
use crate::error::Result;

impl Client {
    /// Exchanges a credential for a Bearer (`POST /token` or `POST /auth`).
    pub(crate) async fn exchange(&self, credential: &Credential) -> Result<BearerGrant> {
        match credential {
            Credential::ApiToken(token) => {
                self.call_unauthenticated(&TOKEN, &TokenRequest { token: token.clone() }).await
            }
            Credential::Password { address, password } => {
                let body = AuthRequest { address: address.clone(), password: password.clone() };
                self.call_unauthenticated(&AUTH, &body).await
            }
        }
    }

    /// Exchanges the credential for a new Bearer now, even if a cached one
    /// is still fresh, and returns when it expires (Unix seconds); `None`
    /// when the client has no credential. Other calls do this by themselves
    /// when needed; this is for checking a credential up front.
    pub async fn authenticate(&self) -> Result<Option<i64>> {
        self.auth().renew(self).await
    }
}
