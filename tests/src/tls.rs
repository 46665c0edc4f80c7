//! A loopback TLS server with a certificate from tests/certs: the self-signed
//! one (a CA certificate used as the server's own, which a verifying client
//! must refuse), or a leaf signed by the private test CA (trusted only where
//! that CA is, e.g. through `SSL_CERT_FILE`). Connections whose handshake
//! succeeds get one answer — the body ([`BODY`] unless given), or the part a
//! `Range: bytes=A-B` asks for as a 206 — and are closed; the others are dropped.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

/// What a successful request gets.
pub const BODY: &[u8] = b"ok";

/// A certificate and its private key, both PEM.
#[derive(Clone, Copy, Debug)]
pub struct Identity {
    /// The certificate (the leaf; the CA is the client's to know).
    pub cert: &'static [u8],
    /// Its PKCS#8 private key.
    pub key: &'static [u8],
}

/// A CA certificate used as the server's own: nobody trusts it.
pub const SELF_SIGNED: Identity =
    Identity { cert: include_bytes!("../certs/self-signed.pem"), key: include_bytes!("../certs/self-signed.key") };

/// Signed by the private CA, for `localhost` and `127.0.0.1`, valid 2025–2125.
pub const LEAF_LOCALHOST: Identity = Identity {
    cert: include_bytes!("../certs/leaf-localhost.pem"),
    key: include_bytes!("../certs/leaf-localhost.key"),
};

/// Signed by the private CA, for `localhost` and `127.0.0.1`, expired on 2020-01-02.
pub const LEAF_EXPIRED: Identity =
    Identity { cert: include_bytes!("../certs/leaf-expired.pem"), key: include_bytes!("../certs/leaf-expired.key") };

/// Signed by the private CA for `other.example` only.
pub const LEAF_OTHER_HOST: Identity = Identity {
    cert: include_bytes!("../certs/leaf-other-host.pem"),
    key: include_bytes!("../certs/leaf-other-host.key"),
};

/// The private test CA's certificate (PEM), for `SSL_CERT_FILE`.
pub fn private_ca_file() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("certs").join("private-ca.pem")
}

/// The running server; stops with the test process.
pub struct TlsServer {
    addr: SocketAddr,
    handshakes_failed: Arc<AtomicU64>,
    ranges_served: Arc<AtomicU64>,
    suites: Arc<Mutex<Vec<String>>>,
}

impl TlsServer {
    /// Starts on 127.0.0.1 with the self-signed certificate.
    pub fn start() -> TlsServer {
        TlsServer::start_with(SELF_SIGNED)
    }

    /// Starts on 127.0.0.1 presenting `identity`, serving [`BODY`].
    pub fn start_with(identity: Identity) -> TlsServer {
        TlsServer::start_serving(identity, BODY.to_vec())
    }

    /// Starts on 127.0.0.1 presenting `identity`, serving `body` (ranges too).
    pub fn start_serving(identity: Identity, body: Vec<u8>) -> TlsServer {
        use rustls::pki_types::pem::PemObject;
        use rustls::pki_types::{CertificateDer, PrivateKeyDer};
        let _ = rustls::crypto::ring::default_provider().install_default();
        let certs: Vec<CertificateDer<'static>> =
            CertificateDer::pem_slice_iter(identity.cert).collect::<Result<_, _>>().expect("the test certificate");
        let key = PrivateKeyDer::from_pem_slice(identity.key).expect("the test key");
        let config =
            rustls::ServerConfig::builder().with_no_client_auth().with_single_cert(certs, key).expect("config");
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.set_nonblocking(true).expect("nonblocking");
        let addr = listener.local_addr().expect("addr");
        let handshakes_failed = Arc::new(AtomicU64::new(0));
        let ranges_served = Arc::new(AtomicU64::new(0));
        let suites = Arc::new(Mutex::new(Vec::new()));
        let (failed, ranges, body, negotiated) =
            (handshakes_failed.clone(), ranges_served.clone(), Arc::new(body), suites.clone());
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                while let Ok((socket, _)) = listener.accept().await {
                    let (acceptor, failed, ranges, body, negotiated) =
                        (acceptor.clone(), failed.clone(), ranges.clone(), body.clone(), negotiated.clone());
                    tokio::spawn(async move {
                        use tokio::io::AsyncWriteExt;
                        match acceptor.accept(socket).await {
                            Ok(mut tls) => {
                                let suite = tls.get_ref().1.negotiated_cipher_suite();
                                let name = suite.map_or_else(|| "none".to_string(), |s| format!("{:?}", s.suite()));
                                negotiated.lock().unwrap_or_else(PoisonError::into_inner).push(name);
                                let Some(head) = read_head(&mut tls).await else { return };
                                let total = body.len();
                                let answer = match asked_range(&head, total) {
                                    Some((start, end)) => {
                                        ranges.fetch_add(1, Ordering::SeqCst);
                                        let head = format!(
                                            "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes {start}-{end}/{total}\r\n"
                                        );
                                        (head, &body[start..=end])
                                    }
                                    None => ("HTTP/1.1 200 OK\r\n".to_string(), &body[..]),
                                };
                                let (status, part) = answer;
                                let head = format!(
                                    "{status}Content-Length: {}\r\nAccept-Ranges: bytes\r\nETag: \"haul-tls\"\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n",
                                    part.len()
                                );
                                if tls.write_all(head.as_bytes()).await.is_ok() {
                                    // Paced (~32 MiB/s a connection), so one connection is
                                    // slow enough that a big file is always split, however
                                    // fast the machine.
                                    for chunk in part.chunks(64 << 10) {
                                        if tls.write_all(chunk).await.is_err() {
                                            break;
                                        }
                                        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
                                    }
                                }
                                let _ = tls.shutdown().await;
                            }
                            Err(_) => {
                                failed.fetch_add(1, Ordering::SeqCst);
                            }
                        }
                    });
                }
            });
        });
        TlsServer { addr, handshakes_failed, ranges_served, suites }
    }

    /// `https://127.0.0.1:PORT{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("https://{}{path}", self.addr)
    }

    /// Handshakes that did not complete (the client refused the certificate).
    pub fn handshakes_failed(&self) -> u64 {
        self.handshakes_failed.load(Ordering::SeqCst)
    }

    /// The cipher suite of each completed handshake, in order (rustls's names,
    /// e.g. `TLS13_AES_128_GCM_SHA256`); the server follows the client's preference.
    pub fn cipher_suites(&self) -> Vec<String> {
        self.suites.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Answers that were a 206 for a `Range` (a split file's connections).
    pub fn ranges_served(&self) -> u64 {
        self.ranges_served.load(Ordering::SeqCst)
    }
}

/// The request head (up to the blank line; at most 64 KiB, 10 s).
async fn read_head(tls: &mut (impl tokio::io::AsyncRead + Unpin)) -> Option<String> {
    use tokio::io::AsyncReadExt;
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        if head.len() > 64 * 1024 {
            return None;
        }
        match tokio::time::timeout_at(deadline, tls.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => head.extend_from_slice(&buf[..n]),
            _ => return None,
        }
    }
    Some(String::from_utf8_lossy(&head).into_owned())
}

/// `Range: bytes=A-B` or `bytes=A-` within `total` bytes, as inclusive bounds.
fn asked_range(head: &str, total: usize) -> Option<(usize, usize)> {
    let value = head.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.trim().eq_ignore_ascii_case("range").then(|| value.trim().to_string())
    })?;
    let (start, end) = value.strip_prefix("bytes=")?.split_once('-')?;
    let start: usize = start.trim().parse().ok()?;
    let end = match end.trim() {
        "" => total.checked_sub(1)?,
        end => end.parse::<usize>().ok()?.min(total.checked_sub(1)?),
    };
    (start <= end).then_some((start, end))
}
