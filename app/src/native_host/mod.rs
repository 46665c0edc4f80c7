//! `haul native-host`: the browser extension's way in (Chrome's and Firefox's
//! native messaging). The browser starts `haul` with the extension's origin;
//! it reads framed JSON requests on stdin and answers each on stdout until the
//! browser closes the channel. A bad message gets an error answer and the
//! channel goes on; a channel cut mid-message ends the host (exit 1).

mod frame;
mod handle;
mod message;

use crate::exit::{FAILED, Failure};
use frame::{Frame, read_frame, write_frame};
use std::io::Write;

/// Serves one browser conversation; `origin` is what the browser passed (its
/// extension's origin), logged only.
pub fn run(origin: &[String]) -> Result<(), Failure> {
    tracing::info!("native messaging host started for {}", origin.join(" "));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::new(FAILED, format!("cannot start the async runtime: {e}")))?;
    let mut host = handle::Host::new(crate::paths::download_dir());
    let mut input = std::io::stdin().lock();
    let mut output = std::io::stdout().lock();
    let failed = |e: std::io::Error| Failure::new(FAILED, format!("the browser's channel failed: {e}"));
    loop {
        let answer = match read_frame(&mut input).map_err(failed)? {
            Frame::Message(bytes) => {
                let (id, request) = message::parse(&bytes);
                match request {
                    Ok(request) => match runtime.block_on(host.handle(request)) {
                        Ok(result) => message::ok(id, result),
                        Err(error) => message::failed(id, &error),
                    },
                    Err(error) => message::failed(id, &error),
                }
            }
            Frame::TooLarge(len) => message::failed(
                serde_json::Value::Null,
                &format!("a {len}-byte message is over the {} bytes a request may have", frame::MOST_IN),
            ),
            Frame::End => return Ok(()),
            Frame::Truncated => {
                return Err(Failure::new(FAILED, "the browser's message was cut short; the host stops"));
            }
        };
        write_frame(&mut output, &answer).map_err(failed)?;
        output.flush().map_err(failed)?;
    }
}
