//! The waiting queue and the stopped list: `tellWaiting` and `tellStopped`
//! with aria2's offset rules (a negative offset counts from the end, newest
//! first), `addUri`'s position, and `changePosition` with its three origins.

use crate::client::*;
use serde_json::json;

/// aria2's pages of a 5-item list: (offset, num, indices of the items).
const PAGES: [(i64, i64, &[usize]); 8] = [
    (0, 2, &[0, 1]),
    (3, 10, &[3, 4]),
    (5, 1, &[]),
    (0, 0, &[]),
    (-1, 1, &[4]),
    (-1, 3, &[4, 3, 2]),
    (-2, 10, &[3, 2, 1, 0]),
    (-6, 2, &[]),
];

fn pick(all: &[String], indices: &[usize]) -> Vec<String> {
    indices.iter().map(|&i| all[i].clone()).collect()
}

/// Adds a paused download (it never connects, so the URL need not exist).
fn add_paused(rpc: &mut Rpc, ep: &Endpoint, name: &str, position: Option<i64>) -> String {
    let mut params = json!([["http://127.0.0.1:9/never.bin"], {"dir": ep.dir(), "out": name, "pause": "true"}]);
    if let (Some(position), Some(list)) = (position, params.as_array_mut()) {
        list.push(json!(position));
    }
    let gid = rpc.ok("aria2.addUri", params);
    assert!(is_gid(&gid), "{gid}");
    gid.as_str().unwrap_or_default().to_owned()
}

#[test]
fn tell_waiting_pages_and_positions_follow_aria2() {
    for transport in TRANSPORTS {
        let ep = Endpoint::start();
        let mut rpc = ep.client(transport);
        let added: Vec<String> = (0..5).map(|i| add_paused(&mut rpc, &ep, &format!("q{i}.bin"), None)).collect();
        let waiting = rpc.ok("aria2.tellWaiting", json!([0, 100]));
        assert_eq!(gids(&waiting), added, "{transport:?}: in the order added");
        for status in waiting.as_array().into_iter().flatten() {
            assert_eq!(status["status"], "paused", "{status}");
        }
        for (offset, num, indices) in PAGES {
            let page = rpc.ok("aria2.tellWaiting", json!([offset, num]));
            assert_eq!(gids(&page), pick(&added, indices), "{transport:?}: tellWaiting({offset}, {num})");
        }
        let keyed = rpc.ok("aria2.tellWaiting", json!([-1, 1, ["gid"]]));
        assert_eq!(keyed, json!([{"gid": added[4]}]), "only the keys asked for");
        assert_eq!(rpc.fails("aria2.tellWaiting", json!([0, -1])).code, 1, "a negative num is refused");

        // addUri's position puts the new download at that index.
        let first = add_paused(&mut rpc, &ep, "first.bin", Some(0));
        let third = add_paused(&mut rpc, &ep, "third.bin", Some(2));
        let mut expected = added.clone();
        expected.insert(0, first.clone());
        expected.insert(2, third.clone());
        assert_eq!(gids(&rpc.ok("aria2.tellWaiting", json!([0, 100]))), expected, "{transport:?}: positions");

        // changePosition answers the new index, and tellWaiting shows the new order.
        let moved = added[4].clone();
        let mut expect_move = |rpc: &mut Rpc, pos: i64, how: &str, index: usize| {
            let answer = rpc.ok("aria2.changePosition", json!([moved, pos, how]));
            assert_eq!(answer, json!(index), "{transport:?}: changePosition({pos}, {how})");
            expected.retain(|g| *g != moved);
            expected.insert(index, moved.clone());
            assert_eq!(gids(&rpc.ok("aria2.tellWaiting", json!([0, 100]))), expected, "after {pos} {how}");
        };
        expect_move(&mut rpc, 0, "POS_SET", 0);
        expect_move(&mut rpc, 2, "POS_CUR", 2);
        expect_move(&mut rpc, -1, "POS_CUR", 1);
        expect_move(&mut rpc, 0, "POS_END", 6);
        expect_move(&mut rpc, -2, "POS_END", 4);
        expect_move(&mut rpc, 100, "POS_SET", 6);
        expect_move(&mut rpc, -100, "POS_CUR", 0);
        assert_eq!(rpc.fails("aria2.changePosition", json!([moved, 0, "POS_TOP"])).code, 1);
        ep.assert_no_panic();
    }
}

#[test]
fn tell_stopped_lists_results_in_the_order_they_stopped() {
    for transport in TRANSPORTS {
        let ep = Endpoint::start();
        let mut rpc = ep.client(transport);
        let added: Vec<String> = (0..5).map(|i| add_paused(&mut rpc, &ep, &format!("s{i}.bin"), None)).collect();
        let stopped: Vec<String> = [1, 3, 0, 4, 2].iter().map(|&i| added[i].clone()).collect();
        for gid in &stopped {
            assert_eq!(rpc.ok("aria2.remove", json!([gid])), json!(gid));
        }
        let all = rpc.ok("aria2.tellStopped", json!([0, 100]));
        assert_eq!(gids(&all), stopped, "{transport:?}: oldest result first");
        for status in all.as_array().into_iter().flatten() {
            assert_eq!((&status["status"], &status["errorCode"]), (&json!("removed"), &json!("0")), "{status}");
        }
        for (offset, num, indices) in PAGES {
            let page = rpc.ok("aria2.tellStopped", json!([offset, num]));
            assert_eq!(gids(&page), pick(&stopped, indices), "{transport:?}: tellStopped({offset}, {num})");
        }
        assert_eq!(rpc.ok("aria2.tellWaiting", json!([0, 100])), json!([]), "nothing waits any more");
        ep.assert_no_panic();
    }
}
