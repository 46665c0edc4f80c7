//! The service as a whole: options of one download and global ones (and
//! their effect), `getGlobalStat`, `getVersion`, `getSessionInfo`,
//! `saveSession`, the `system.list…` methods, what Haul does not support,
//! and `shutdown`.

use crate::client::*;
use crate::common::{job_json, wait_until};
use crate::control::{add_slow, slow_server};
use serde_json::{Value, json};
use std::time::Duration;

/// What issue #13 asks the endpoint to answer.
const REQUIRED_METHODS: [&str; 33] = [
    "aria2.addUri",
    "aria2.addTorrent",
    "aria2.addMetalink",
    "aria2.remove",
    "aria2.forceRemove",
    "aria2.pause",
    "aria2.pauseAll",
    "aria2.forcePause",
    "aria2.forcePauseAll",
    "aria2.unpause",
    "aria2.unpauseAll",
    "aria2.tellStatus",
    "aria2.getUris",
    "aria2.getFiles",
    "aria2.getServers",
    "aria2.tellActive",
    "aria2.tellWaiting",
    "aria2.tellStopped",
    "aria2.getOption",
    "aria2.changeOption",
    "aria2.getGlobalOption",
    "aria2.changeGlobalOption",
    "aria2.purgeDownloadResult",
    "aria2.removeDownloadResult",
    "aria2.changePosition",
    "aria2.getVersion",
    "aria2.getSessionInfo",
    "aria2.shutdown",
    "aria2.getGlobalStat",
    "aria2.saveSession",
    "system.multicall",
    "system.listMethods",
    "system.listNotifications",
];

#[test]
fn global_options_limit_the_queue_and_the_stats_count_it() {
    let server = slow_server();
    for transport in TRANSPORTS {
        let ep = Endpoint::start();
        let mut rpc = ep.client(transport);
        let global = rpc.ok("aria2.getGlobalOption", json!([]));
        for key in ["max-concurrent-downloads", "max-overall-download-limit"] {
            assert!(is_number_string(&global[key]), "{transport:?} {key}: {global}");
        }
        let change = json!([{"max-overall-download-limit": "1M", "max-concurrent-downloads": "1"}]);
        assert_eq!(rpc.ok("aria2.changeGlobalOption", change), json!("OK"));
        let global = rpc.ok("aria2.getGlobalOption", json!([]));
        assert_eq!(global["max-overall-download-limit"], (1 << 20).to_string(), "{global}");
        assert_eq!(global["max-concurrent-downloads"], "1", "{global}");
        let zero = json!([{"max-concurrent-downloads": "0"}]);
        assert_eq!(rpc.fails("aria2.changeGlobalOption", zero).code, 1, "at least one download runs");

        let a = add_slow(&mut rpc, &ep, &server, "a.bin");
        rpc.wait_status(&a, "active", DOWNLOAD_TIMEOUT);
        let b = add_slow(&mut rpc, &ep, &server, "b.bin");
        assert_eq!(rpc.ok("aria2.tellStatus", json!([b]))["status"], "waiting", "{transport:?}: one at a time");
        let stat = rpc.ok("aria2.getGlobalStat", json!([]));
        assert_eq!((&stat["numActive"], &stat["numWaiting"]), (&json!("1"), &json!("1")), "{stat}");
        assert_eq!((&stat["numStopped"], &stat["numStoppedTotal"]), (&json!("0"), &json!("0")), "{stat}");
        for key in ["downloadSpeed", "uploadSpeed"] {
            assert!(is_number_string(&stat[key]), "{key}: {stat}");
        }
        rpc.ok("aria2.changeGlobalOption", json!([{"max-concurrent-downloads": "2"}]));
        rpc.wait_status(&b, "active", DOWNLOAD_TIMEOUT);
        rpc.ok("aria2.remove", json!([a]));
        let stat = rpc.ok("aria2.getGlobalStat", json!([]));
        assert_eq!((&stat["numActive"], &stat["numStopped"]), (&json!("1"), &json!("1")), "{stat}");

        assert_eq!(rpc.ok("aria2.changeOption", json!([b, {"max-download-limit": "20K"}])), json!("OK"));
        let options = rpc.ok("aria2.getOption", json!([b]));
        assert_eq!(options["max-download-limit"], (20 << 10).to_string(), "{transport:?}: {options}");
        let refused = json!([b, {"max-download-limit": "fast"}]);
        assert_eq!(rpc.fails("aria2.changeOption", refused).code, 1);
        ep.assert_no_panic();
    }
}

/// The job `gid` names, as `haul --json info` shows it (the GID is the low
/// 64 bits of the job id).
fn job_of(ep: &Endpoint, gid: &str) -> Value {
    let list = ep.world.haul().args(["--json", "list", "--all"]).output().expect("list");
    let jobs: Value = serde_json::from_slice(&list.stdout).unwrap_or(Value::Null);
    let found = jobs.as_array().into_iter().flatten().find_map(|job| {
        let id = job["id"].as_str()?.replace('-', "");
        id.ends_with(gid).then(|| job["id"].as_str().unwrap_or_default().to_owned())
    });
    let id = found.unwrap_or_else(|| panic!("no job has the GID {gid}: {jobs}"));
    job_json(&ep.world, &id)
}

#[test]
fn haul_cost_sets_reads_and_changes_the_jobs_cost_policy() {
    let server = slow_server();
    let ep = Endpoint::start();
    for transport in TRANSPORTS {
        let mut rpc = ep.client(transport);
        let options =
            json!({"dir": ep.dir(), "out": format!("cost-{transport:?}.bin"), "haul-cost": "any", "pause": "true"});
        let gid = rpc.ok("aria2.addUri", json!([[server.url("/slow.bin")], options]));
        let gid = gid.as_str().unwrap_or_default().to_owned();
        assert_eq!(rpc.ok("aria2.getOption", json!([gid]))["haul-cost"], "any", "{transport:?}");
        assert_eq!(job_of(&ep, &gid)["cost_policy"], "any", "{transport:?}");

        assert_eq!(rpc.ok("aria2.changeOption", json!([gid, {"haul-cost": "unmetered"}])), json!("OK"));
        assert_eq!(rpc.ok("aria2.getOption", json!([gid]))["haul-cost"], "unmetered", "{transport:?}");
        assert_eq!(job_of(&ep, &gid)["cost_policy"], "unmetered", "{transport:?}");

        let bad = rpc.fails("aria2.changeOption", json!([gid, {"haul-cost": "free"}]));
        assert!(bad.message.contains("haul-cost"), "{transport:?}: {bad:?}");
        let bad = rpc.fails("aria2.addUri", json!([[server.url("/slow.bin")], {"dir": ep.dir(), "haul-cost": ""}]));
        assert!(bad.message.contains("haul-cost"), "{transport:?}: {bad:?}");
        assert_eq!(job_of(&ep, &gid)["cost_policy"], "unmetered", "a refused change changes nothing");
        ep.assert_no_panic();
    }
}

#[test]
fn version_session_and_the_method_lists_answer_as_aria2s() {
    for transport in TRANSPORTS {
        let ep = Endpoint::start();
        let mut rpc = ep.client(transport);
        let version = rpc.ok("aria2.getVersion", json!([]));
        assert_eq!(version["version"], "1.37.0", "{version}");
        assert!(version["enabledFeatures"].as_array().is_some_and(|f| f.iter().all(|x| x.is_string())), "{version}");
        let session = rpc.ok("aria2.getSessionInfo", json!([]));
        let id = session["sessionId"].as_str().unwrap_or_default();
        assert!(!id.is_empty() && id.bytes().all(|b| b.is_ascii_hexdigit()), "{session}");
        assert_eq!(rpc.ok("aria2.getSessionInfo", json!([])), session, "one session while the service runs");
        assert_eq!(rpc.ok("aria2.saveSession", json!([])), json!("OK"));

        let methods = rpc.ok("system.listMethods", json!([]));
        for method in REQUIRED_METHODS {
            assert!(methods.as_array().is_some_and(|m| m.contains(&json!(method))), "{method} not in {methods}");
        }
        let notifications = rpc.ok("system.listNotifications", json!([]));
        for name in ["Start", "Pause", "Stop", "Complete", "Error"] {
            let name = format!("aria2.onDownload{name}");
            assert!(notifications.as_array().is_some_and(|n| n.contains(&json!(name))), "{notifications}");
        }

        for (method, params) in [
            ("aria2.addTorrent", json!(["ZDg6YW5ub3VuY2U="])),
            ("aria2.addMetalink", json!(["PG1ldGFsaW5rLz4="])),
            ("aria2.getPeers", json!(["0123456789abcdef"])),
            ("aria2.changeUri", json!(["0123456789abcdef", 1, [], []])),
        ] {
            let refused = rpc.fails(method, params);
            assert_eq!(refused.code, 1, "{method}: {refused:?}");
            assert!(refused.message.contains("not supported"), "{method}: {refused:?}");
        }
        let unknown = rpc.fails("aria2.noSuchMethod", json!([]));
        assert!(unknown.message.contains("No such method"), "{unknown:?}");
        ep.assert_no_panic();
    }
}

#[test]
fn shutdown_stops_the_service() {
    for (transport, method) in [(Transport::Http, "aria2.shutdown"), (Transport::WebSocket, "aria2.forceShutdown")] {
        let mut ep = Endpoint::start();
        let mut rpc = ep.client(transport);
        assert_eq!(rpc.ok(method, json!([])), json!("OK"), "{transport:?}");
        let service = ep.world.service.as_mut().expect("the service child");
        let exited = wait_until(Duration::from_secs(30), || matches!(service.try_wait(), Ok(Some(_))));
        assert!(exited, "{transport:?}: {method} answered OK but the service still runs");
        ep.assert_no_panic();
    }
}
