//! Pure rules of the five steps 说议筹办评: the workflow table of SPEC.md ("Topics and the five
//! steps") and every other topic rule as plain functions. No HTTP, no database, no clock: the
//! actions gather the [`Facts`] and turn a [`Refusal`] into a problem response, so the whole
//! workflow can be tested exhaustively here. The names (stages, actions, categories...) are
//! here, the table with its facts and refusals in `table`, the other rules in `around`, and
//! their case tables in `tests`.

crate::wire_enum! {
    /// The step a topic is in: 说 say, 议 discuss, 筹 plan, 办 act, 评 evaluate, or closed.
    pub enum Stage {
        Say = "say",
        Discuss = "discuss",
        Plan = "plan",
        Act = "act",
        Evaluate = "evaluate",
        Closed = "closed",
    }
}

crate::wire_enum! {
    /// How a closed topic ended; only a closed topic has one.
    pub enum Resolution {
        Resolved = "resolved",
        Rejected = "rejected",
        Merged = "merged",
        Withdrawn = "withdrawn",
    }
}

crate::wire_enum! {
    /// A transition request's verb (`POST /topics/{id}/transitions {action}`).
    #[schema(as = TopicAction)]
    pub enum Action {
        Accept = "accept",
        Reject = "reject",
        Merge = "merge",
        Withdraw = "withdraw",
        Escalate = "escalate",
        Decide = "decide",
        PublishPlan = "publish_plan",
        ApprovePlan = "approve_plan",
        Complete = "complete",
        Close = "close",
        Rework = "rework",
    }
}

crate::wire_enum! {
    /// What a topic is about; drives routing to the responsible organisation and the statistics.
    #[schema(as = TopicCategory)]
    pub enum Category {
        Environment = "environment",
        Property = "property",
        Safety = "safety",
        Facilities = "facilities",
        TrafficParking = "traffic_parking",
        ElderlyChildren = "elderly_children",
        NeighbourhoodDisputes = "neighbourhood_disputes",
        Other = "other",
    }
}

crate::wire_enum! {
    /// Through which door a topic came in ("一门受理": one front door, many channels).
    pub enum Source {
        Resident = "resident",
        GridWorker = "grid_worker",
        Staff = "staff",
        Cppcc = "cppcc",
        Hotline = "hotline",
        Open311 = "open311",
    }
}

crate::wire_enum! {
    /// A comment's position in the discussion; only neutral outside the discuss step.
    pub enum Stance {
        For = "for",
        Against = "against",
        Neutral = "neutral",
    }
}

mod around;
mod merge;
mod table;

pub use around::*;
pub use merge::*;
pub use table::*;

#[cfg(test)]
mod tests;
