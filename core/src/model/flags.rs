//! Which callbacks a job's sink receives (BG_NOTIFY_*).

use bitflags::bitflags;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

bitflags! {
    /// Notify flags; the default is `JOB_TRANSFERRED | JOB_ERROR`.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct NotifyFlags: u32 {
        /// `job_transferred` when the job enters transferred.
        const JOB_TRANSFERRED = 0x01;
        /// `job_error` when the job enters error.
        const JOB_ERROR = 0x02;
        /// No callbacks at all.
        const DISABLE = 0x04;
        /// `job_modification`, throttled.
        const JOB_MODIFICATION = 0x08;
        /// `file_transferred` for each file, in order.
        const FILE_TRANSFERRED = 0x10;
    }
}

impl Default for NotifyFlags {
    fn default() -> Self {
        NotifyFlags::JOB_TRANSFERRED | NotifyFlags::JOB_ERROR
    }
}

const NAMES: [(NotifyFlags, &str); 5] = [
    (NotifyFlags::JOB_TRANSFERRED, "job_transferred"),
    (NotifyFlags::JOB_ERROR, "job_error"),
    (NotifyFlags::JOB_MODIFICATION, "job_modification"),
    (NotifyFlags::FILE_TRANSFERRED, "file_transferred"),
    (NotifyFlags::DISABLE, "disable"),
];

impl NotifyFlags {
    /// Whether the flags ask for this callback (DISABLE turns everything off).
    pub fn wants(self, flag: NotifyFlags) -> bool {
        !self.contains(NotifyFlags::DISABLE) && self.contains(flag)
    }

    /// The protocol names of the set flags.
    pub fn names(self) -> Vec<&'static str> {
        NAMES.iter().filter(|(flag, _)| self.contains(*flag)).map(|(_, name)| *name).collect()
    }

    /// Parses protocol names; an unknown name is returned as the error.
    pub fn from_names<S: AsRef<str>>(names: &[S]) -> Result<Self, String> {
        let mut flags = NotifyFlags::empty();
        for name in names {
            let name = name.as_ref();
            let (flag, _) = NAMES.iter().find(|(_, n)| *n == name).ok_or_else(|| name.to_string())?;
            flags |= *flag;
        }
        Ok(flags)
    }
}

impl Serialize for NotifyFlags {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.names().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for NotifyFlags {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let names = Vec::<String>::deserialize(deserializer)?;
        NotifyFlags::from_names(&names)
            .map_err(|name| serde::de::Error::custom(format!("unknown notify flag '{name}'")))
    }
}
