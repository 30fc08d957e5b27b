//! `GET /health` (and `/api/v2/health`): an otpcatch extension, no Bearer.

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use super::ApiState;

pub(super) async fn health(State(state): State<ApiState>) -> Json<Value> {
    Json(json!({
        "status": "ok",
        "messages": state.store.len(),
        "rateLimited": state.accounts.refused(),
        "version": env!("CARGO_PKG_VERSION"),
    }))
}
