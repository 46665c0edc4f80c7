//! An in-process Haul service on a temporary socket, for protocol tests:
//! a real `Manager`, a real socket, `serve` in a task; dropping it stops it.

use haul_core::aria2::{self, RpcAccess, RpcOptions};
use haul_core::client::Client;
use haul_core::protocol::current_uid;
use haul_core::service::{self, CancellationToken};
use haul_core::{Config, Manager};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::UnixStream;
use tokio::net::unix::{OwnedReadHalf, OwnedWriteHalf};
use tokio::task::JoinHandle;

/// How long a test waits for anything before failing.
pub const WAIT: Duration = Duration::from_secs(15);

/// A running service; files for jobs go in its temporary folder.
pub struct ServiceFixture {
    /// The manager the service serves (tests may call it directly).
    pub manager: Manager,
    /// The socket.
    pub socket: PathBuf,
    /// The aria2 RPC endpoint, when started with one ([`ServiceFixture::start_with_rpc`]).
    pub endpoint: Option<Arc<aria2::Endpoint>>,
    stop: CancellationToken,
    serving: Option<JoinHandle<()>>,
    dir: tempfile::TempDir,
    /// Where the service keeps passwords and cookies: a secrets file here,
    /// outside its data folder (tests need no keyring).
    _secrets: tempfile::TempDir,
}

impl ServiceFixture {
    /// Starts a service with default settings. Call inside a tokio runtime.
    pub fn start() -> ServiceFixture {
        Self::start_with(|_| {})
    }

    /// Starts a service after `adjust` has changed its configuration.
    pub fn start_with(adjust: impl FnOnce(&mut Config)) -> ServiceFixture {
        Self::launch(adjust, None)
    }

    /// Starts a service whose aria2 RPC endpoint listens on 127.0.0.1 at a
    /// port the system picks (`get_rpc_info` says which), with its secret and
    /// saved address in the fixture's folder. Call inside a tokio runtime.
    pub fn start_with_rpc() -> ServiceFixture {
        let listen = std::net::SocketAddr::from((std::net::Ipv4Addr::LOCALHOST, 0));
        Self::launch(|_| {}, Some(RpcOptions { listen: Some(listen), listen_given: true, ..RpcOptions::default() }))
    }

    fn launch(adjust: impl FnOnce(&mut Config), rpc: Option<RpcOptions>) -> ServiceFixture {
        let dir = tempfile::tempdir().expect("temp dir");
        let secrets = tempfile::tempdir().expect("temp dir");
        let mut config = Config::new(dir.path().join("haul.db"));
        config.secrets = haul_core::secrets::SecretsConfig::File(secrets.path().join("secrets.json"));
        adjust(&mut config);
        let manager = Manager::open(config).expect("open the manager");
        let socket = dir.path().join("run").join("haul.sock");
        let listener = service::bind(&socket, false).expect("bind the socket");
        let stop = CancellationToken::new();
        let endpoint = rpc.map(|options| {
            let access = Arc::new(RpcAccess::new(dir.path(), false, current_uid()));
            aria2::start(manager.clone(), options, access, false, stop.clone(), dir.path())
        });
        let serving = tokio::spawn(service::serve_with_rpc(manager.clone(), listener, stop.clone(), endpoint.clone()));
        ServiceFixture { manager, socket, endpoint, stop, serving: Some(serving), dir, _secrets: secrets }
    }

    /// A path in the fixture's folder (for downloaded files and markers).
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The fixture's folder.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// A connected client (hello done).
    pub async fn client(&self) -> Client {
        within(Client::connect(&self.socket)).await.expect("connect a client")
    }

    /// A raw line-level connection (no hello).
    pub async fn raw(&self) -> Raw {
        let stream = within(UnixStream::connect(&self.socket)).await.expect("connect");
        let (read, write) = stream.into_split();
        Raw { reader: BufReader::new(read), writer: write, next_id: 1000 }
    }

    /// Whether `serve` has returned (after a `shutdown` request).
    pub async fn wait_stopped(&mut self) {
        if let Some(serving) = self.serving.take() {
            within(serving).await.expect("serve panicked");
        }
    }

    /// Stops serving and shuts the manager down.
    pub async fn stop(mut self) {
        self.stop.cancel();
        self.wait_stopped().await;
        within(self.manager.shutdown()).await;
    }
}

impl Drop for ServiceFixture {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

/// Awaits `future`, failing the test after [`WAIT`].
pub async fn within<F: std::future::Future>(future: F) -> F::Output {
    tokio::time::timeout(WAIT, future).await.expect("timed out waiting")
}

/// Polls `check` every 20 ms until it returns `Some`, failing after [`WAIT`].
pub async fn wait_for<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A connection that speaks JSON lines directly.
pub struct Raw {
    reader: BufReader<OwnedReadHalf>,
    writer: OwnedWriteHalf,
    next_id: i64,
}

impl Raw {
    /// Sends bytes followed by `\n` (write errors are ignored: the service may hang up).
    pub async fn send_line(&mut self, bytes: &[u8]) {
        let _ = self.writer.write_all(bytes).await;
        let _ = self.writer.write_all(b"\n").await;
    }

    /// Whether the service still takes lines: sends a notification nobody
    /// answers (an unknown method) and reports whether the write went through.
    pub async fn is_open(&mut self) -> bool {
        let probe = b"{\"jsonrpc\":\"2.0\",\"method\":\"probe\"}\n";
        self.writer.write_all(probe).await.is_ok()
    }

    /// Closes the writing half (the service reads the end of the stream); replies still arrive.
    pub async fn shutdown_write(&mut self) {
        let _ = self.writer.shutdown().await;
    }

    /// Sends a JSON value as one line.
    pub async fn send(&mut self, message: &Value) {
        self.send_line(message.to_string().as_bytes()).await;
    }

    /// The next message; `None` when the service closed the connection.
    pub async fn recv(&mut self) -> Option<Value> {
        let mut line = String::new();
        match within(self.reader.read_line(&mut line)).await {
            Ok(0) | Err(_) => None,
            Ok(_) => Some(serde_json::from_str(&line).expect("the service sent JSON")),
        }
    }

    /// Sends a request and returns its response; messages in between (callbacks,
    /// notifications) are returned too, in order.
    pub async fn call_collect(&mut self, method: &str, params: Value) -> (Value, Vec<Value>) {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})).await;
        let mut others = Vec::new();
        loop {
            let message = self.recv().await.expect("the connection closed");
            if message["id"] == json!(id) && message.get("method").is_none() {
                return (message, others);
            }
            others.push(message);
        }
    }

    /// Sends a request and returns its response.
    pub async fn call(&mut self, method: &str, params: Value) -> Value {
        self.call_collect(method, params).await.0
    }

    /// Sends a request and returns its `result`, failing on an error reply.
    pub async fn ok(&mut self, method: &str, params: Value) -> Value {
        let reply = self.call(method, params).await;
        assert!(reply.get("error").is_none(), "{method} failed: {reply}");
        reply["result"].clone()
    }

    /// `hello` with protocol 1.
    pub async fn hello(&mut self) -> Value {
        self.ok("hello", json!({"protocol": 1, "client": "raw-test"})).await
    }
}
