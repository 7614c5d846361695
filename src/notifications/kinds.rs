//! The words of notifications: what happened (kind), how closely someone follows a topic, how
//! they want mail, and in which language. Stored and sent by these names.

crate::wire_enum! {
    /// What a notification is about: the closed set of SPEC "Notifications" events. Webhook
    /// subscriptions and per-kind mail preferences name these.
    pub enum NotificationKind {
        /// A new topic waits for staff to accept it (待受理).
        TopicRaised = "topic_raised",
        TopicAccepted = "topic_accepted",
        TopicRejected = "topic_rejected",
        TopicMerged = "topic_merged",
        TopicWithdrawn = "topic_withdrawn",
        /// Moved on to the next step without a kind of its own (the plan approved: 办).
        TopicAdvanced = "topic_advanced",
        TopicEscalated = "topic_escalated",
        TopicDecided = "topic_decided",
        PlanPublished = "plan_published",
        ObjectionFiled = "objection_filed",
        ObjectionAnswered = "objection_answered",
        TaskAssigned = "task_assigned",
        /// A task is due tomorrow (reminder).
        TaskDue = "task_due",
        /// A task is past its due date (daily reminder, 督办).
        TaskOverdue = "task_overdue",
        TaskDone = "task_done",
        EvaluationOpened = "evaluation_opened",
        EvaluationClosing = "evaluation_closing",
        TopicRework = "topic_rework",
        TopicClosed = "topic_closed",
        /// A new comment: heard only by those watching the topic.
        CommentAdded = "comment_added",
        MeetingInvited = "meeting_invited",
        MeetingUpdated = "meeting_updated",
        MeetingCancelled = "meeting_cancelled",
        MeetingReminder = "meeting_reminder",
        /// A concluded meeting's minutes wait for the attendees' sign-off.
        MinutesReady = "minutes_ready",
    }
}

crate::wire_enum! {
    /// How closely a user follows a topic. `Unfollowed` is kept as a row so that a later
    /// comment does not follow the topic again; the API never accepts it.
    pub enum FollowLevel {
        /// Every change and every comment.
        Watching = "watching",
        /// Every change of step, no comments.
        Normal = "normal",
        /// Nothing, unless the user must act.
        Muted = "muted",
        Unfollowed = "unfollowed",
    }
}

crate::wire_enum! {
    /// The levels a user may ask for (`PUT /topics/{id}/follow`); unfollowing is a DELETE.
    pub enum FollowChoice {
        Watching = "watching",
        Normal = "normal",
        Muted = "muted",
    }
}

impl FollowChoice {
    /// The stored level.
    pub fn level(self) -> FollowLevel {
        match self {
            FollowChoice::Watching => FollowLevel::Watching,
            FollowChoice::Normal => FollowLevel::Normal,
            FollowChoice::Muted => FollowLevel::Muted,
        }
    }
}

crate::wire_enum! {
    /// When a kind of notification is mailed.
    pub enum EmailMode {
        Immediate = "immediate",
        Digest = "digest",
        Off = "off",
    }
}

crate::wire_enum! {
    /// The language mails and notification texts are written in.
    pub enum Language {
        #[serde(rename = "zh-CN")]
        ZhCn = "zh-CN",
        #[serde(rename = "en")]
        En = "en",
    }
}

crate::wire_enum! {
    /// What became of a notification's mail.
    pub enum DeliveryMode {
        Immediate = "immediate",
        Digest = "digest",
        Skipped = "skipped",
    }
}
