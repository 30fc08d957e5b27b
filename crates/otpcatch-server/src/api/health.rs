//! `GET /health` (and `/api/v2/health`): an otpcatch extension, no Bearer.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::ApiState;

/// `{"status": "ok", …}`, or 503 with `"status": "failing"` and the reason
/// while the database cannot be written (mail is then refused with 452).
pub(super) async fn health(State(state): State<ApiState>) -> (StatusCode, Json<Value>) {
    let failure = state.store.failure();
    let status = if failure.is_some() { StatusCode::SERVICE_UNAVAILABLE } else { StatusCode::OK };
    let body = json!({
        "status": if failure.is_some() { "failing" } else { "ok" },
        "error": failure,
        "messages": state.store.len(),
        "rateLimited": state.accounts.refused(),
        "version": env!("CARGO_PKG_VERSION"),
    });
    (status, Json(body))
}
