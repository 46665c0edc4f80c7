//! Several calls in one message: a JSON-RPC batch (an array of calls, each
//! answered by its id) and `system.multicall`, each call with its own secret
//! so one wrong secret fails only its own call.

use crate::client::*;
use serde_json::{Value, json};

fn by_id(replies: &Value, id: i64) -> &Value {
    replies
        .as_array()
        .and_then(|r| r.iter().find(|reply| reply["id"] == json!(id)))
        .unwrap_or_else(|| panic!("no answer with id {id} in {replies}"))
}

#[test]
fn a_batch_answers_each_call_and_only_the_wrong_secret_is_unauthorized() {
    for transport in TRANSPORTS {
        let ep = Endpoint::start();
        let mut rpc = ep.client(transport);
        let token = ep.token();
        let batch = json!([
            {"jsonrpc": "2.0", "id": 1, "method": "aria2.getVersion", "params": [token]},
            {"jsonrpc": "2.0", "id": 2, "method": "aria2.tellActive", "params": ["token:wrong"]},
            {"jsonrpc": "2.0", "id": 3, "method": "system.listMethods", "params": []},
            {"jsonrpc": "2.0", "id": 4, "method": "aria2.addUri",
             "params": [token, ["http://127.0.0.1:9/b.bin"], {"dir": ep.dir(), "pause": "true"}]},
            {"jsonrpc": "2.0", "id": 5, "method": "aria2.noSuchMethod", "params": [token]},
        ]);
        let replies = rpc.send(&batch);
        assert_eq!(replies.as_array().map(Vec::len), Some(5), "{transport:?}: {replies}");
        assert_eq!(by_id(&replies, 1)["result"]["version"], "1.37.0", "{replies}");
        assert_eq!(by_id(&replies, 2)["error"], json!({"code": 1, "message": "Unauthorized"}), "{replies}");
        assert!(by_id(&replies, 3)["result"].is_array(), "{replies}");
        let gid = &by_id(&replies, 4)["result"];
        assert!(is_gid(gid), "{replies}");
        assert_eq!(by_id(&replies, 5)["error"]["code"], 1, "{replies}");
        assert_eq!(rpc.ok("aria2.tellStatus", json!([gid]))["status"], "paused", "the batch's add happened");

        let empty = rpc.send(&json!([]));
        assert_eq!(empty["error"]["code"], -32600, "{transport:?}: an empty batch: {empty}");
        let not_a_call = rpc.send(&json!([42]));
        assert_eq!(not_a_call[0]["error"]["code"], -32600, "{transport:?}: {not_a_call}");
        ep.assert_no_panic();
    }
}

#[test]
fn multicall_runs_each_call_with_its_own_secret() {
    for transport in TRANSPORTS {
        let ep = Endpoint::start();
        let mut rpc = ep.client(transport);
        let token = ep.token();
        let calls = json!([[
            {"methodName": "aria2.getVersion", "params": [token]},
            {"methodName": "aria2.getGlobalStat", "params": ["token:wrong"]},
            {"methodName": "system.listNotifications", "params": []},
            {"methodName": "aria2.addUri", "params": [token, ["http://127.0.0.1:9/m.bin"], {"dir": ep.dir(), "pause": "true"}]},
            {"methodName": "aria2.getGlobalStat"},
            {"methodName": "system.multicall", "params": [[]]},
        ]]);
        let results = rpc.ok("system.multicall", calls);
        let results = results.as_array().unwrap_or_else(|| panic!("{transport:?}: not an array: {results}"));
        assert_eq!(results.len(), 6, "{transport:?}: {results:?}");
        assert_eq!(results[0][0]["version"], "1.37.0", "a result is wrapped in an array: {results:?}");
        assert_eq!(results[1], json!({"code": 1, "message": "Unauthorized"}), "{results:?}");
        assert!(results[2][0].as_array().is_some_and(|n| !n.is_empty()), "{results:?}");
        assert!(is_gid(&results[3][0]), "{results:?}");
        assert_eq!(results[4], json!({"code": 1, "message": "Unauthorized"}), "no token at all: {results:?}");
        assert_eq!(results[5]["code"], 1, "multicall cannot nest: {results:?}");
        let stat = rpc.ok("aria2.getGlobalStat", json!([]));
        assert_eq!(stat["numWaiting"], "1", "the multicall's add happened: {stat}");

        let malformed = rpc.fails("system.multicall", json!(["not a list"]));
        assert_eq!(malformed.code, 1, "{malformed:?}");
        ep.assert_no_panic();
    }
}
