//! Controlling downloads: `tellActive`, `getServers`, pause, forcePause,
//! pauseAll, forcePauseAll, unpause, unpauseAll, remove, forceRemove,
//! removeDownloadResult and purgeDownloadResult, checked by the status words.

use crate::client::*;
use haul_tests::server::{Route, TestServer, random_bytes};
use serde_json::{Value, json};

/// A server whose `/slow.bin` stays mid-transfer for minutes.
pub fn slow_server() -> TestServer {
    let server = TestServer::start();
    server.set_route("/slow.bin", Route::new(random_bytes(8 << 20, 11)).throttle_per_connection(16 << 10));
    server
}

/// Adds `/slow.bin` on one connection as `name`; its GID.
pub fn add_slow(rpc: &mut Rpc, ep: &Endpoint, server: &TestServer, name: &str) -> String {
    let options = json!({"dir": ep.dir(), "out": name, "max-connection-per-server": "1"});
    let gid = rpc.ok("aria2.addUri", json!([[server.url("/slow.bin")], options]));
    gid.as_str().unwrap_or_default().to_owned()
}

fn status_of(rpc: &mut Rpc, gid: &str) -> Value {
    rpc.ok("aria2.tellStatus", json!([gid, ["status"]]))["status"].clone()
}

#[test]
fn pause_unpause_and_the_all_variants_move_downloads_between_active_and_paused() {
    let server = slow_server();
    for transport in TRANSPORTS {
        let ep = Endpoint::start();
        let mut rpc = ep.client(transport);
        let a = add_slow(&mut rpc, &ep, &server, "a.bin");
        let active = rpc.wait_status(&a, "active", DOWNLOAD_TIMEOUT);
        assert_eq!(active["connections"], "1", "{transport:?}: {active}");
        assert_eq!(gids(&rpc.ok("aria2.tellActive", json!([]))), [a.as_str()], "{transport:?}");
        let keyed = rpc.ok("aria2.tellActive", json!([["gid", "status"]]));
        assert_eq!(keyed, json!([{"gid": a, "status": "active"}]), "{transport:?}");
        let servers = rpc.ok("aria2.getServers", json!([a]));
        assert_eq!(servers[0]["index"], "1", "{servers}");
        assert_eq!(servers[0]["servers"][0]["uri"], server.url("/slow.bin"), "{servers}");
        assert!(is_number_string(&servers[0]["servers"][0]["downloadSpeed"]), "{servers}");

        assert_eq!(rpc.ok("aria2.pause", json!([a])), json!(a));
        assert_eq!(status_of(&mut rpc, &a), "paused", "{transport:?}: pause");
        assert_eq!(gids(&rpc.ok("aria2.tellWaiting", json!([0, 10]))), [a.as_str()], "a paused one waits");
        assert_eq!(rpc.fails("aria2.getServers", json!([a])).code, 1, "no servers while paused");
        assert_eq!(rpc.fails("aria2.pause", json!([a])).code, 1, "pausing a paused one");
        assert_eq!(rpc.ok("aria2.unpause", json!([a])), json!(a));
        rpc.wait_status(&a, "active", DOWNLOAD_TIMEOUT);
        assert_eq!(rpc.fails("aria2.unpause", json!([a])).code, 1, "unpausing an active one");
        assert_eq!(rpc.ok("aria2.forcePause", json!([a])), json!(a));
        assert_eq!(status_of(&mut rpc, &a), "paused", "{transport:?}: forcePause");
        rpc.ok("aria2.unpause", json!([a]));

        let b = add_slow(&mut rpc, &ep, &server, "b.bin");
        rpc.wait_status(&b, "active", DOWNLOAD_TIMEOUT);
        rpc.wait_status(&a, "active", DOWNLOAD_TIMEOUT);
        for (pause, unpause) in [("aria2.pauseAll", "aria2.unpauseAll"), ("aria2.forcePauseAll", "aria2.unpauseAll")] {
            assert_eq!(rpc.ok(pause, json!([])), json!("OK"));
            for gid in [&a, &b] {
                assert_eq!(status_of(&mut rpc, gid), "paused", "{transport:?}: {pause}");
            }
            assert_eq!(rpc.ok("aria2.tellActive", json!([])), json!([]), "{pause}");
            assert_eq!(rpc.ok(unpause, json!([])), json!("OK"));
            for gid in [&a, &b] {
                rpc.wait_status(gid, "active", DOWNLOAD_TIMEOUT);
            }
        }
        assert_eq!(rpc.fails("aria2.pause", json!(["0123456789abcdef"])).code, 1, "an unknown GID");
        assert_eq!(rpc.fails("aria2.pause", json!(["not-a-gid"])).code, 1, "a malformed GID");
        ep.assert_no_panic();
    }
}

#[test]
fn remove_and_results_end_downloads_and_forget_them() {
    let server = slow_server();
    server.add_file("/small.bin", random_bytes(50_000, 12));
    for transport in TRANSPORTS {
        let ep = Endpoint::start();
        let mut rpc = ep.client(transport);
        let a = add_slow(&mut rpc, &ep, &server, "a.bin");
        let b = add_slow(&mut rpc, &ep, &server, "b.bin");
        rpc.wait_status(&a, "active", DOWNLOAD_TIMEOUT);
        assert_eq!(rpc.ok("aria2.remove", json!([a])), json!(a));
        assert_eq!(status_of(&mut rpc, &a), "removed", "{transport:?}: remove");
        assert_eq!(rpc.fails("aria2.remove", json!([a])).code, 1, "removing a removed one");
        rpc.ok("aria2.pause", json!([b]));
        assert_eq!(rpc.ok("aria2.forceRemove", json!([b])), json!(b));
        assert_eq!(status_of(&mut rpc, &b), "removed", "{transport:?}: forceRemove of a paused one");
        assert_eq!(rpc.fails("aria2.pause", json!([b])).code, 1, "pausing a removed one");
        assert_eq!(rpc.fails("aria2.unpause", json!([b])).code, 1, "unpausing a removed one");

        let c = rpc.ok("aria2.addUri", json!([[server.url("/small.bin")], {"dir": ep.dir()}]));
        let c = c.as_str().unwrap_or_default().to_owned();
        rpc.wait_status(&c, "complete", DOWNLOAD_TIMEOUT);
        assert!(ep.world.downloads().join("small.bin").exists(), "{transport:?}");
        assert_eq!(gids(&rpc.ok("aria2.tellStopped", json!([0, 10]))), [a.clone(), b.clone(), c.clone()]);
        assert_eq!(rpc.fails("aria2.remove", json!([c])).code, 1, "removing a complete one");

        assert_eq!(rpc.ok("aria2.removeDownloadResult", json!([a])), json!("OK"));
        assert_eq!(rpc.fails("aria2.tellStatus", json!([a])).code, 1, "{transport:?}: a forgotten result");
        assert_eq!(gids(&rpc.ok("aria2.tellStopped", json!([0, 10]))), [b.clone(), c.clone()]);
        let d = add_slow(&mut rpc, &ep, &server, "d.bin");
        assert_eq!(rpc.fails("aria2.removeDownloadResult", json!([d])).code, 1, "an active one has no result");

        assert_eq!(rpc.ok("aria2.purgeDownloadResult", json!([])), json!("OK"));
        assert_eq!(rpc.ok("aria2.tellStopped", json!([0, 10])), json!([]), "{transport:?}: purged");
        for gid in [&b, &c] {
            assert_eq!(rpc.fails("aria2.tellStatus", json!([gid])).code, 1, "{gid} is forgotten");
        }
        assert_ne!(status_of(&mut rpc, &d), "removed", "purging keeps what still runs");
        assert!(ep.world.downloads().join("small.bin").exists(), "forgetting a result keeps its file");
        ep.assert_no_panic();
    }
}
