//! `receive_add_dialogs` (this connection is a window: `add_dialog`
//! notifications come to it, for its user only) and `open_add_dialog` (ask the
//! caller's windows).

use super::{Answer, reply};
use crate::model::check_header;
use crate::protocol::{Notice, OpenAddDialog, OpenAddDialogResult, ReceiveAddDialogs, RpcError, parse_params};
use crate::service::Session;
use serde_json::Value;
use tokio::sync::broadcast::error::RecvError;

/// The most links one dialog may be asked to show.
const MOST_LINKS: usize = 10_000;

pub(super) fn receive_add_dialogs(session: &mut Session, params: Value) -> Result<Answer, RpcError> {
    let ReceiveAddDialogs {} = parse_params(params)?;
    if !session.window {
        session.window = true;
        let mut listener = session.manager.listen_for_add_dialogs(&session.caller);
        let (uid, out, closed) = (session.caller.uid, session.notices.clone(), session.closed.clone());
        tokio::spawn(async move {
            loop {
                let dialog = tokio::select! {
                    _ = closed.cancelled() => return,
                    received = listener.dialogs.recv() => match received {
                        Ok((for_uid, dialog)) if for_uid == uid => dialog,
                        Ok(_) | Err(RecvError::Lagged(_)) => continue,
                        Err(RecvError::Closed) => return,
                    },
                };
                match Notice::AddDialog(dialog).encode() {
                    Ok(line) => {
                        if out.send(line).await.is_err() {
                            return;
                        }
                    }
                    Err(e) => tracing::warn!("cannot encode an add_dialog notification: {e}"),
                }
            }
        });
    }
    reply(crate::protocol::Empty {})
}

pub(super) fn open_add_dialog(session: &mut Session, params: Value) -> Result<Answer, RpcError> {
    let dialog: OpenAddDialog = parse_params(params)?;
    if dialog.links.is_empty() || dialog.links.len() > MOST_LINKS {
        return Err(RpcError::invalid_argument(format!("links: give 1 to {MOST_LINKS} links")));
    }
    for header in &dialog.headers {
        check_header(header).map_err(|e| RpcError::invalid_argument(format!("headers: {}", e.0)))?;
    }
    let shown = session.manager.open_add_dialog(&session.caller, dialog);
    reply(OpenAddDialogResult { shown })
}
