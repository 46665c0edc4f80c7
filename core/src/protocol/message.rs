//! Incoming messages (requests, notifications, responses) and outgoing lines.

use super::RpcError;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use std::fmt;

/// A request id: an integer or a string (JSON-RPC allows both).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Id {
    /// An integer id.
    Number(i64),
    /// A string id.
    String(String),
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Id::Number(n) => n.fmt(f),
            Id::String(s) => s.fmt(f),
        }
    }
}

/// A request (with an id) or a notification (without).
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    /// `None` for a notification, which gets no reply.
    pub id: Option<Id>,
    /// The method name.
    pub method: String,
    /// The params; an absent or null `params` is an empty object.
    pub params: Value,
}

/// A reply to a request we sent.
#[derive(Clone, Debug, PartialEq)]
pub struct Response {
    /// The id of our request; `None` when the peer could not read it.
    pub id: Option<Id>,
    /// `result` or `error`.
    pub outcome: Result<Value, RpcError>,
}

/// Any well-formed message.
#[derive(Clone, Debug, PartialEq)]
pub enum Message {
    /// A request or a notification.
    Request(Request),
    /// A response.
    Response(Response),
}

/// A line that is not a valid message: the error to reply with, and the id
/// when one could be read.
#[derive(Clone, Debug, PartialEq)]
pub struct Invalid {
    /// The id to reply to (`null` when unknown).
    pub id: Option<Id>,
    /// The error to reply with.
    pub error: RpcError,
}

impl Message {
    /// Parses one line (without its `\n`).
    pub fn parse(line: &[u8]) -> Result<Message, Invalid> {
        let invalid = |id: Option<Id>, error: RpcError| Invalid { id, error };
        let text = std::str::from_utf8(line)
            .map_err(|e| invalid(None, RpcError::parse_error(format!("the message is not valid UTF-8: {e}"))))?;
        let value: Value = serde_json::from_str(text)
            .map_err(|e| invalid(None, RpcError::parse_error(format!("the message is not valid JSON: {e}"))))?;
        let mut object = match value {
            Value::Object(object) => object,
            Value::Array(_) => {
                return Err(invalid(
                    None,
                    RpcError::invalid_request("batches are not supported; send one message per line"),
                ));
            }
            _ => {
                return Err(invalid(None, RpcError::invalid_request("a message must be a JSON object")));
            }
        };
        let id = match object.remove("id") {
            None => None,
            Some(raw) => Some(parse_id(raw).map_err(|e| invalid(None, e))?),
        };
        if object.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
            return Err(invalid(id, RpcError::invalid_request("the message lacks \"jsonrpc\": \"2.0\"")));
        }
        if let Some(method) = object.remove("method") {
            return parse_request(id, method, object.remove("params"));
        }
        parse_response(id, &mut object)
    }
}

fn parse_id(raw: Value) -> Result<Id, RpcError> {
    let not_an_id = || RpcError::invalid_request("the id must be a string or an integer");
    match raw {
        Value::String(s) => Ok(Id::String(s)),
        Value::Number(n) => n.as_i64().map(Id::Number).ok_or_else(not_an_id),
        _ => Err(not_an_id()),
    }
}

fn parse_request(id: Option<Id>, method: Value, params: Option<Value>) -> Result<Message, Invalid> {
    let Value::String(method) = method else {
        return Err(Invalid { id, error: RpcError::invalid_request("the method must be a string") });
    };
    let params = match params {
        None | Some(Value::Null) => Value::Object(Map::new()),
        Some(p @ (Value::Object(_) | Value::Array(_))) => p,
        Some(_) => {
            return Err(Invalid { id, error: RpcError::invalid_request("params must be an object") });
        }
    };
    Ok(Message::Request(Request { id, method, params }))
}

fn parse_response(id: Option<Id>, object: &mut Map<String, Value>) -> Result<Message, Invalid> {
    let outcome = match (object.remove("result"), object.remove("error")) {
        (Some(result), None) => Ok(result),
        (None, Some(error)) => Err(serde_json::from_value::<RpcError>(error).map_err(|e| Invalid {
            id: id.clone(),
            error: RpcError::invalid_request(format!("the error object is malformed: {e}")),
        })?),
        _ => {
            return Err(Invalid {
                id,
                error: RpcError::invalid_request(
                    "a message needs a method (a request) or exactly one of result and error (a response)",
                ),
            });
        }
    };
    Ok(Message::Response(Response { id, outcome }))
}

/// A request line (without `\n`).
pub fn encode_request(id: &Id, method: &str, params: Value) -> String {
    json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}).to_string()
}

/// A notification line (without `\n`).
pub fn encode_notification(method: &str, params: Value) -> String {
    json!({"jsonrpc": "2.0", "method": method, "params": params}).to_string()
}

/// A success reply line (without `\n`).
pub fn encode_result(id: &Id, result: Value) -> String {
    json!({"jsonrpc": "2.0", "id": id, "result": result}).to_string()
}

/// Writes the start of a success reply line whose result follows as text:
/// the line is this, the result's JSON, then [`RESULT_TAIL`] (a long list
/// goes out in pieces as it is written, with no `Value` tree and no whole copy).
pub fn result_head(out: &mut Vec<u8>, id: &Id) -> serde_json::Result<()> {
    out.extend_from_slice(br#"{"jsonrpc":"2.0","id":"#);
    serde_json::to_writer(&mut *out, id)?;
    out.extend_from_slice(br#","result":"#);
    Ok(())
}

/// The end of a line begun with [`result_head`].
pub const RESULT_TAIL: &[u8] = b"}";

/// An error reply line (without `\n`); `id` is `null` when unknown.
pub fn encode_error(id: Option<&Id>, error: &RpcError) -> String {
    json!({"jsonrpc": "2.0", "id": id, "error": error}).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::code;

    fn parse(text: &str) -> Result<Message, Invalid> {
        Message::parse(text.as_bytes())
    }

    #[test]
    fn requests_notifications_and_responses() {
        let Ok(Message::Request(r)) = parse(r#"{"jsonrpc":"2.0","id":7,"method":"hello"}"#) else {
            panic!("not a request");
        };
        assert_eq!((r.id, r.method.as_str()), (Some(Id::Number(7)), "hello"));
        assert_eq!(r.params, json!({}));
        let Ok(Message::Request(n)) = parse(r#"{"jsonrpc":"2.0","method":"x","params":{"a":1}}"#) else {
            panic!("not a notification");
        };
        assert_eq!(n.id, None);
        let Ok(Message::Response(ok)) = parse(r#"{"jsonrpc":"2.0","id":"a","result":{}}"#) else {
            panic!("not a response");
        };
        assert_eq!(ok.outcome, Ok(json!({})));
        let line = r#"{"jsonrpc":"2.0","id":3,"error":{"code":1,"message":"m","data":{"kind":"not_found"}}}"#;
        let Ok(Message::Response(err)) = parse(line) else {
            panic!("not a response");
        };
        assert_eq!(err.outcome.map_err(|e| e.kind().to_string()), Err("not_found".into()));
    }

    #[test]
    fn a_result_given_as_text_reads_as_the_same_reply() {
        for id in [Id::Number(7), Id::String("a \"quoted\" id".into())] {
            let result = json!([{"id": "x", "name": "ü \" \\"}, 2]);
            let mut line = Vec::new();
            result_head(&mut line, &id).expect("encoded");
            serde_json::to_writer(&mut line, &result).expect("encoded");
            line.extend_from_slice(RESULT_TAIL);
            let line = String::from_utf8(line).expect("utf-8");
            let Ok(Message::Response(reply)) = parse(&line) else { panic!("not a response: {line}") };
            assert_eq!((reply.id, reply.outcome), (Some(id.clone()), Ok(result.clone())));
            assert_eq!(parse(&line).ok(), parse(&encode_result(&id, result)).ok());
        }
    }

    #[test]
    fn malformed_lines_get_the_right_codes() {
        let cases = [
            ("{nope", code::PARSE_ERROR),
            ("[]", code::INVALID_REQUEST),
            ("5", code::INVALID_REQUEST),
            (r#"{"id":1,"method":"hello"}"#, code::INVALID_REQUEST),
            (r#"{"jsonrpc":"2.0","id":1.5,"method":"hello"}"#, code::INVALID_REQUEST),
            (r#"{"jsonrpc":"2.0","id":1,"method":5}"#, code::INVALID_REQUEST),
            (r#"{"jsonrpc":"2.0","id":1,"method":"a","params":3}"#, code::INVALID_REQUEST),
            (r#"{"jsonrpc":"2.0","id":1}"#, code::INVALID_REQUEST),
        ];
        for (line, expected) in cases {
            let got = parse(line).map(|_| ()).map_err(|e| e.error.code);
            assert_eq!(got, Err(expected), "{line}");
        }
        let bad_utf8 = Message::parse(b"{\"a\":\"\xff\"}").map_err(|e| e.error.code);
        assert_eq!(bad_utf8.map(|_| ()), Err(code::PARSE_ERROR));
    }

    #[test]
    fn an_invalid_request_with_a_readable_id_is_answered_to_that_id() {
        let err = parse(r#"{"jsonrpc":"2.0","id":9,"method":5}"#).map(|_| ());
        assert_eq!(err.map_err(|e| e.id), Err(Some(Id::Number(9))));
    }

    /// A JSON value of any shape, a few levels deep, for the property tests.
    pub(crate) fn any_json() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            "[ -~]{0,12}".prop_map(Value::from),
            Just(Value::from("https://example.com/a.iso")),
            Just(Value::from("00000000-0000-4000-8000-000000000001")),
        ];
        leaf.prop_recursive(3, 24, 6, |inner| {
            let keys = prop_oneof![
                "[a-z_]{1,12}",
                Just("job_id".to_string()),
                Just("remote_url".to_string()),
                Just("local_name".to_string()),
                Just("custom_headers".to_string()),
                Just("schedule".to_string()),
                Just("method".to_string()),
                Just("params".to_string()),
                Just("id".to_string()),
            ];
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
                proptest::collection::btree_map(keys, inner, 0..6).prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    /// Any bytes, and any JSON, on the socket: an answer (a message or a
    /// named error), never a panic; and every method's params read from any
    /// JSON give a value or an error that names the problem.
    #[test]
    fn any_frame_or_params_get_an_answer() {
        use crate::protocol::*;
        use proptest::prelude::*;
        crate::props::check(proptest::collection::vec(any::<u8>(), 0..200), |bytes| {
            if let Err(invalid) = Message::parse(&bytes) {
                prop_assert!(!invalid.error.message.is_empty());
            }
            Ok(())
        });
        crate::props::check(any_json(), |value| {
            let line = serde_json::to_vec(&value).expect("json");
            let _ = Message::parse(&line);
            let framed = serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "add_file", "params": value});
            let _ = Message::parse(&serde_json::to_vec(&framed).expect("json"));
            fn named<T: serde::de::DeserializeOwned>(value: &Value) -> Result<(), TestCaseError> {
                if let Err(e) = parse_params::<T>(value.clone()) {
                    prop_assert!(!e.message.is_empty());
                }
                Ok(())
            }
            named::<CreateJobParams>(&value)?;
            named::<AddFileParams>(&value)?;
            named::<EnumJobsParams>(&value)?;
            named::<EventsSinceParams>(&value)?;
            named::<Limits>(&value)?;
            named::<MoveJobParams>(&value)?;
            named::<SetRemoteNameParams>(&value)?;
            named::<ProbeUrl>(&value)?;
            named::<OpenAddDialog>(&value)?;
            if let Err(e) = parse_set_job(value.clone()) {
                prop_assert!(!e.message.is_empty());
            }
            Ok(())
        });
    }
}
