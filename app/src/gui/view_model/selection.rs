//! Multi-select as in a file manager: click, Ctrl+click toggles, Shift+click
//! extends from the last clicked row, Ctrl+A takes every shown row.

use haul_core::model::JobId;
use std::collections::HashSet;

/// The selected jobs and the row a Shift+click extends from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    ids: HashSet<JobId>,
    anchor: Option<JobId>,
}

impl Selection {
    /// The selected ids (in no particular order).
    pub fn ids(&self) -> impl Iterator<Item = JobId> + '_ {
        self.ids.iter().copied()
    }

    /// Whether `job_id` is selected.
    pub fn contains(&self, job_id: JobId) -> bool {
        self.ids.contains(&job_id)
    }

    /// How many are selected.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Nothing selected.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The one selected job, if exactly one is.
    pub fn single(&self) -> Option<JobId> {
        if self.ids.len() == 1 { self.ids.iter().next().copied() } else { None }
    }

    /// Selects only this job.
    pub fn select_only(&mut self, job_id: JobId) {
        self.ids.clear();
        self.ids.insert(job_id);
        self.anchor = Some(job_id);
    }

    /// A click on a row, with Ctrl (`toggle`) or Shift (`extend`) held;
    /// `shown` is the table's order.
    pub fn click(&mut self, job_id: JobId, toggle: bool, extend: bool, shown: &[JobId]) {
        if extend && let Some(anchor) = self.anchor {
            let at = |id: JobId| shown.iter().position(|&s| s == id);
            if let (Some(a), Some(b)) = (at(anchor), at(job_id)) {
                if !toggle {
                    self.ids.clear();
                }
                self.ids.extend(&shown[a.min(b)..=a.max(b)]);
                return;
            }
        }
        if toggle {
            if !self.ids.remove(&job_id) {
                self.ids.insert(job_id);
            }
            self.anchor = Some(job_id);
        } else {
            self.select_only(job_id);
        }
    }

    /// Selects every shown row.
    pub fn select_all(&mut self, shown: &[JobId]) {
        self.ids = shown.iter().copied().collect();
    }

    /// Selects nothing.
    pub fn clear(&mut self) {
        self.ids.clear();
        self.anchor = None;
    }

    /// Keeps the ids for which `keep` holds.
    pub fn retain(&mut self, keep: impl Fn(&JobId) -> bool) {
        self.ids.retain(|id| keep(id));
        if self.anchor.is_some_and(|a| !self.ids.contains(&a)) {
            self.anchor = None;
        }
    }

    /// Forgets one job.
    pub fn remove(&mut self, job_id: JobId) {
        self.ids.remove(&job_id);
        if self.anchor == Some(job_id) {
            self.anchor = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn click_ctrl_and_shift_select_like_a_file_manager() {
        let shown: Vec<JobId> = (0..5).map(|_| JobId::new()).collect();
        let mut selection = Selection::default();
        selection.click(shown[1], false, false, &shown);
        assert_eq!(selection.single(), Some(shown[1]));
        selection.click(shown[3], false, true, &shown);
        assert_eq!(selection.len(), 3);
        assert!(selection.contains(shown[2]));
        selection.click(shown[2], true, false, &shown);
        assert_eq!(selection.len(), 2);
        assert!(!selection.contains(shown[2]));
        selection.click(shown[4], false, false, &shown);
        assert_eq!(selection.single(), Some(shown[4]));
        selection.select_all(&shown);
        assert_eq!(selection.len(), 5);
        selection.remove(shown[0]);
        assert_eq!(selection.len(), 4);
        selection.clear();
        assert!(selection.is_empty());
    }
}
