//! Credentials, cookies and proxies (issue 16) through the real `haul` binary
//! and a real service process: HTTP Basic and Digest against the loopback
//! test server (right, wrong, missing), `~/.netrc`, a cookies.txt, a SOCKS5
//! and an authenticated HTTP proxy on loopback, an unreachable proxy, and a
//! password that reaches no file of the data folder and no log line. The
//! service keeps secrets in a real Secret Service (GNOME Keyring on a private
//! bus; see auth/helpers.rs).

mod common;
#[path = "auth/helpers.rs"]
mod helpers;

use common::{World, job_json, wait_until};
use haul_tests::server::{Route, TestServer, random_bytes, sha256_file, sha256_hex};
use helpers::{Keyring, base64, contains, files_under};
use serde_json::Value;
use std::time::Duration;

/// A world whose service uses `keyring`, with extra environment.
fn world_with(keyring: &Keyring, vars: &[(&str, &str)]) -> World {
    let mut world = World::new();
    let mut env = vec![("DBUS_SESSION_BUS_ADDRESS", keyring.address.as_str())];
    env.extend_from_slice(vars);
    world.start_service_with_env(&env);
    world
}

/// `haul add URL --dir DOWNLOADS ARGS…`; the job id.
fn add(world: &World, url: &str, extra: &[&str]) -> String {
    let out = world.haul().args(["add", url, "--dir"]).arg(world.downloads()).args(extra).output().expect("add");
    assert!(
        out.status.success(),
        "haul add {extra:?}: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        world.service_log()
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

fn wait_state(world: &World, job_id: &str, states: &[&str]) -> Value {
    let mut last = Value::Null;
    let reached = wait_until(Duration::from_secs(30), || {
        last = job_json(world, job_id);
        states.iter().any(|s| last["state"] == *s)
    });
    assert!(reached, "never {states:?}: {last}\n{}", world.service_log());
    last
}

fn protected(body: &[u8], route: impl Fn(Route) -> Route) -> TestServer {
    let server = TestServer::start();
    server.set_route("/private/file.bin", route(Route::new(body.to_vec())));
    server
}

#[test]
fn basic_auth_right_wrong_and_missing() {
    let keyring = Keyring::start();
    let world = world_with(&keyring, &[]);
    let body = random_bytes(300_000, 1);
    let server = protected(&body, |r| r.require_basic("alice", "right-pw"));
    let url = server.url("/private/file.bin");

    let job = add(&world, &url, &["--user", "alice:right-pw", "--auth", "basic", "--name", "right"]);
    let done = wait_state(&world, &job, &["acknowledged"]);
    assert_eq!(done["credentials"], serde_json::json!({"user_name": "alice", "scheme": "basic"}), "{done}");
    assert_eq!(sha256_file(&world.downloads().join("file.bin")).expect("file"), sha256_hex(&body));
    // Basic goes with the first request: no 401 round trip.
    assert!(server.requests_for("/private/file.bin").iter().all(|r| r.status != 401));

    let wrong = add(&world, &url, &["--user", "alice:wrong-pw", "--name", "wrong"]);
    let failed = wait_state(&world, &wrong, &["error"]);
    assert_eq!(failed["error"]["code"], "http_401", "{failed}");
    let message = failed["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("401") && message.contains("alice") && message.contains("refused"), "{message}");
    // Set right afterwards (BITS's SetCredentials on a failed job), then retried.
    let out = world.haul().args(["set", &wrong, "--user", "alice:right-pw", "--auth", "basic"]).output().expect("set");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let info = world.haul().args(["info", &wrong]).output().expect("info");
    assert!(String::from_utf8_lossy(&info.stdout).contains("User       alice (basic)"), "{info:?}");
    let out = world.haul().args(["resume", &wrong]).output().expect("resume");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    wait_state(&world, &wrong, &["acknowledged"]);

    let missing = add(&world, &url, &["--name", "missing"]);
    let failed = wait_state(&world, &missing, &["error"]);
    assert_eq!(failed["error"]["code"], "http_401", "{failed}");
    assert!(failed["error"]["message"].as_str().unwrap_or_default().contains("401"), "{failed}");
}

#[test]
fn digest_auth_with_the_password_asked_for_and_a_wrong_one() {
    let keyring = Keyring::start();
    let world = world_with(&keyring, &[]);
    let body = random_bytes(5 << 20, 2);
    let server = protected(&body, |r| r.require_digest("bob", "digest pw"));
    let url = server.url("/private/file.bin");

    // No password on the command line: it is asked for (here from a pipe).
    let out = world
        .haul()
        .args(["add", &url, "--user", "bob", "--name", "asked", "--dir"])
        .arg(world.downloads())
        .write_stdin("digest pw\n")
        .output()
        .expect("haul add");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let job = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let done = wait_state(&world, &job, &["acknowledged"]);
    assert_eq!(done["credentials"]["scheme"], "any", "{done}");
    assert_eq!(sha256_file(&world.downloads().join("file.bin")).expect("file"), sha256_hex(&body));
    let requests = server.requests_for("/private/file.bin");
    assert!(requests.iter().any(|r| r.status == 401), "the server challenged first");
    assert!(
        requests
            .iter()
            .filter(|r| r.status == 206 || r.status == 200)
            .all(|r| r.header("authorization").is_some_and(|a| a.starts_with("Digest "))),
        "every request that got bytes carried Digest"
    );

    let wrong = add(&world, &url, &["--user", "bob:not-it", "--auth", "digest", "--name", "wrong"]);
    let failed = wait_state(&world, &wrong, &["error"]);
    assert_eq!(failed["error"]["code"], "http_401", "{failed}");
    assert!(failed["error"]["message"].as_str().unwrap_or_default().contains("bob"), "{failed}");
}

#[test]
fn a_password_given_to_haul_add_reaches_no_file_and_no_log_line() {
    let keyring = Keyring::start();
    let world = world_with(&keyring, &[("RUST_LOG", "debug")]);
    let password = "Pw-7f3a91c2-never-on-disk";
    let body = random_bytes(6 << 20, 3);
    let server = protected(&body, |r| r.require_basic("carol", password));
    let url = server.url("/private/file.bin");
    let job = add(&world, &url, &["--user", &format!("carol:{password}"), "--auth", "basic"]);
    wait_state(&world, &job, &["acknowledged"]);
    let mut outputs = Vec::new();
    for args in
        [vec!["--json", "info", &job], vec!["info", &job], vec!["--json", "list", "--all"], vec!["--json", "events"]]
    {
        let out = world.haul().args(&args).output().expect("haul");
        outputs.extend(out.stdout);
        outputs.extend(out.stderr);
    }
    let basic = base64(format!("carol:{password}").as_bytes());
    let secrets = [password.as_bytes(), basic.as_bytes()];
    // The service still runs: the SQLite file, its WAL and the log are as they are now.
    let files = files_under(&world.data_dir());
    assert!(files.iter().any(|f| f.ends_with("haul.db")), "{files:?}");
    for file in &files {
        let bytes = std::fs::read(file).expect("read");
        for secret in secrets {
            assert!(!contains(&bytes, secret), "{} holds the password", file.display());
        }
    }
    let log = world.service_log();
    let port = server.addr().port().to_string();
    assert!(log.contains(&port), "the log was captured (at debug, the connections to the server): {log}");
    for secret in secrets {
        assert!(!contains(log.as_bytes(), secret), "a log line holds the password");
        assert!(!contains(&outputs, secret), "the CLI's output holds the password");
    }
    // It is in the keyring, which lives elsewhere.
    assert!(!keyring.dir.path().starts_with(world.data_dir()));
}

#[test]
fn netrc_gives_the_login_for_its_machine() {
    let keyring = Keyring::start();
    let home = tempfile::tempdir().expect("home");
    let body = random_bytes(200_000, 4);
    let server = protected(&body, |r| r.require_basic("dave", "netrc pw"));
    std::fs::write(
        home.path().join(".netrc"),
        "machine example.invalid login x password y\n\
         machine 127.0.0.1\n  login dave\n  password \"netrc pw\"\n",
    )
    .expect(".netrc");
    let home_text = home.path().to_string_lossy().into_owned();
    let world = world_with(&keyring, &[("HOME", &home_text)]);
    let job = add(&world, &server.url("/private/file.bin"), &[]);
    wait_state(&world, &job, &["acknowledged"]);
    assert_eq!(sha256_file(&world.downloads().join("file.bin")).expect("file"), sha256_hex(&body));
    // Nothing of it was kept on the job.
    assert!(job_json(&world, &job).get("credentials").is_none());
}

#[test]
fn cookies_txt_sends_the_matching_cookies() {
    let keyring = Keyring::start();
    let world = world_with(&keyring, &[]);
    let body = random_bytes(200_000, 5);
    let server = protected(&body, |r| r.require_cookie("session=abc123"));
    let cookies = world.dir.path().join("cookies.txt");
    std::fs::write(
        &cookies,
        "# Netscape HTTP Cookie File\n\
         127.0.0.1\tFALSE\t/private\tFALSE\t0\tsession\tabc123\n\
         127.0.0.1\tFALSE\t/elsewhere\tFALSE\t0\tother\tno\n\
         127.0.0.1\tFALSE\t/\tTRUE\t0\tsecure_only\tno\n\
         127.0.0.1\tFALSE\t/\tFALSE\t1000\texpired\tno\n",
    )
    .expect("cookies");
    let cookies_arg = cookies.to_string_lossy().into_owned();
    let job = add(&world, &server.url("/private/file.bin"), &["--load-cookies", &cookies_arg]);
    let done = wait_state(&world, &job, &["acknowledged"]);
    assert_eq!(done["cookies"], true, "{done}");
    let sent: Vec<String> =
        server.requests_for("/private/file.bin").iter().filter_map(|r| r.header("cookie").map(str::to_owned)).collect();
    assert!(!sent.is_empty() && sent.iter().all(|c| c == "session=abc123"), "{sent:?}");
    // Without them: refused.
    let bare = add(&world, &server.url("/private/file.bin"), &["--name", "bare"]);
    let failed = wait_state(&world, &bare, &["error"]);
    assert_eq!(failed["error"]["code"], "http_403", "{failed}");
    // A file that is not a cookies.txt is refused before anything is made.
    std::fs::write(&cookies, "not a cookie line\n").expect("bad");
    let out = world.haul().args(["add", &server.url("/x"), "--load-cookies", &cookies_arg]).output().expect("add");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 1"), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn a_socks5_proxy_with_a_password_carries_job_and_service_downloads() {
    let keyring = Keyring::start();
    let world = world_with(&keyring, &[]);
    let log = world.dir.path().join("microsocks.log");
    let (_proxy, port) = helpers::socks5("sox", "sox-pw-55", &log);
    let server = TestServer::start();
    let body = random_bytes(6 << 20, 6);
    server.add_file("/one.bin", body.clone());
    let proxy = format!("socks5h://sox:sox-pw-55@127.0.0.1:{port}");

    let job = add(&world, &server.url("/one.bin"), &["--proxy", &proxy]);
    let done = wait_state(&world, &job, &["acknowledged"]);
    assert_eq!(done["proxy"], format!("socks5h://sox@127.0.0.1:{port}"), "{done}");
    assert_eq!(sha256_file(&world.downloads().join("one.bin")).expect("file"), sha256_hex(&body));
    let seen = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(seen.contains(&format!("connected to 127.0.0.1:{}", server.addr().port())), "proxy log: {seen}");

    // The service's own proxy, for jobs without one.
    let out = world.haul().args(["limits", "--proxy", &proxy]).output().expect("limits");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let limits = world.haul().args(["--json", "limits"]).output().expect("limits");
    let limits: Value = serde_json::from_slice(&limits.stdout).expect("json");
    assert_eq!(limits["proxy"], format!("socks5h://sox@127.0.0.1:{port}"), "{limits}");
    // Another server: a new connection through the proxy (the first may be reused).
    let other = TestServer::start();
    other.add_file("/two.bin", body.clone());
    let job = add(&world, &other.url("/two.bin"), &[]);
    wait_state(&world, &job, &["acknowledged"]);
    let seen = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(
        seen.contains(&format!("connected to 127.0.0.1:{}", other.addr().port())),
        "the second download did not go through the proxy: {seen}"
    );
    let settings = std::fs::read_to_string(world.data_dir().join("settings.json")).expect("settings");
    assert!(!settings.contains("sox-pw-55"), "{settings}");
    for file in files_under(&world.data_dir()) {
        assert!(!contains(&std::fs::read(&file).expect("read"), b"sox-pw-55"), "{} holds it", file.display());
    }
    assert!(!world.service_log().contains("sox-pw-55"), "a log line holds the proxy's password");
}

#[test]
fn an_http_proxy_with_basic_authentication_carries_the_download() {
    let keyring = Keyring::start();
    let world = world_with(&keyring, &[]);
    let (_proxy, port) = helpers::http_proxy("pxuser", "pxpass", world.dir.path());
    let server = TestServer::start();
    let body = random_bytes(5 << 20, 7);
    server.add_file("/via.bin", body.clone());
    let job = add(&world, &server.url("/via.bin"), &["--proxy", &format!("http://pxuser:pxpass@127.0.0.1:{port}")]);
    wait_state(&world, &job, &["acknowledged"]);
    assert_eq!(sha256_file(&world.downloads().join("via.bin")).expect("file"), sha256_hex(&body));
    let requests = server.requests_for("/via.bin");
    assert!(
        !requests.is_empty() && requests.iter().all(|r| r.header("via").is_some_and(|v| v.contains("tinyproxy"))),
        "every request came through tinyproxy"
    );
}

#[test]
fn an_unreachable_proxy_is_a_transient_error_that_names_the_proxy() {
    let keyring = Keyring::start();
    let world = world_with(&keyring, &[]);
    let server = TestServer::start();
    server.add_file("/f.bin", random_bytes(1000, 8));
    let port = helpers::free_port();
    let job = add(&world, &server.url("/f.bin"), &["--proxy", &format!("socks5://127.0.0.1:{port}")]);
    let failed = wait_state(&world, &job, &["transient_error"]);
    assert_eq!(failed["error"]["code"], "proxy_unreachable", "{failed}");
    let message = failed["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains(&format!("the proxy socks5://127.0.0.1:{port}")), "{message}");
    assert!(!message.contains("/f.bin"), "the site is not blamed: {message}");
    assert!(server.requests_for("/f.bin").is_empty());
}

#[test]
fn without_a_keyring_a_password_is_refused_clearly_and_a_secrets_file_is_the_way_out() {
    let mut world = World::new();
    let nowhere = format!("unix:path={}", world.dir.path().join("no-bus").display());
    world.start_service_with_env(&[("DBUS_SESSION_BUS_ADDRESS", nowhere.as_str())]);
    let server = TestServer::start();
    let body = random_bytes(1000, 9);
    server.set_route("/p.bin", Route::new(body.clone()).require_basic("erin", "file-pw"));
    let out = world
        .haul()
        .args(["add", &server.url("/p.bin"), "--user", "erin:file-pw", "--dir"])
        .arg(world.downloads())
        .output()
        .expect("add");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no system keyring") && stderr.contains("--secrets-file"), "{stderr}");
    assert!(!stderr.contains("file-pw"), "{stderr}");
    world.kill_service();

    // Opted in: a file outside the data folder, readable by its owner alone.
    let secrets = world.dir.path().join("secrets").join("haul-secrets.json");
    std::fs::create_dir_all(secrets.parent().expect("parent")).expect("dir");
    let secrets_text = secrets.to_string_lossy().into_owned();
    world.start_service_with_env(&[
        ("DBUS_SESSION_BUS_ADDRESS", nowhere.as_str()),
        ("HAUL_SECRETS_FILE", &secrets_text),
    ]);
    let job = add(&world, &server.url("/p.bin"), &["--user", "erin:file-pw", "--name", "opted-in"]);
    wait_state(&world, &job, &["acknowledged"]);
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&secrets).expect("secrets file").permissions().mode() & 0o777, 0o600);
    for file in files_under(&world.data_dir()) {
        assert!(!contains(&std::fs::read(&file).expect("read"), b"file-pw"), "{}", file.display());
    }
}

#[test]
fn a_proxy_that_refuses_the_password_fails_the_job_at_once_and_the_right_one_mends_it() {
    let keyring = Keyring::start();
    let world = world_with(&keyring, &[]);
    let (_socks, socks_port) = helpers::socks5("sox", "right", &world.dir.path().join("microsocks.log"));
    let (_http, http_port) = helpers::http_proxy("pxuser", "pxpass", world.dir.path());
    let server = TestServer::start();
    let cases = [
        ("/s.bin", format!("socks5://127.0.0.1:{socks_port}"), "sox:wrong-pw", "sox:right"),
        // A plain http link through an HTTP proxy given no login: its answer is 407. (tinyproxy
        // answers a wrong password with 401 and WWW-Authenticate, as if it were the site.)
        ("/h.bin", format!("http://127.0.0.1:{http_port}"), "", "pxuser:pxpass"),
    ];
    for (path, proxy, wrong, right) in cases {
        let body = random_bytes(3000, path.len() as u64);
        server.add_file(path, body.clone());
        let with = |login: &str| match login {
            "" => proxy.clone(),
            login => proxy.replacen("://", &format!("://{login}@"), 1),
        };
        let job = add(&world, &server.url(path), &["--proxy", &with(wrong)]);
        // Not retried every few seconds: a retry would be refused the same way.
        let failed = wait_state(&world, &job, &["error", "transient_error"]);
        assert_eq!(failed["state"], "error", "{failed}");
        assert_eq!(failed["error"]["code"], "proxy_login_refused", "{failed}");
        let message = failed["error"]["message"].as_str().unwrap_or_default();
        assert!(message.starts_with(&format!("the proxy {proxy} wants a user name and password")), "{message}");
        assert!(message.contains("haul set JOB --proxy URL"), "it says the way out: {message}");
        assert!(!message.contains("-pw"), "no password in the message: {message}");
        assert!(server.requests_for(path).is_empty());

        let set = world.haul().args(["set", &job, "--proxy", &with(right)]).output().expect("set");
        assert!(set.status.success(), "{}", String::from_utf8_lossy(&set.stderr));
        let resumed = world.haul().args(["resume", &job]).output().expect("resume");
        assert!(resumed.status.success(), "{}", String::from_utf8_lossy(&resumed.stderr));
        wait_state(&world, &job, &["acknowledged"]);
        let name = path.trim_start_matches('/');
        assert_eq!(sha256_file(&world.downloads().join(name)).expect("file"), sha256_hex(&body));
    }
    assert!(!world.service_log().contains("-pw"), "a log line holds a proxy's password");
}
