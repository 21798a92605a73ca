use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Playbook {
    pub key: String,
    pub name: String,
    pub description: String,
    /// The situation it fits, in a sentence.
    pub fits: String,
    pub steps: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ExecutionStatus {
    InProgress,
    Completed,
    Cancelled,
}

impl ExecutionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ExecutionStatus::InProgress => "in_progress",
            ExecutionStatus::Completed => "completed",
            ExecutionStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<ExecutionStatus> {
        match s {
            "in_progress" => Some(ExecutionStatus::InProgress),
            "completed" => Some(ExecutionStatus::Completed),
            "cancelled" => Some(ExecutionStatus::Cancelled),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct StepResult {
    pub title: String,
    pub done: bool,
    pub note: Option<String>,
    pub done_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PlaybookExecution {
    pub id: i64,
    pub account_id: i64,
    pub account_name: String,
    pub playbook_key: String,
    pub playbook_name: String,
    pub status: ExecutionStatus,
    pub steps: Vec<StepResult>,
    pub notes: Option<String>,
    pub started_at: String,
    pub updated_at: String,
    pub completed_at: Option<String>,
}

/// A playbook suggested for an account, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PlaybookSuggestion {
    pub playbook_key: String,
    pub reason: String,
}
