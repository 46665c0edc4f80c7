//! The endpoint's network side: the listener (TCP, TLS by rustls when given a
//! certificate), a bound on connections, and per connection HTTP/1.1 with
//! `POST /jsonrpc` (single calls and batches), `GET /jsonrpc` upgraded to a
//! WebSocket, and CORS as aria2 answers it.

use super::front::Front;
use super::{Aria2Error, RpcOptions, notices};
use crate::model::Caller;
use axum::body::Body;
use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Extension, Router};
use http_body_util::BodyExt;
use hyper::service::Service as _;
use hyper_util::rt::{TokioIo, TokioTimer};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// Connections (HTTP and WebSocket) served at once; more are closed at once.
pub const MAX_CONNECTIONS: usize = 256;
/// The largest request body or WebSocket message, in bytes.
pub const MAX_BODY: usize = 8 << 20;
/// A request's headers and body must arrive within this time.
const READ_TIMEOUT: Duration = Duration::from_secs(10);
/// A wrong or missing secret is answered this late, so guessing is slow.
const UNAUTHORIZED_DELAY: Duration = Duration::from_secs(1);

/// Serves until `stop`; the listener is already bound.
pub(super) async fn serve(front: Arc<Front>, listener: TcpListener, tls: Option<tokio_rustls::TlsAcceptor>) {
    let live = Arc::new(AtomicUsize::new(0));
    let router =
        Router::new().route("/jsonrpc", post(http_call).get(websocket).options(preflight)).with_state(front.clone());
    let stop = front.stop.clone();
    loop {
        let (stream, peer) = tokio::select! {
            _ = stop.cancelled() => return,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    tracing::warn!("aria2 endpoint: cannot accept a connection: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        if live.fetch_add(1, Ordering::Relaxed) >= MAX_CONNECTIONS {
            live.fetch_sub(1, Ordering::Relaxed);
            tracing::debug!("aria2 endpoint: refusing {peer}: {MAX_CONNECTIONS} connections are open");
            continue;
        }
        let slot = Arc::new(Slot(live.clone()));
        let (router, stop, tls) = (router.clone(), stop.clone(), tls.clone());
        tokio::spawn(async move {
            let served = match tls {
                Some(acceptor) => match tokio::time::timeout(READ_TIMEOUT, acceptor.accept(stream)).await {
                    Ok(Ok(stream)) => connection(TokioIo::new(stream), router, slot, stop).await,
                    Ok(Err(e)) => Err(format!("TLS handshake failed: {e}")),
                    Err(_) => Err("TLS handshake timed out".into()),
                },
                None => connection(TokioIo::new(stream), router, slot, stop).await,
            };
            if let Err(e) = served {
                tracing::debug!("aria2 endpoint: connection from {peer}: {e}");
            }
        });
    }
}

/// A connection's place among the [`MAX_CONNECTIONS`], given back when its
/// last holder drops it. A WebSocket's session holds one too: hyper ends a
/// connection's future as soon as it is upgraded, so counting only that
/// future let any number of WebSockets stay open.
struct Slot(Arc<AtomicUsize>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// One HTTP/1.1 connection, with upgrades for WebSockets, until it ends or
/// `stop`. Each request carries the connection's slot, for an upgrade to keep.
async fn connection<I>(io: TokioIo<I>, router: Router, slot: Arc<Slot>, stop: CancellationToken) -> Result<(), String>
where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let router = hyper_util::service::TowerToHyperService::new(router);
    let service = hyper::service::service_fn(move |mut request: hyper::Request<hyper::body::Incoming>| {
        request.extensions_mut().insert(slot.clone());
        router.call(request)
    });
    let conn = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(READ_TIMEOUT)
        .serve_connection(io, service)
        .with_upgrades();
    tokio::pin!(conn);
    tokio::select! {
        served = conn.as_mut() => served.map_err(|e| e.to_string()),
        _ = stop.cancelled() => {
            conn.as_mut().graceful_shutdown();
            Ok(())
        }
    }
}

/// CORS as aria2 sends it: any origin (the secret is the fence, not the origin).
fn cors(headers: &mut HeaderMap) {
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
}

async fn preflight(request_headers: HeaderMap) -> Response {
    let mut response = StatusCode::OK.into_response();
    let headers = response.headers_mut();
    cors(headers);
    headers.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("POST, GET, OPTIONS"));
    let asked = request_headers.get(header::ACCESS_CONTROL_REQUEST_HEADERS).cloned();
    headers.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, asked.unwrap_or(HeaderValue::from_static("Content-Type")));
    headers.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("1728000"));
    response
}

fn json_response(status: StatusCode, body: &Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json-rpc"));
    cors(headers);
    response
}

async fn http_call(State(front): State<Arc<Front>>, body: Body) -> Response {
    let limited = http_body_util::Limited::new(body, MAX_BODY);
    let bytes = match tokio::time::timeout(READ_TIMEOUT, limited.collect()).await {
        Ok(Ok(collected)) => collected.to_bytes(),
        Ok(Err(e)) => {
            let error =
                Aria2Error::with_code(-32600, format!("the request body is unreadable or over {MAX_BODY} bytes: {e}"));
            return json_response(StatusCode::PAYLOAD_TOO_LARGE, &error.response(Value::Null));
        }
        Err(_) => {
            let error = Aria2Error::with_code(-32600, "the request body did not arrive in time");
            return json_response(StatusCode::REQUEST_TIMEOUT, &error.response(Value::Null));
        }
    };
    let (reply, _, unauthorized) = answer(&front, &bytes).await;
    if unauthorized {
        tokio::time::sleep(UNAUTHORIZED_DELAY).await;
    }
    json_response(StatusCode::OK, &reply)
}

/// Answers one message (a call or a batch): the reply, the caller a secret
/// named, and whether a secret was wrong. The calls run inline, as the
/// socket's do: the job manager's methods are quick and never await.
async fn answer(front: &Arc<Front>, bytes: &[u8]) -> (Value, Option<Caller>, bool) {
    let message: Value = match serde_json::from_slice(bytes) {
        Ok(message) => message,
        Err(e) => {
            return (Aria2Error::with_code(-32700, format!("Parse error: {e}")).response(Value::Null), None, false);
        }
    };
    match message {
        Value::Array(calls) if calls.is_empty() => {
            (Aria2Error::with_code(-32600, "Invalid Request: an empty batch").response(Value::Null), None, false)
        }
        Value::Array(calls) => {
            let mut caller = None;
            let mut unauthorized = false;
            let replies: Vec<Value> = calls
                .into_iter()
                .map(|call| {
                    let (reply, who, bad) = one(front, call);
                    caller = caller.or(who);
                    unauthorized |= bad;
                    reply
                })
                .collect();
            (Value::Array(replies), caller, unauthorized)
        }
        call => one(front, call),
    }
}

fn one(front: &Front, call: Value) -> (Value, Option<Caller>, bool) {
    let Value::Object(mut call) = call else {
        return (Aria2Error::with_code(-32600, "Invalid Request").response(Value::Null), None, false);
    };
    let id = call.remove("id").unwrap_or(Value::Null);
    let Some(Value::String(method)) = call.remove("method") else {
        return (Aria2Error::with_code(-32600, "Invalid Request: no method").response(id), None, false);
    };
    let (result, caller) = front.call(&method, call.remove("params").unwrap_or(Value::Null));
    match result {
        Ok(result) => (json!({"jsonrpc": "2.0", "id": id, "result": result}), caller, false),
        Err(e) => {
            let unauthorized = e.is_unauthorized();
            if !unauthorized {
                tracing::debug!("aria2 {method}: {}", e.message);
            }
            (e.response(id), caller, unauthorized)
        }
    }
}

async fn websocket(
    State(front): State<Arc<Front>>,
    Extension(slot): Extension<Arc<Slot>>,
    upgrade: WebSocketUpgrade,
) -> Response {
    let mut response = upgrade
        .max_message_size(MAX_BODY)
        .on_upgrade(move |socket| async move {
            websocket_session(front, socket).await;
            drop(slot);
        })
        .into_response();
    cors(response.headers_mut());
    response
}

/// One WebSocket: calls in, replies and (once a call's secret named a user)
/// that user's notifications out.
async fn websocket_session(front: Arc<Front>, mut socket: WebSocket) {
    let mut events = front.manager.subscribe();
    let mut caller: Option<Caller> = None;
    loop {
        tokio::select! {
            _ = front.stop.cancelled() => break,
            message = socket.recv() => {
                let bytes = match message {
                    Some(Ok(Message::Text(text))) => text.as_str().as_bytes().to_vec(),
                    Some(Ok(Message::Binary(bytes))) => bytes.to_vec(),
                    Some(Ok(Message::Close(_))) | None => break,
                    Some(Ok(_)) => continue,
                    Some(Err(e)) => {
                        tracing::debug!("aria2 endpoint: a WebSocket failed: {e}");
                        break;
                    }
                };
                let (reply, who, unauthorized) = answer(&front, &bytes).await;
                caller = caller.or(who);
                if unauthorized {
                    tokio::time::sleep(UNAUTHORIZED_DELAY).await;
                }
                if socket.send(Message::Text(reply.to_string().into())).await.is_err() {
                    break;
                }
            }
            event = events.recv() => {
                let event = match event {
                    Ok(event) => event,
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                        tracing::debug!("aria2 endpoint: a WebSocket missed {n} events");
                        continue;
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
                };
                let Some(who) = caller else { continue };
                if let Some(notice) = notices::notification(&who, &event)
                    && socket.send(Message::Text(notice.to_string().into())).await.is_err()
                {
                    break;
                }
            }
        }
    }
}

/// Binds the listener as the options say, refusing an address beyond this
/// machine without TLS unless `insecure`.
pub(super) async fn bind(options: &RpcOptions) -> Result<(TcpListener, Option<tokio_rustls::TlsAcceptor>), String> {
    let Some(addr) = options.listen else { return Err("turned off".into()) };
    let tls = match (&options.certificate, &options.private_key) {
        (Some(cert), Some(key)) => Some(super::tls::acceptor(cert, key)?),
        (None, None) => None,
        _ => return Err("--rpc-certificate and --rpc-private-key go together".into()),
    };
    if !addr.ip().is_loopback() && tls.is_none() && !options.insecure {
        return Err(format!(
            "{addr} is reachable from other machines: give --rpc-certificate and --rpc-private-key (TLS), or --rpc-insecure"
        ));
    }
    let listener = TcpListener::bind(addr).await.map_err(|e| match e.kind() {
        std::io::ErrorKind::AddrInUse => format!("the port {} is in use on {}", addr.port(), addr.ip()),
        _ => format!("cannot listen on {addr}: {e}"),
    })?;
    Ok((listener, tls))
}
