//! `forget_job`: a final job removed for good, from the job table and the store
//! (its journal stays); a live job is refused and stays.

use haul_core::client::Client;
use haul_core::model::{JobId, JobState};
use haul_core::protocol::{CreateJobParams, code};
use haul_tests::service_fixture::ServiceFixture;
use haul_tests::support::runtime;
use std::path::{Path, PathBuf};

/// A service on the database at `db`, so a second one finds what the first saved.
fn service_on(db: &Path) -> ServiceFixture {
    let db = db.to_path_buf();
    ServiceFixture::start_with(move |config| config.db_path = db)
}

async fn create(client: &Client, name: &str) -> JobId {
    client.create_job(CreateJobParams { display_name: name.into(), ..Default::default() }).await.expect("create_job")
}

fn error_code<T: std::fmt::Debug>(result: Result<T, haul_core::client::ClientError>) -> i64 {
    result.expect_err("an error").code().expect("an error reply")
}

#[test]
fn a_forgotten_job_is_gone_also_after_a_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db: PathBuf = dir.path().join("haul.db");
    let (forgotten, acknowledged, kept) = runtime().block_on(async {
        let fixture = service_on(&db);
        let client = fixture.client().await;
        let forgotten = create(&client, "cancelled").await;
        let acknowledged = create(&client, "acknowledged").await;
        let kept = create(&client, "kept").await;
        client.cancel(forgotten).await.expect("cancel");
        client.cancel(kept).await.expect("cancel");
        client.complete(acknowledged).await.expect("complete");
        assert_eq!(client.get_job(acknowledged).await.expect("get_job").state, JobState::Acknowledged);

        client.forget_job(forgotten).await.expect("forget the cancelled job");
        client.forget_job(acknowledged).await.expect("forget the acknowledged job");
        assert_eq!(error_code(client.get_job(forgotten).await), code::NOT_FOUND);
        assert_eq!(error_code(client.forget_job(forgotten).await), code::NOT_FOUND, "forgotten once");
        let all: Vec<JobId> =
            client.enum_jobs(false, true).await.expect("enum_jobs").into_iter().map(|j| j.id).collect();
        assert_eq!(all, [kept]);
        fixture.stop().await;
        (forgotten, acknowledged, kept)
    });

    runtime().block_on(async {
        let fixture = service_on(&db);
        let client = fixture.client().await;
        for job_id in [forgotten, acknowledged] {
            assert_eq!(error_code(client.get_job(job_id).await), code::NOT_FOUND, "{job_id} after a restart");
            assert_eq!(error_code(client.enum_files(job_id).await), code::NOT_FOUND);
        }
        let all: Vec<JobId> =
            client.enum_jobs(false, true).await.expect("enum_jobs").into_iter().map(|j| j.id).collect();
        assert_eq!(all, [kept], "only the job that was not forgotten is back");
        let journal = client.events_since(0, None).await.expect("events_since").events;
        assert!(journal.iter().any(|e| e.job_id == forgotten), "the journal keeps a forgotten job's history");
        fixture.stop().await;
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_job_is_not_forgotten() {
    let fixture = ServiceFixture::start();
    let client = fixture.client().await;
    let job_id = create(&client, "live").await;
    let refused = client.forget_job(job_id).await.expect_err("a live job cannot be forgotten");
    assert_eq!(refused.code(), Some(code::INVALID_STATE));
    let message = refused.to_string();
    assert!(message.contains("is suspended; only a finished or cancelled job can be forgotten"), "{message}");
    assert_eq!(client.get_job(job_id).await.expect("still there").state, JobState::Suspended);
    let ids: Vec<JobId> = client.enum_jobs(false, false).await.expect("enum_jobs").into_iter().map(|j| j.id).collect();
    assert_eq!(ids, [job_id]);
    fixture.stop().await;
}
