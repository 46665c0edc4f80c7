//! One test's world: a service on a temp socket, an HTTP server, another
//! client, and the window under egui_kittest wired to them.

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use haul::gui::{
    Autostart, ClipboardWatcher, DesktopNotifier, GuiConfig, HaulApp, Notice, Prefs, ServiceAddress, Tray, TraySetup,
};
use haul_core::client::Client;
use haul_core::model::{Job, JobId, JobState};
use haul_core::protocol::CreateJobParams;
use haul_tests::server::TestServer;
use haul_tests::service_fixture::ServiceFixture;
use std::future::Future;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a test waits for anything.
pub const WAIT: Duration = Duration::from_secs(20);

/// The service, the HTTP server and a second client.
pub struct World {
    pub fixture: ServiceFixture,
    pub server: TestServer,
    pub other: Client,
    runtime: tokio::runtime::Runtime,
}

/// The window and the desktop notifications it sent.
pub type Window = Harness<'static, HaulApp>;
pub type Notices = Arc<Mutex<Vec<Notice>>>;

impl World {
    pub fn new() -> World {
        Self::with(ServiceFixture::start)
    }

    /// A world whose service runs the aria2 RPC endpoint (on a free port).
    pub fn with_rpc() -> World {
        Self::with(ServiceFixture::start_with_rpc)
    }

    fn with(start: fn() -> ServiceFixture) -> World {
        let runtime =
            tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
        let fixture = {
            let _inside = runtime.enter();
            start()
        };
        let other = runtime.block_on(fixture.client());
        World { fixture, server: TestServer::start(), other, runtime }
    }

    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }

    /// Where the window saves downloads.
    pub fn downloads(&self) -> PathBuf {
        let dir = self.fixture.path("downloads");
        std::fs::create_dir_all(&dir).expect("downloads dir");
        dir
    }

    /// The window, connected to this world's service, resuming the journal at `cursor`.
    pub fn window(&self, cursor: Option<u64>) -> (Window, Notices) {
        self.window_with(cursor, None)
    }

    /// Where this world's "start on login" entry goes (`$XDG_CONFIG_HOME/autostart`).
    pub fn autostart_folder(&self) -> PathBuf {
        self.fixture.path("config").join("autostart")
    }

    /// The window with `tray` (`None`: no tray).
    pub fn window_with(&self, cursor: Option<u64>, tray: Option<Tray>) -> (Window, Notices) {
        self.window_full(cursor, tray, None)
    }

    /// The window whose clipboard watching (when on) reads what `clipboard` is fed.
    pub fn window_with_clipboard(&self, clipboard: ClipboardWatcher) -> (Window, Notices) {
        self.window_full(None, None, Some(clipboard))
    }

    fn window_full(
        &self,
        cursor: Option<u64>,
        tray: Option<Tray>,
        clipboard: Option<ClipboardWatcher>,
    ) -> (Window, Notices) {
        let (notifier, notices) = DesktopNotifier::recording();
        let config = GuiConfig {
            service: ServiceAddress { socket: self.fixture.socket.clone(), start: None },
            download_dir: self.downloads(),
            prefs: Some(Prefs::default()),
            cursor,
            notifier: Some(notifier),
            tray: tray.map_or(TraySetup::Off, TraySetup::Given),
            autostart: Some(Autostart::in_folder(&self.autostart_folder(), std::path::Path::new("/opt/Haul/haul"))),
            clipboard,
            browser_folders: Some((self.fixture.path("config"), self.fixture.path("home"))),
        };
        // Live progress repaints the window while jobs transfer: `run()` may need
        // more than kittest's default 4 steps to settle.
        let harness = Harness::builder()
            .with_size([1200.0, 760.0])
            .with_max_steps(64)
            .build_eframe(move |cc| HaulApp::new(cc, config));
        (harness, notices)
    }

    /// A job made by the other client: one file at `route` of the HTTP server.
    pub fn job(&self, name: &str, route: &str, auto_complete: bool) -> JobId {
        self.block_on(async {
            let params =
                CreateJobParams { display_name: name.into(), auto_complete: Some(auto_complete), ..Default::default() };
            let job_id = self.other.create_job(params).await.expect("create_job");
            let local = self.downloads().join(name);
            self.other
                .add_file(haul_tests::support::new_file(job_id, &self.server.url(route), &local, None))
                .await
                .expect("add_file");
            job_id
        })
    }

    pub fn get(&self, job_id: JobId) -> Job {
        self.block_on(self.other.get_job(job_id)).expect("get_job")
    }

    /// Waits (without a window) until the job is in `state`.
    pub fn wait_state(&self, job_id: JobId, state: JobState) {
        let deadline = Instant::now() + WAIT;
        while self.get(job_id).state != state {
            assert!(Instant::now() < deadline, "job {job_id} never became {state}: {:?}", self.get(job_id));
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// (registered, mine) as the other client sees the job's sink.
    pub fn sink_of(&self, job_id: JobId) -> (bool, bool) {
        let sink = self.block_on(self.other.get_notify_interface(job_id)).expect("get_notify_interface");
        (sink.registered, sink.mine)
    }
}

/// Runs frames until `done` holds, failing after [`WAIT`] with `what`.
pub fn step_until(window: &mut Window, what: &str, mut done: impl FnMut(&mut Window) -> bool) {
    let deadline = Instant::now() + WAIT;
    loop {
        window.step();
        if done(window) {
            return;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Whether some node's label contains `text`.
pub fn shows(window: &Window, text: &str) -> bool {
    window.query_all_by_label_contains(text).next().is_some()
}

/// How many nodes' labels contain `text`.
pub fn count(window: &Window, text: &str) -> usize {
    window.query_all_by_label_contains(text).count()
}

/// Waits until the window has its first picture of the jobs.
pub fn wait_loaded(window: &mut Window) {
    step_until(window, "the job list", |w| w.state().model().loaded);
}

/// Types `text` into the field labelled `label`.
pub fn type_into(window: &mut Window, label: &str, text: &str) {
    let field = window.get_by_label(label);
    field.focus();
    field.type_text(text);
    window.run();
}

/// Opens the add dialog with the toolbar's Add button and types `urls` into it.
pub fn open_add_with(window: &mut Window, urls: &str) {
    window.get_by_role_and_label(eframe::egui::accesskit::Role::Button, "Add").click();
    window.run();
    type_into(window, "URLs, one per line", urls);
}
