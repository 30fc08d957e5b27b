//! Every error class: what the caller can branch on, and what the user reads.

use otpcatch_core::{Client, Family};

use crate::fake::{API_TOKEN, ClientFor, Fake, Fault};

async fn failing(fault: Fault) -> otpcatch_core::Error {
    let fake = Fake::start().await;
    let cache = tempfile::tempdir().unwrap();
    let client = fake.builder(cache.path()).max_retries(2).build().unwrap();
    for _ in 0..3 {
        fake.inject(fault.clone());
    }
    client.inbox(Family::Temp, "a@otpcatch.test", None).await.unwrap_err()
}

#[tokio::test]
async fn client_errors_carry_status_endpoint_and_msg() {
    for (status, predicate) in [
        (400, None),
        (404, Some(otpcatch_core::Error::is_not_found as fn(&otpcatch_core::Error) -> bool)),
        (405, None),
        (422, None),
    ] {
        let err = failing(Fault::status("/inbox", status)).await;
        assert_eq!(err.status(), Some(status));
        assert_eq!(err.endpoint(), Some("POST /inbox"));
        assert_eq!(err.server_msg(), Some(format!("injected {status}").as_str()));
        assert!(!err.is_transient(), "{status} must not be retried");
        if let Some(predicate) = predicate {
            assert!(predicate(&err));
        }
        let text = err.to_string();
        assert!(text.starts_with(&format!("POST /inbox failed with {status} ")), "{text}");
        assert!(text.contains(&format!("injected {status}")), "{text}");
    }
}

#[tokio::test]
async fn each_client_error_is_sent_once() {
    let fake = Fake::start().await;
    let cache = tempfile::tempdir().unwrap();
    let client = fake.client(cache.path());
    fake.inject(Fault::status("/inbox", 422));
    client.inbox(Family::Temp, "a@otpcatch.test", None).await.unwrap_err();
    assert_eq!(fake.count("/inbox"), 1);
}

#[tokio::test]
async fn quota_and_server_errors_are_transient() {
    let quota = failing(Fault::status("/inbox", 429)).await;
    assert!(quota.is_quota() && quota.is_transient());
    assert!(quota.hint().unwrap().contains("quota"), "{quota}");
    for status in [500, 502, 503] {
        let server = failing(Fault::status("/inbox", status)).await;
        assert!(server.is_server() && server.is_transient(), "{server}");
        assert!(server.to_string().contains("hint: the server failed after every retry"), "{server}");
    }
}

#[tokio::test]
async fn an_error_inside_a_200_envelope_is_an_error() {
    let err = failing(Fault::raw("/inbox", 200, r#"{"code":422,"status":false,"msg":"bad email"}"#)).await;
    assert_eq!(err.status(), Some(422));
    assert_eq!(err.server_msg(), Some("bad email"));
}

#[tokio::test]
async fn a_body_that_is_not_the_api_is_a_decode_error() {
    let err = failing(Fault::raw("/inbox", 200, "<html>gateway login</html>")).await;
    assert!(err.is_decode(), "{err:?}");
    let text = err.to_string();
    assert!(text.contains("POST /inbox answered with unexpected JSON"), "{text}");
    assert!(text.contains("<html>gateway login</html>"), "the excerpt helps: {text}");
    assert!(text.contains("hint: the base URL may not point at a 22.do v2 API"), "{text}");

    let wrong_shape =
        failing(Fault::raw("/inbox", 200, r#"{"code":200,"status":true,"msg":"ok","data":{"x":1}}"#)).await;
    assert!(wrong_shape.is_decode(), "{wrong_shape:?}");
}

#[tokio::test]
async fn no_server_is_a_transport_error_with_a_hint() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let client = Client::builder()
        .base_url(format!("http://127.0.0.1:{port}/api/v2"))
        .api_token(API_TOKEN)
        .no_disk_cache()
        .max_retries(1)
        .backoff(std::time::Duration::from_millis(5), std::time::Duration::from_millis(5))
        .build()
        .unwrap();
    let err = client.domains().await.unwrap_err();
    assert!(err.is_transport(), "{err:?}");
    assert_eq!(err.endpoint(), Some("POST /token"), "the first request is the token exchange");
    assert!(err.to_string().contains("hint: is the server running"), "{err}");
    assert!(!err.to_string().contains(API_TOKEN));
}

#[tokio::test]
async fn a_refused_token_names_the_credential_to_check_and_never_shows_it() {
    let fake = Fake::start().await;
    let cache = tempfile::tempdir().unwrap();
    let client = fake.builder(cache.path()).api_token("wrong-token-abcdef").build().unwrap();
    let err = client.domains().await.unwrap_err();
    assert!(err.is_auth());
    let text = err.to_string();
    assert!(text.contains("POST /token failed with 401 Unauthorized: Invalid token"), "{text}");
    assert!(text.contains("hint: check the API token: it was refused"), "{text}");
    assert!(!text.contains("wrong-token-abcdef") && !format!("{err:?}").contains("wrong-token-abcdef"));
    assert!(!format!("{client:?}").contains("wrong-token-abcdef"));

    let client = fake.builder(cache.path()).password("owner@example.com", "bad password 123").build().unwrap();
    let err = client.domains().await.unwrap_err();
    assert!(err.to_string().contains("hint: check the account's address and password"), "{err}");
    assert!(!format!("{err} {err:?} {client:?}").contains("bad password 123"));
}

#[tokio::test]
async fn no_credential_says_how_to_get_one() {
    let fake = Fake::start().await;
    let client = Client::builder().base_url(&fake.url).no_disk_cache().build().unwrap();
    let err = client.domains().await.unwrap_err();
    assert!(err.is_auth());
    assert!(err.to_string().contains("hint: no credential is configured"), "{err}");
}

#[test]
fn a_bad_base_url_is_a_configuration_error() {
    let err = Client::builder().base_url("ftp://example.com").build().unwrap_err();
    assert!(err.to_string().contains("must start with http:// or https://"), "{err}");
    let err = Client::builder().base_url("not a url").build().unwrap_err();
    assert!(err.to_string().contains("is not a URL"), "{err}");
    let err = Client::builder().quota_per_second(0).build().unwrap_err();
    assert!(err.to_string().contains("at least one request per second"), "{err}");
}
