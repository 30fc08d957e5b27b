use serde::{Deserialize, Serialize};

use crate::Secret;
use crate::secret::on_the_wire;

/// `POST /auth`: log in with an account's address and password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthRequest {
    /// The account's email address.
    pub address: String,
    /// The account's password.
    #[serde(serialize_with = "on_the_wire")]
    pub password: Secret,
}

/// `POST /token`: exchange an API token for a Bearer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRequest {
    /// The account's API token.
    #[serde(serialize_with = "on_the_wire")]
    pub token: Secret,
}

/// The `data` of `/auth` and `/token`: a Bearer and when it expires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BearerGrant {
    /// The Bearer to send as `Authorization: Bearer …`.
    #[serde(rename = "Bearer", serialize_with = "on_the_wire")]
    pub bearer: Secret,
    /// When the Bearer stops working, in Unix seconds.
    #[serde(rename = "expireTime")]
    pub expire_time: i64,
}
