//! `haul service [--system]` runs the background service; `haul service stop` stops it.

use crate::cli::ServiceArgs;
use crate::exit::{FAILED, Failure, NO_SERVICE, USAGE};
use haul_core::aria2::{DEFAULT_LISTEN, RpcOptions};
use haul_core::client::Client;
use haul_core::model::RpcListen;
use haul_core::secrets::SecretsConfig;
use haul_core::service::{ServiceOptions, socket_path};
use std::sync::Mutex;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer, fmt};

/// Runs the service, or stops the running one (`haul service stop`).
pub fn run(args: ServiceArgs) -> Result<(), Failure> {
    // One thread, like curl's and aria2's event loops: a second worker thread
    // costs ~25% more CPU per small file (hyper's connection tasks, the body
    // channels and the event streams wake tasks across threads). A split
    // file's extra connections run on transfer threads of their own (see
    // `engine::threads`), so one big file still uses every core.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::new(FAILED, format!("cannot start the async runtime: {e}")))?;
    match args.action.as_deref() {
        None => runtime.block_on(serve(args)),
        Some("stop") => runtime.block_on(stop(args.system)),
        Some(other) => {
            Err(Failure::new(USAGE, format!("unknown service action '{other}'; did you mean 'haul service stop'?")))
        }
    }
}

async fn serve(args: ServiceArgs) -> Result<(), Failure> {
    let data_dir = if args.system && std::env::var_os("HAUL_DATA_DIR").is_none() {
        std::path::PathBuf::from("/var/lib/haul")
    } else {
        crate::paths::data_dir()
    };
    std::fs::create_dir_all(&data_dir)
        .map_err(|e| Failure::new(FAILED, format!("cannot create the data folder {}: {e}", data_dir.display())))?;
    init_logging(&data_dir);
    let rpc = rpc_options(&args)?;
    let secrets = secrets_config(&args, &data_dir)?;
    let options = ServiceOptions {
        data_dir,
        socket: socket_path(args.system),
        system: args.system,
        max_active_jobs: args.max_active.max(1),
        parallel_files: usize::from(args.parallel_files),
        rpc,
        secrets,
    };
    haul_core::service::run(options).await.map_err(|e| Failure::new(FAILED, e.to_string()))
}

/// Where secrets go: the keyring, or `--secrets-file`, which must lie outside
/// the data folder (the data folder never holds a secret).
fn secrets_config(args: &ServiceArgs, data_dir: &std::path::Path) -> Result<SecretsConfig, Failure> {
    let Some(path) = &args.secrets_file else { return Ok(SecretsConfig::Keyring) };
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
    let parent = parent.canonicalize().map_err(|e| {
        Failure::new(USAGE, format!("the folder of the secrets file {} cannot be used: {e}", path.display()))
    })?;
    let data = data_dir.canonicalize().unwrap_or_else(|_| data_dir.to_path_buf());
    if parent.starts_with(&data) {
        return Err(Failure::new(
            USAGE,
            format!(
                "the secrets file {} is inside the data folder {}; choose a place outside it",
                path.display(),
                data.display()
            ),
        ));
    }
    let Some(name) = path.file_name() else {
        return Err(Failure::new(USAGE, format!("the secrets file {} names no file", path.display())));
    };
    Ok(SecretsConfig::File(parent.join(name)))
}

/// The aria2 endpoint's options from `--rpc-…`. Without `--rpc-listen` the
/// service uses the address `haul rpc --listen` saved, else the default.
fn rpc_options(args: &ServiceArgs) -> Result<RpcOptions, Failure> {
    let listen = match args.rpc_listen.as_deref().map(str::trim) {
        None => RpcListen::parse(DEFAULT_LISTEN).map_err(|e| Failure::new(FAILED, e.to_string()))?,
        Some("") => RpcListen::Off,
        Some(text) => RpcListen::parse(text).map_err(|e| Failure::new(USAGE, format!("--rpc-listen {e}")))?,
    };
    Ok(RpcOptions {
        listen: listen.addr(),
        listen_given: args.rpc_listen.is_some(),
        certificate: args.rpc_certificate.clone(),
        private_key: args.rpc_private_key.clone(),
        insecure: args.rpc_insecure,
        default_dir: (!args.system).then(crate::paths::download_dir),
    })
}

async fn stop(system: bool) -> Result<(), Failure> {
    let socket = socket_path(system);
    let client = Client::connect(&socket)
        .await
        .map_err(|e| Failure::new(NO_SERVICE, format!("no Haul service is running on {}: {e}", socket.display())))?;
    client.shutdown().await?;
    println!("Haul service on {} is stopping.", socket.display());
    Ok(())
}

/// Logs to stderr and to `haul.log` in the data folder (`RUST_LOG`, default info).
fn init_logging(data_dir: &std::path::Path) {
    let filter = || EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let file = std::fs::OpenOptions::new().create(true).append(true).open(data_dir.join("haul.log"));
    let file_layer =
        file.ok().map(|file| fmt::layer().with_ansi(false).with_writer(Mutex::new(file)).with_filter(filter()));
    let _ = tracing_subscriber::registry()
        .with(fmt::layer().with_writer(std::io::stderr).with_filter(filter()))
        .with(file_layer)
        .try_init();
}
