//! The kinds of event a change records in the outbox (PRODUCT.md §3), with their stored names.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventType {
    /// A KPI workbook imported rows for the account.
    KpiDataUploaded,
    /// A health trend of the account was created or updated.
    HealthScoresUpdated,
    /// The account's profile changed, or one of its playbooks completed.
    AccountDataChanged,
}

impl EventType {
    pub fn name(self) -> &'static str {
        match self {
            EventType::KpiDataUploaded => "KPI_DATA_UPLOADED",
            EventType::HealthScoresUpdated => "HEALTH_SCORES_UPDATED",
            EventType::AccountDataChanged => "ACCOUNT_DATA_CHANGED",
        }
    }

    /// The snapshot's `trigger_event` for this event.
    pub fn trigger_event(self) -> &'static str {
        match self {
            EventType::KpiDataUploaded => "kpi_data_uploaded",
            EventType::HealthScoresUpdated => "health_scores_updated",
            EventType::AccountDataChanged => "account_data_changed",
        }
    }
}
