//! A minimal, fast SMTP client: one connection, EHLO once, then each
//! message as MAIL, RCPT and DATA pipelined in one write.

use std::net::SocketAddr;
use std::time::Instant;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

pub(crate) struct SmtpClient {
    reader: BufReader<tokio::net::tcp::OwnedReadHalf>,
    writer: tokio::net::tcp::OwnedWriteHalf,
    line: String,
}

pub(crate) type Result<T> = std::result::Result<T, String>;

impl SmtpClient {
    pub(crate) async fn connect(address: SocketAddr) -> Result<Self> {
        let stream = TcpStream::connect(address).await.map_err(|e| format!("connect to {address}: {e}"))?;
        stream.set_nodelay(true).map_err(|e| e.to_string())?;
        let (reader, writer) = stream.into_split();
        let mut client = Self { reader: BufReader::new(reader), writer, line: String::new() };
        client.expect(220).await?;
        client.writer.write_all(b"EHLO bench.local\r\n").await.map_err(|e| e.to_string())?;
        client.expect(250).await?;
        Ok(client)
    }

    /// Reads one reply (all its lines) and checks its code.
    async fn expect(&mut self, code: u16) -> Result<()> {
        loop {
            self.line.clear();
            let read = self.reader.read_line(&mut self.line).await.map_err(|e| e.to_string())?;
            if read == 0 {
                return Err("the server closed the connection".into());
            }
            if self.line.len() >= 4 && self.line.as_bytes()[3] == b'-' {
                continue;
            }
            let got: u16 = self.line.get(..3).and_then(|c| c.parse().ok()).unwrap_or(0);
            return if got == code { Ok(()) } else { Err(format!("expected {code}, got {:?}", self.line.trim_end())) };
        }
    }

    /// Sends one message and returns once the server has acknowledged its
    /// DATA, with the moment the end of DATA (`.`) was written: the
    /// benchmarks measure from there, so a server's own ingest counts.
    pub(crate) async fn send(&mut self, to: &str, data: &[u8]) -> Result<Instant> {
        let envelope = format!("MAIL FROM:<no-reply@app.example.test>\r\nRCPT TO:<{to}>\r\nDATA\r\n");
        self.writer.write_all(envelope.as_bytes()).await.map_err(|e| e.to_string())?;
        self.expect(250).await?;
        self.expect(250).await?;
        self.expect(354).await?;
        self.writer.write_all(data).await.map_err(|e| e.to_string())?;
        self.writer.write_all(b"\r\n.\r\n").await.map_err(|e| e.to_string())?;
        let end_of_data = Instant::now();
        self.expect(250).await?;
        Ok(end_of_data)
    }
}
