//! Words and numbers as people read them: sizes, speeds, durations, relative
//! times, state names and errors in plain language (UX.md "While it works").

use chrono::{DateTime, Utc};
use haul_core::model::{JobError, JobState, Priority};

pub use crate::units::{size, speed};

/// Seconds → "0:14", "12:03", "2:05:00"; "—" when unknown.
pub fn eta(seconds: Option<u64>) -> String {
    match seconds {
        None => "—".into(),
        Some(s) if s >= 3600 => format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60),
        Some(s) => format!("{}:{:02}", s / 60, s % 60),
    }
}

/// "just now", "2 min ago", "3 h ago", "yesterday", "12 Mar".
pub fn ago(at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let seconds = (now - at).num_seconds().max(0);
    match seconds {
        0..60 => "just now".into(),
        60..3600 => format!("{} min ago", seconds / 60),
        3600..86_400 => format!("{} h ago", seconds / 3600),
        86_400..172_800 => "yesterday".into(),
        _ => at.format("%-d %b %Y").to_string(),
    }
}

/// The state as a person says it (UX.md), before any detail.
pub fn state_word(state: JobState) -> &'static str {
    match state {
        JobState::Suspended => "Paused",
        JobState::Queued => "Waiting",
        JobState::Connecting => "Connecting",
        JobState::Transferring => "Downloading",
        JobState::TransientError => "Retrying",
        JobState::Error => "Failed",
        JobState::Transferred | JobState::Acknowledged => "Done",
        JobState::Cancelled => "Cancelled",
    }
}

/// A small icon for each state (glyphs of egui's default fonts).
pub fn state_icon(state: JobState) -> &'static str {
    match state {
        JobState::Suspended => "⏸",
        JobState::Queued => "⏳",
        JobState::Connecting => "🔗",
        JobState::Transferring => "⬇",
        JobState::TransientError => "⟲",
        JobState::Error => "✖",
        JobState::Transferred | JobState::Acknowledged => "✔",
        JobState::Cancelled => "🚫",
    }
}

/// Priority for people.
pub fn priority(priority: Priority) -> &'static str {
    match priority {
        Priority::Foreground => "Highest",
        Priority::High => "High",
        Priority::Normal => "Normal",
        Priority::Low => "Low",
    }
}

/// An error in plain words, e.g. "The file is not on the server (404)".
pub fn error_words(error: &JobError) -> String {
    let status = error.http_status.or_else(|| error.code.strip_prefix("http_").and_then(|s| s.parse().ok()));
    let plain = match (status, error.code.as_str()) {
        (Some(404), _) => Some("The file is not on the server (404)".to_string()),
        (Some(410), _) => Some("The file is gone from the server (410)".to_string()),
        (Some(401), _) => Some("The server asks for a login (401)".to_string()),
        (Some(403), _) => Some("The server refuses access (403)".to_string()),
        (Some(code @ 500..=599), _) => Some(format!("The server has a problem ({code})")),
        (Some(code), _) => Some(format!("The server answered with an error ({code})")),
        (_, "checksum_mismatch") => Some("The downloaded file is not the expected one (checksum mismatch)".into()),
        (_, "connection_refused") => Some("The server cannot be reached (connection refused)".into()),
        (_, "timeout") => Some("The server stopped answering (timeout)".into()),
        (_, "disk_full") => Some("The disk is full".into()),
        (_, "permission_denied") => Some("Haul may not write to the folder (permission denied)".into()),
        (_, "no_network") => Some("No network — the download resumes when you are back online".into()),
        (_, "unexpected_html") => Some("The server sent a web page instead of the file".into()),
        _ => None,
    };
    plain.unwrap_or_else(|| error.message.clone())
}

/// "Failed: the file is not on the server (404)", "Retrying: the server has a
/// problem (503)": the state and its reason in one sentence.
pub fn state_with_reason(state: JobState, error: Option<&JobError>) -> String {
    let word = state_word(state);
    match error {
        Some(error) if matches!(state, JobState::Error | JobState::TransientError) => {
            let words = error_words(error);
            let mut chars = words.chars();
            let first = chars.next().map(|c| c.to_lowercase().collect::<String>()).unwrap_or_default();
            format!("{word}: {first}{}", chars.as_str())
        }
        _ => word.to_string(),
    }
}

/// Seconds as a person says a span of time: "45 s", "10 min", "2 h", "14 days".
pub fn span(seconds: u64) -> String {
    match seconds {
        0..120 => format!("{seconds} s"),
        120..7_200 => format!("{} min", seconds / 60),
        7_200..172_800 => format!("{} h", seconds / 3600),
        _ => format!("{} days", seconds / 86_400),
    }
}

/// "3 downloads finished, 1 failed" (parts with zero left out).
pub fn outcome_counts(finished: usize, failed: usize) -> String {
    let plural = |n: usize| if n == 1 { "download" } else { "downloads" };
    match (finished, failed) {
        (0, 0) => "Nothing new".into(),
        (f, 0) => format!("{f} {} finished", plural(f)),
        (0, e) => format!("{e} {} failed", plural(e)),
        (f, e) => format!("{f} {} finished, {e} failed", plural(f)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use haul_core::model::ErrorContext;

    #[test]
    fn numbers_read_like_words() {
        assert_eq!(eta(Some(14)), "0:14");
        assert_eq!(eta(Some(7_500)), "2:05:00");
        assert_eq!(eta(None), "—");
        assert_eq!(outcome_counts(3, 1), "3 downloads finished, 1 failed");
        assert_eq!(outcome_counts(1, 0), "1 download finished");
        assert_eq!(outcome_counts(0, 2), "2 downloads failed");
        assert_eq!(span(45), "45 s");
        assert_eq!(span(600), "10 min");
        assert_eq!(span(1_209_600), "14 days");
    }

    #[test]
    fn times_are_relative() {
        let now = Utc::now();
        assert_eq!(ago(now, now), "just now");
        assert_eq!(ago(now - chrono::Duration::minutes(2), now), "2 min ago");
        assert_eq!(ago(now - chrono::Duration::hours(3), now), "3 h ago");
    }

    #[test]
    fn errors_are_plain() {
        let mut error = JobError::new(ErrorContext::RemoteFile, "http_404", "HTTP 404 for http://x/gone.zip");
        assert_eq!(error_words(&error), "The file is not on the server (404)");
        assert_eq!(state_with_reason(JobState::Error, Some(&error)), "Failed: the file is not on the server (404)");
        assert_eq!(state_with_reason(JobState::Suspended, Some(&error)), "Paused");
        error.code = "weird".into();
        assert_eq!(error_words(&error), "HTTP 404 for http://x/gone.zip");
        assert_eq!(state_word(JobState::Suspended), "Paused");
        assert_eq!(state_word(JobState::Acknowledged), "Done");
    }
}
