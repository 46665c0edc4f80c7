//! `set_credentials`, `set_cookies` and `set_proxy` over the socket: what the
//! job shows (never a secret), bad values named (error 5), credentials
//! removed, and the service's proxy in `get_limits` without its password.

use haul_core::model::{AuthScheme, JobId};
use haul_core::protocol::{CreateJobParams, code};
use haul_tests::service_fixture::{ServiceFixture, within};

async fn new_job(client: &haul_core::client::Client) -> JobId {
    let params = CreateJobParams { display_name: "private".into(), ..Default::default() };
    within(client.create_job(params)).await.expect("create")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_cookies_and_proxies_show_no_secret_and_bad_values_are_named() {
    let fixture = ServiceFixture::start();
    let client = fixture.client().await;
    let job_id = new_job(&client).await;

    let login = Some(("ann".to_string(), "pw-in-the-store".to_string(), AuthScheme::Digest));
    let job = within(client.set_credentials(job_id, login)).await.expect("set");
    let shown = serde_json::to_string(&job).expect("json");
    assert!(shown.contains("\"user_name\":\"ann\"") && shown.contains("\"scheme\":\"digest\""), "{shown}");
    assert!(!shown.contains("pw-in-the-store"), "{shown}");
    let secrets = std::fs::read_dir(fixture.dir()).expect("dir").flatten().map(|e| e.path()).collect::<Vec<_>>();
    for file in secrets.iter().filter(|p| p.is_file()) {
        let bytes = std::fs::read(file).expect("read");
        assert!(!bytes.windows(15).any(|w| w == b"pw-in-the-store"), "{} holds the password", file.display());
    }

    let bad_user = Some(("a:b".to_string(), String::new(), AuthScheme::Any));
    let refused = within(client.set_credentials(job_id, bad_user)).await.expect_err("a ':' in the user");
    assert_eq!(refused.code(), Some(code::INVALID_ARGUMENT), "{refused}");

    let cookies = "127.0.0.1\tFALSE\t/\tFALSE\t0\tsid\tcookie-value\n".to_string();
    let job = within(client.set_cookies(job_id, cookies)).await.expect("cookies");
    assert!(job.cookies);
    assert!(!serde_json::to_string(&job).expect("json").contains("cookie-value"));
    let refused = within(client.set_cookies(job_id, "one\ttwo\n".into())).await.expect_err("not cookies");
    assert_eq!(refused.code(), Some(code::INVALID_ARGUMENT));
    assert!(refused.to_string().contains("line 1"), "{refused}");

    let proxy = within(client.set_proxy(Some(job_id), "socks5h://me:proxy-secret@127.0.0.1:1080".into()))
        .await
        .expect("job proxy");
    assert_eq!(proxy.to_string(), "socks5h://me@127.0.0.1:1080");
    let job = within(client.get_job(job_id)).await.expect("get");
    assert!(!serde_json::to_string(&job).expect("json").contains("proxy-secret"));
    let refused = within(client.set_proxy(None, "gopher://h:70".into())).await.expect_err("a bad scheme");
    assert_eq!(refused.code(), Some(code::INVALID_ARGUMENT));
    assert!(refused.to_string().contains("gopher"), "{refused}");

    within(client.set_proxy(None, "http://127.0.0.1:3128".into())).await.expect("service proxy");
    let limits = within(client.get_limits()).await.expect("limits");
    assert_eq!(limits.proxy.map(|p| p.to_string()).as_deref(), Some("http://127.0.0.1:3128"));

    let job = within(client.set_credentials(job_id, None)).await.expect("remove");
    assert!(job.credentials.is_none());
}
