//! Every legal state change of a job, in one place (the BITS life cycle).
//! Callers ask `next` what an action does; it answers with the new state and the
//! side effect on the files, or says why the action is not allowed.

use crate::model::JobState;

/// Something that happens to a job, by a client or by the service.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Client: queue the job (also "retry now").
    Resume,
    /// Client: stop transferring until resumed.
    Suspend,
    /// Client: stop and delete all temp files; final.
    Cancel,
    /// Client: rename transferred files into place; final.
    Complete,
    /// Client: add a file or change a property.
    Modify,
    /// Scheduler: the job's turn has come.
    Start,
    /// Engine: a server answered and bytes flow.
    Connected,
    /// Engine: a recoverable failure.
    TransientFail,
    /// Engine: a fatal failure, or the no-progress timeout expired.
    Fail,
    /// Engine: every file's bytes are on disk.
    AllTransferred,
    /// Scheduler: the minimum retry delay has passed.
    Retry,
    /// Scheduler: a higher-priority job takes the slot.
    Preempt,
}

/// What must happen to the job's files along with the state change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileEffect {
    /// Nothing.
    None,
    /// Delete every temp file.
    DeleteTempFiles,
    /// Rename transferred temp files into place, delete partial ones.
    CompleteFiles {
        /// Some files were not transferred and are dropped.
        partial: bool,
    },
}

/// The result of a legal action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// The state after the action.
    pub state: JobState,
    /// What happens to the files.
    pub effect: FileEffect,
}

/// Why an action was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// The action is not allowed in this state.
    #[error("cannot {action:?} a job that is {state}")]
    InvalidState {
        /// The state the job is in.
        state: JobState,
        /// What was asked.
        action: Action,
    },
    /// Resume on a job without files.
    #[error("the job has no files to transfer")]
    EmptyJob,
}

/// Facts about the job's files that some transitions depend on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FileFacts {
    /// Number of files.
    pub files: usize,
    /// Files whose bytes are not all on disk yet.
    pub untransferred: usize,
}

/// Decides what `action` does to a job in `state`.
pub fn next(state: JobState, action: Action, facts: FileFacts) -> Result<Outcome, TransitionError> {
    use JobState::*;
    let to = |state| Ok(Outcome { state, effect: FileEffect::None });
    let refuse = Err(TransitionError::InvalidState { state, action });
    if state.is_final() {
        return refuse;
    }
    match action {
        Action::Resume if facts.files == 0 => Err(TransitionError::EmptyJob),
        Action::Resume => match state {
            Suspended | TransientError | Error => to(Queued),
            Transferred if facts.untransferred > 0 => to(Queued),
            _ => to(state),
        },
        Action::Suspend => to(Suspended),
        Action::Cancel => Ok(Outcome { state: Cancelled, effect: FileEffect::DeleteTempFiles }),
        Action::Complete => {
            Ok(Outcome { state: Acknowledged, effect: FileEffect::CompleteFiles { partial: facts.untransferred > 0 } })
        }
        Action::Modify => to(state),
        Action::Start => match state {
            Queued => to(Connecting),
            _ => refuse,
        },
        Action::Connected => match state {
            Connecting | Transferring => to(Transferring),
            _ => refuse,
        },
        Action::TransientFail => match state {
            Queued | Connecting | Transferring | TransientError => to(TransientError),
            _ => refuse,
        },
        Action::Fail => match state {
            Queued | Connecting | Transferring | TransientError => to(Error),
            _ => refuse,
        },
        Action::AllTransferred => match state {
            Connecting | Transferring => to(Transferred),
            _ => refuse,
        },
        Action::Retry => match state {
            TransientError => to(Queued),
            _ => refuse,
        },
        Action::Preempt => match state {
            Connecting | Transferring => to(Queued),
            _ => refuse,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use JobState::*;

    const ACTIONS: [Action; 12] = [
        Action::Resume,
        Action::Suspend,
        Action::Cancel,
        Action::Complete,
        Action::Modify,
        Action::Start,
        Action::Connected,
        Action::TransientFail,
        Action::Fail,
        Action::AllTransferred,
        Action::Retry,
        Action::Preempt,
    ];

    /// The expected result for a job with one untransferred file, for every pair.
    fn expected(state: JobState, action: Action) -> Option<(JobState, FileEffect)> {
        let none = FileEffect::None;
        if state.is_final() {
            return None;
        }
        Some(match (action, state) {
            (Action::Resume, Suspended | TransientError | Error | Transferred) => (Queued, none),
            (Action::Resume, s) => (s, none),
            (Action::Suspend, _) => (Suspended, none),
            (Action::Cancel, _) => (Cancelled, FileEffect::DeleteTempFiles),
            (Action::Complete, _) => (Acknowledged, FileEffect::CompleteFiles { partial: true }),
            (Action::Modify, s) => (s, none),
            (Action::Start, Queued) => (Connecting, none),
            (Action::Connected, Connecting | Transferring) => (Transferring, none),
            (Action::TransientFail, Queued | Connecting | Transferring | TransientError) => (TransientError, none),
            (Action::Fail, Queued | Connecting | Transferring | TransientError) => (Error, none),
            (Action::AllTransferred, Connecting | Transferring) => (Transferred, none),
            (Action::Retry, TransientError) => (Queued, none),
            (Action::Preempt, Connecting | Transferring) => (Queued, none),
            _ => return None,
        })
    }

    #[test]
    fn every_state_action_pair_follows_the_table() {
        let facts = FileFacts { files: 1, untransferred: 1 };
        for state in JobState::ALL {
            for action in ACTIONS {
                let got = next(state, action, facts);
                match expected(state, action) {
                    Some((to, effect)) => {
                        assert_eq!(got, Ok(Outcome { state: to, effect }), "{state:?} {action:?}")
                    }
                    None => {
                        assert_eq!(got, Err(TransitionError::InvalidState { state, action }), "{state:?} {action:?}")
                    }
                }
            }
        }
    }

    #[test]
    fn resume_without_files_is_empty_job_in_every_live_state() {
        for state in JobState::ALL.into_iter().filter(|s| !s.is_final()) {
            assert_eq!(next(state, Action::Resume, FileFacts::default()), Err(TransitionError::EmptyJob));
        }
    }

    #[test]
    fn complete_of_a_transferred_job_is_not_partial() {
        let facts = FileFacts { files: 2, untransferred: 0 };
        let outcome = next(Transferred, Action::Complete, facts).expect("legal");
        assert_eq!(outcome.effect, FileEffect::CompleteFiles { partial: false });
        let resumed = next(Transferred, Action::Resume, facts).expect("legal");
        assert_eq!(resumed.state, Transferred, "nothing left to transfer");
    }
}
