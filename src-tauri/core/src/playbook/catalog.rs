//! The playbooks shipped with the app: ordered steps and the situation each one fits.

use crate::model::Playbook;

struct Entry {
    key: &'static str,
    name: &'static str,
    description: &'static str,
    fits: &'static str,
    steps: &'static [&'static str],
}

const CATALOG: &[Entry] = &[
    Entry {
        key: "voc_sprint",
        name: "VoC Sprint",
        description: "Two weeks of structured listening: survey, interviews and a read-out the customer signs off.",
        fits: "Sentiment is slipping (NPS or CSAT below target) while usage holds.",
        steps: &[
            "Send the pulse survey to the champion and three active users",
            "Hold three 30-minute interviews",
            "Summarise themes and rank them by revenue impact",
            "Review the read-out with the executive sponsor",
            "Log agreed follow-ups in the success plan",
        ],
    },
    Entry {
        key: "renewal_rescue",
        name: "Renewal Rescue",
        description: "A focused recovery plan for an account whose renewal is at risk.",
        fits: "At-risk or critical accounts with a renewal in the next 120 days.",
        steps: &[
            "Confirm the decision maker and the renewal timeline",
            "Run a value review against the goals in the contract",
            "Agree a recovery plan with dated milestones",
            "Escalate blockers to product and support leads",
            "Hold the renewal conversation with a written proposal",
        ],
    },
    Entry {
        key: "activation_blitz",
        name: "Activation Blitz",
        description: "Get licensed users active: targeted enablement and in-product nudges for 30 days.",
        fits: "Product usage (active users, adoption) is well below target.",
        steps: &[
            "Pull the list of inactive licensed users",
            "Run two enablement sessions for the core workflow",
            "Switch on in-product guides for new users",
            "Check adoption after two weeks with the champion",
            "Share the before/after usage report",
        ],
    },
    Entry {
        key: "expansion_play",
        name: "Expansion Play",
        description: "Turn a healthy, growing account into an expansion opportunity.",
        fits: "Healthy accounts with usage at or above target and room to grow.",
        steps: &[
            "Map untapped teams and use cases",
            "Quantify the value delivered so far",
            "Introduce the account executive to the sponsor",
            "Run a tailored demo of the next tier",
            "Send the expansion proposal",
        ],
    },
    Entry {
        key: "support_stabilizer",
        name: "Support Stabilizer",
        description: "Bring ticket volume and resolution times back under control.",
        fits: "Support KPIs (tickets, resolution time, escalations) are off target.",
        steps: &[
            "Review the last 90 days of tickets by theme",
            "Agree a weekly triage call with support",
            "Fix or document the top three recurring issues",
            "Train the customer's admins on self-service",
            "Confirm ticket volume has fallen for two weeks",
        ],
    },
];

pub fn all() -> Vec<Playbook> {
    CATALOG.iter().map(to_model).collect()
}

pub fn find(key: &str) -> Option<Playbook> {
    CATALOG.iter().find(|e| e.key == key).map(to_model)
}

/// The display name of a playbook key, or the key itself for one no longer in the catalog.
pub fn name_of(key: &str) -> String {
    CATALOG
        .iter()
        .find(|e| e.key == key)
        .map(|e| e.name.to_string())
        .unwrap_or_else(|| key.to_string())
}

fn to_model(e: &Entry) -> Playbook {
    Playbook {
        key: e.key.into(),
        name: e.name.into(),
        description: e.description.into(),
        fits: e.fits.into(),
        steps: e.steps.iter().map(|s| s.to_string()).collect(),
    }
}
