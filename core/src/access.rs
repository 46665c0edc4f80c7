//! Who may act on a job: its owner, its creator, or an administrator.

use crate::model::{Caller, Job};

/// Whether `caller` may read, change or register on `job`.
pub fn may_act(caller: &Caller, job: &Job) -> bool {
    caller.admin || caller.uid == job.owner || caller.uid == job.creator
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{JobId, JobState, JobTimes, NotifyFlags, Priority, Progress};

    fn job(owner: u32, creator: u32) -> Job {
        let now = chrono::Utc::now();
        Job {
            id: JobId::new(),
            display_name: "j".into(),
            description: String::new(),
            job_type: "download".into(),
            state: JobState::Suspended,
            priority: Priority::Normal,
            owner,
            creator,
            progress: Progress::default(),
            times: JobTimes { created: now, modified: now, transfer_completed: None },
            error: None,
            error_count: 0,
            notify_flags: NotifyFlags::default(),
            notify_cmd_line: None,
            minimum_retry_delay_s: 10,
            no_progress_timeout_s: 60,
            auto_complete: false,
            custom_headers: vec![],
            speed_limit_bps: 0,
            max_connections: 32,
            cost_policy: crate::model::CostPolicy::Unmetered,
            credentials: None,
            cookies: false,
            proxy: None,
            speed_bps: 0.0,
            eta_s: None,
            wait_reason: None,
            wait_until: None,
        }
    }

    #[test]
    fn owner_creator_and_admin_may_act_others_may_not() {
        let j = job(1000, 1001);
        let cases = [(1000, true), (1001, true), (0, true), (1002, false), (65534, false)];
        for (uid, allowed) in cases {
            assert_eq!(may_act(&Caller::from_uid(uid, None), &j), allowed, "uid {uid}");
        }
    }
}
