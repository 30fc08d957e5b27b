//! The fixed corpus the load generator sends: realistic multipart
//! verification emails of about 20 KB (a text part and a styled HTML part
//! in quoted-printable, as transactional mail services send them).

/// One message ready for DATA: CRLF line endings, dot-stuffed, without the
/// terminating `.` line.
pub(crate) fn message(index: usize, to: &str, size: usize) -> Vec<u8> {
    let code = format!("{:06}", (index * 7919 + 104_729) % 1_000_000);
    let mut html = String::from(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><style>body{font-family:Helvetica,Arial,sans-serif;\
         color:#333333;background:#f4f4f7}.button{background:#22bc66;color:#ffffff;padding:12px 24px;\
         border-radius:4px;text-decoration:none}.footer{color:#a8aaaf;font-size:12px}</style></head><body>",
    );
    html.push_str(&format!(
        "<table class=\"email-wrapper\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\"><tr><td align=\"center\">\
         <h1>Confirm your email address</h1><p>Hi there,</p><p>Your verification code is <strong>{code}</strong>. \
         It expires in 10 minutes.</p><p><a class=\"button\" href=\"https://app.example.test/verify?token={index:08x}\
         &amp;utm_source=email\">Verify email</a></p>"
    ));
    let mut filler = 0;
    let mut random = Xorshift((index as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15).wrapping_add(1));
    while html.len() < size * 3 / 4 {
        let sentence = SENTENCES[random.next() as usize % SENTENCES.len()];
        // Tracking links carry opaque ids, as real transactional mail does.
        html.push_str(&format!(
            "<tr><td class=\"content-cell\"><p>{sentence} <a href=\"https://click.example.test/ls/click?upn={:016x}{:016x}\">\
             Read more</a> (section {filler}).</p></td></tr>",
            random.next(),
            random.next()
        ));
        filler += 1;
    }
    html.push_str(
        "<p class=\"footer\">Example Inc., 1 Sample Street, Springfield. \
         <a href=\"https://app.example.test/unsubscribe\">Unsubscribe</a></p></td></tr></table></body></html>",
    );
    let text = format!(
        "Confirm your email address\r\n\r\nYour verification code is {code}. It expires in 10 minutes.\r\n\r\n\
         Verify: https://app.example.test/verify?token={index:08x}\r\n\r\n{}",
        "Set up your workspace, invite your team, keep your account secure.\r\n".repeat(size / 4 / 70)
    );
    let body = format!(
        "From: \"Example App\" <no-reply@app.example.test>\r\n\
         To: <{to}>\r\n\
         Subject: Your verification code is {code}\r\n\
         Message-ID: <{index}.bench@app.example.test>\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: multipart/alternative; boundary=\"b-{index}\"\r\n\
         \r\n\
         --b-{index}\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\
         Content-Transfer-Encoding: quoted-printable\r\n\
         \r\n\
         {}\r\n\
         --b-{index}\r\n\
         Content-Type: text/html; charset=utf-8\r\n\
         Content-Transfer-Encoding: quoted-printable\r\n\
         \r\n\
         {}\r\n\
         --b-{index}--\r\n",
        quoted_printable(&text),
        quoted_printable(&html)
    );
    dot_stuff(body.into_bytes())
}

/// The body copy the filler paragraphs are drawn from.
const SENTENCES: [&str; 8] = [
    "Set up your workspace in a few minutes: name it, pick a colour, and choose who can join.",
    "Invite your team by email; they will get a link to join that is valid for seven days.",
    "Keep your account secure with two-factor authentication from the security settings page.",
    "Connect your calendar so that meetings and deadlines appear next to your tasks.",
    "Questions? Reply to this email or visit the help centre, where most answers are.",
    "You can change how often we email you at any time in your notification preferences.",
    "Our mobile apps keep everything in sync, so you can pick up where you left off.",
    "Export your data whenever you like, in CSV or JSON, from the account page.",
];

/// A tiny deterministic generator, so every run sends the same corpus.
struct Xorshift(u64);

impl Xorshift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// Quoted-printable with soft line breaks at 76 characters.
fn quoted_printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 11 / 10);
    let mut line = 0;
    for &byte in text.as_bytes() {
        if byte == b'\r' {
            continue;
        }
        if byte == b'\n' {
            out.push_str("\r\n");
            line = 0;
            continue;
        }
        let encoded = if byte == b'=' || !(32..127).contains(&byte) {
            format!("={byte:02X}")
        } else {
            (byte as char).to_string()
        };
        if line + encoded.len() > 75 {
            out.push_str("=\r\n");
            line = 0;
        }
        line += encoded.len();
        out.push_str(&encoded);
    }
    out
}

fn dot_stuff(body: Vec<u8>) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + 64);
    let mut at_line_start = true;
    for byte in body {
        if at_line_start && byte == b'.' {
            out.push(b'.');
        }
        out.push(byte);
        at_line_start = byte == b'\n';
    }
    out
}
