//! The 22.do reference's response examples (`golden/`, copied verbatim from
//! its pages), decoded and encoded back unchanged: the wire types neither
//! drop nor invent a field.

use otpcatch_wire::*;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Decodes `json` as an envelope of `T`, re-encodes it, and checks the two
/// JSON documents are equal.
fn round_trip<T: DeserializeOwned + Serialize>(name: &str, json: &str) -> Envelope<T> {
    let decoded: Envelope<T> = serde_json::from_str(json).unwrap_or_else(|e| panic!("{name}: {e}"));
    let original: serde_json::Value = serde_json::from_str(json).unwrap();
    let encoded = serde_json::to_value(&decoded).unwrap();
    assert_eq!(encoded, original, "{name} does not survive a round trip");
    decoded
}

macro_rules! golden {
    ($name:literal) => {
        include_str!(concat!("golden/", $name, ".json"))
    };
}

#[test]
fn auth_and_token() {
    for (name, json) in [("post_auth", golden!("post_auth")), ("post_token", golden!("post_token"))] {
        let grant = round_trip::<BearerGrant>(name, json).data.unwrap();
        assert_eq!(grant.bearer.expose(), "xxx.xxx.xxx.xxx");
        assert_eq!(grant.expire_time, 1746168434);
        assert!(!format!("{grant:?}").contains("xxx.xxx"), "Debug must hide the Bearer");
    }
}

#[test]
fn domains() {
    let all = round_trip::<Vec<Domain>>("get_domains", golden!("get_domains")).data.unwrap();
    assert_eq!(all.len(), 5);
    assert_eq!(all[0].kind, DomainKind::Premium);
    assert_eq!((all[3].kind, all[3].mx), (DomainKind::Private, Some(true)));
    round_trip::<Vec<Domain>>("get_domains_premium", golden!("get_domains_premium"));
    round_trip::<Vec<Domain>>("get_domains_private", golden!("get_domains_private"));
}

#[test]
fn accounts() {
    let account = round_trip::<Account>("post_account", golden!("post_account")).data.unwrap();
    assert_eq!((account.account.as_str(), account.domain.as_str()), ("user", "example.com"));
    round_trip::<Account>("get_account_premium", golden!("get_account_premium"));
    let private = round_trip::<Account>("get_account_private", golden!("get_account_private")).data.unwrap();
    assert_eq!(private.kind, DomainKind::Private);
}

#[test]
fn inboxes_and_messages() {
    for (name, json) in [
        ("post_inbox", golden!("post_inbox")),
        ("post_gmail_inbox", golden!("post_gmail_inbox")),
        ("post_microsoft_inbox", golden!("post_microsoft_inbox")),
    ] {
        let listing = round_trip::<Vec<MessageSummary>>(name, json).data.unwrap();
        assert_eq!(listing.len(), 1);
        assert_eq!((listing[0].time, listing[0].expire_time), (1745411165, 1745425565));
    }
    for (name, json) in [
        ("post_inbox_message", golden!("post_inbox_message")),
        ("post_gmail_message", golden!("post_gmail_message")),
        ("post_microsoft_message", golden!("post_microsoft_message")),
    ] {
        let detail = round_trip::<MessageDetail>(name, json).data.unwrap();
        assert_eq!((detail.body.as_str(), detail.html.as_str()), ("body content", "html content"));
        assert_eq!(detail.tos.len(), 3);
        assert_eq!(detail.message_id, "1589e29186e7d311882f8d7b5e07b3d5");
    }
    for (name, json) in [
        ("delete_inbox_message", golden!("delete_inbox_message")),
        ("delete_gmail_message", golden!("delete_gmail_message")),
        ("delete_microsoft_message", golden!("delete_microsoft_message")),
    ] {
        let deleted = round_trip::<()>(name, json);
        assert_eq!(deleted.msg, "Message deleted successfully");
        assert!(deleted.data.is_none());
    }
}

#[test]
fn gmail() {
    let list = round_trip::<GmailList>("post_gmail", golden!("post_gmail")).data.unwrap();
    assert_eq!((list.count, list.limit, list.current), (3, 20, 1));
    let bought = round_trip::<GmailIds>("post_gmail_purchase", golden!("post_gmail_purchase"));
    assert_eq!(bought.msg, "Successfully purchased 3 GmailId");
    let generated = round_trip::<GmailIds>("post_gmail_generate", golden!("post_gmail_generate")).data.unwrap();
    assert_eq!(generated.items.len(), 10);
    assert_eq!(generated.domains, ["@gmail.com", "@googlemail.com"]);
}

#[test]
fn microsoft() {
    let list = round_trip::<MicrosoftList>("post_microsoft", golden!("post_microsoft")).data.unwrap();
    assert_eq!(list.items.len(), 3);
    let bought = round_trip::<MicrosoftAccounts>("post_microsoft_purchase", golden!("post_microsoft_purchase"));
    assert_eq!(bought.data.unwrap().items.len(), 3);
}

#[test]
fn requests_encode_with_the_reference_field_names() {
    let json = |v: &dyn erased::Json| v.json();
    assert_eq!(json(&InboxRequest { email: "a@b.c".into(), time: None }), r#"{"email":"a@b.c"}"#);
    assert_eq!(json(&InboxRequest { email: "a@b.c".into(), time: Some(5) }), r#"{"email":"a@b.c","time":5}"#);
    assert_eq!(json(&MessageIdRequest { message_id: "m1".into() }), r#"{"messageId":"m1"}"#);
    assert_eq!(json(&TokenRequest { token: "t".into() }), r#"{"token":"t"}"#);
    assert_eq!(
        json(&AuthRequest { address: "a@b.c".into(), password: "p".into() }),
        r#"{"address":"a@b.c","password":"p"}"#
    );
    assert_eq!(json(&ListRequest { page: Some(2), limit: 20 }), r#"{"page":2,"limit":20}"#);
    assert_eq!(json(&PurchaseRequest { number: 3 }), r#"{"number":3}"#);
    assert_eq!(
        json(&GmailGenerateRequest { gmail_id: Some("aa.bb".into()), number: 2, plus: true }),
        r#"{"gmailId":"aa.bb","number":2,"plus":true}"#
    );
    assert_eq!(
        json(&MicrosoftGenerateRequest { account: None, number: 1, plus: false }),
        r#"{"number":1,"plus":false}"#
    );
}

mod erased {
    pub(super) trait Json {
        fn json(&self) -> String;
    }
    impl<T: serde::Serialize> Json for T {
        fn json(&self) -> String {
            serde_json::to_string(self).unwrap()
        }
    }
}
