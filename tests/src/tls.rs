//! A loopback TLS server with a self-signed certificate (tests/certs, a CA
//! certificate used as the server's own): what a client that verifies
//! certificates must refuse. Connections whose handshake succeeds get a small
//! 200 answer; the others are dropped.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

const CERT: &[u8] = include_bytes!("../certs/self-signed.pem");
const KEY: &[u8] = include_bytes!("../certs/self-signed.key");

/// The running server; stops with the test process.
pub struct TlsServer {
    addr: SocketAddr,
    handshakes_failed: Arc<AtomicU64>,
}

impl TlsServer {
    /// Starts on 127.0.0.1 with the self-signed certificate.
    pub fn start() -> TlsServer {
        use rustls::pki_types::pem::PemObject;
        use rustls::pki_types::{CertificateDer, PrivateKeyDer};
        let _ = rustls::crypto::ring::default_provider().install_default();
        let certs: Vec<CertificateDer<'static>> =
            CertificateDer::pem_slice_iter(CERT).collect::<Result<_, _>>().expect("the test certificate");
        let key = PrivateKeyDer::from_pem_slice(KEY).expect("the test key");
        let config =
            rustls::ServerConfig::builder().with_no_client_auth().with_single_cert(certs, key).expect("config");
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.set_nonblocking(true).expect("nonblocking");
        let addr = listener.local_addr().expect("addr");
        let handshakes_failed = Arc::new(AtomicU64::new(0));
        let failed = handshakes_failed.clone();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                while let Ok((socket, _)) = listener.accept().await {
                    let (acceptor, failed) = (acceptor.clone(), failed.clone());
                    tokio::spawn(async move {
                        use tokio::io::AsyncWriteExt;
                        match acceptor.accept(socket).await {
                            Ok(mut tls) => {
                                let answer = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
                                let _ = tls.write_all(answer).await;
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
        TlsServer { addr, handshakes_failed }
    }

    /// `https://127.0.0.1:PORT{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("https://{}{path}", self.addr)
    }

    /// Handshakes that did not complete (the client refused the certificate).
    pub fn handshakes_failed(&self) -> u64 {
        self.handshakes_failed.load(Ordering::SeqCst)
    }
}
