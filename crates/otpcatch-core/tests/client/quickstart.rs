//! The crate root's five-line example, run for real against the fake.

use std::time::Duration;

use otpcatch_core::{Client, Filter};

use crate::fake::{API_TOKEN, Fake};

#[tokio::test]
async fn the_crate_docs_example_works() {
    let fake = Fake::start().await;
    let cache = tempfile::tempdir().unwrap();
    // What `Client::from_env()` reads from OTPCATCH_API_URL and OTPCATCH_TOKEN.
    let client = Client::builder().base_url(&fake.url).api_token(API_TOKEN).cache_dir(cache.path()).build().unwrap();
    let mailbox = client.create_mailbox().await.unwrap();
    // The code under test sends the email.
    fake.deliver(mailbox.address(), "App <noreply@app.test>", "Please verify your email", "<h1>Welcome</h1>");
    let filter = Filter::new().subject("verify").unwrap();
    let message = mailbox.wait_for(filter).timeout(Duration::from_secs(60)).await.unwrap();
    assert!(message.html.contains("Welcome"));
}
