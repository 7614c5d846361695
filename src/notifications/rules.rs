//! Who hears what: the pure rules of notifications. No database and no clock; the fan-out
//! gathers the facts (a timeline event, a user's follow level, why they are a recipient) and
//! asks these.

use super::kinds::{EmailMode, FollowLevel, NotificationKind as K};
use crate::topics::events::EventKind;
use crate::topics::rules::Action;

/// Which notification a topic timeline event makes, if any. `action` is the transition's
/// verb and `task_done` whether a task-progress event finished its task.
pub fn kind_of_timeline(event: EventKind, action: Option<Action>, task_done: bool) -> Option<K> {
    Some(match event {
        EventKind::Created => K::TopicRaised,
        EventKind::Transition => match action? {
            Action::Accept => K::TopicAccepted,
            Action::Reject => K::TopicRejected,
            Action::Merge => K::TopicMerged,
            Action::Withdraw => K::TopicWithdrawn,
            Action::Escalate => K::TopicEscalated,
            Action::Decide => K::TopicDecided,
            Action::PublishPlan => K::PlanPublished,
            Action::ApprovePlan => K::TopicAdvanced,
            Action::Complete => K::EvaluationOpened,
            Action::Close => K::TopicClosed,
            Action::Rework => K::TopicRework,
        },
        EventKind::Commented => K::CommentAdded,
        EventKind::TaskCreated => K::TaskAssigned,
        EventKind::TaskProgress if task_done => K::TaskDone,
        EventKind::ObjectionFiled => K::ObjectionFiled,
        EventKind::ObjectionUpheld | EventKind::ObjectionDismissed => K::ObjectionAnswered,
        _ => return None,
    })
}

/// The follow level an action on a topic gives its actor, unless they already have one (an
/// explicit unfollow or mute is kept). Raising a topic watches it (its discussion is theirs).
pub fn auto_follow(event: EventKind) -> Option<FollowLevel> {
    match event {
        EventKind::Created => Some(FollowLevel::Watching),
        EventKind::Supported
        | EventKind::Commented
        | EventKind::Rated
        | EventKind::RatingChanged
        | EventKind::ObjectionFiled => Some(FollowLevel::Normal),
        _ => None,
    }
}

/// The follow levels whose holders hear a kind as followers. Work addressed to someone
/// (tasks, meetings, staff queues) reaches only those it is addressed to.
pub fn follower_levels(kind: K) -> &'static [FollowLevel] {
    match kind {
        K::CommentAdded => &[FollowLevel::Watching],
        K::TopicRaised
        | K::ObjectionFiled
        | K::TaskAssigned
        | K::TaskDue
        | K::TaskOverdue
        | K::MeetingInvited
        | K::MeetingUpdated
        | K::MeetingCancelled
        | K::MeetingReminder
        | K::MinutesReady => &[],
        _ => &[FollowLevel::Watching, FollowLevel::Normal],
    }
}

/// Why someone must hear of an event whatever they follow: they have to act on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Duty {
    /// Staff of the place: accept, answer objections, supervise overdue work (督办).
    Staff,
    /// A CPPCC member of the place, for escalated topics (请你来协商).
    Cppcc,
    /// The task's assignee or a member of its organisation.
    Assignee,
    /// Invited to the meeting (or a member of an invited organisation), or convening it.
    Participant,
    /// Wrote the objection that was answered.
    Objector,
}

/// Who must act on a kind, beyond its followers.
pub fn duties(kind: K) -> &'static [Duty] {
    match kind {
        K::TopicRaised | K::ObjectionFiled | K::TaskDone | K::EvaluationClosing => &[Duty::Staff],
        K::TopicEscalated => &[Duty::Cppcc],
        K::TaskAssigned | K::TaskDue => &[Duty::Assignee],
        K::TaskOverdue => &[Duty::Assignee, Duty::Staff],
        K::ObjectionAnswered => &[Duty::Objector],
        K::MeetingInvited
        | K::MeetingUpdated
        | K::MeetingCancelled
        | K::MeetingReminder
        | K::MinutesReady => &[Duty::Participant],
        _ => &[],
    }
}

/// The mail mode for a kind: the user's choice for that kind, else their general choice.
pub fn email_mode(general: EmailMode, for_kind: Option<EmailMode>) -> EmailMode {
    for_kind.unwrap_or(general)
}

/// Whether an immediate mail still fits the user's hourly cap; beyond it the notification
/// waits for the digest instead of flooding the inbox.
pub fn within_hourly_cap(sent_last_hour: i64, cap: i64) -> bool {
    cap <= 0 || sent_last_hour < cap
}

/// The local day (`YYYY-MM-DD`) whose digest is due at `local` if the user's digest hour has
/// come; `None` before that hour.
pub fn digest_day(local: chrono::NaiveDateTime, digest_hour: u32) -> Option<String> {
    use chrono::Timelike;
    (local.hour() >= digest_hour).then(|| local.format("%Y-%m-%d").to_string())
}

/// The meeting reminder due now, if any: the smallest offset (minutes before the start) whose
/// moment has come while the meeting has not started. Only the smallest, so a meeting
/// scheduled 30 minutes ahead gets one reminder, not a "24 hours before" one as well.
pub fn meeting_reminder_due(
    offsets: &[i64],
    starts_at: chrono::NaiveDateTime,
    now: chrono::NaiveDateTime,
) -> Option<i64> {
    if now >= starts_at {
        return None;
    }
    offsets
        .iter()
        .copied()
        .filter(|m| *m > 0 && now >= starts_at - chrono::Duration::minutes(*m))
        .min()
}

/// Whether the day's task reminders are due at the local time `local`: from the reminder
/// hour to midnight.
pub fn task_reminders_due(local: chrono::NaiveDateTime, hour: u32) -> bool {
    use chrono::Timelike;
    local.hour() >= hour
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transitions_name_their_kind() {
        let t = |a| kind_of_timeline(EventKind::Transition, Some(a), false);
        assert_eq!(t(Action::Accept), Some(K::TopicAccepted));
        assert_eq!(t(Action::ApprovePlan), Some(K::TopicAdvanced));
        assert_eq!(t(Action::Complete), Some(K::EvaluationOpened));
        assert_eq!(t(Action::Rework), Some(K::TopicRework));
        // Every action has a kind: no transition goes unheard.
        for a in Action::ALL {
            assert!(t(a).is_some(), "{a:?}");
        }
        assert_eq!(kind_of_timeline(EventKind::Transition, None, false), None);
    }

    #[test]
    fn only_events_someone_should_hear_make_notifications() {
        assert_eq!(kind_of_timeline(EventKind::Supported, None, false), None);
        assert_eq!(kind_of_timeline(EventKind::Rated, None, false), None);
        assert_eq!(kind_of_timeline(EventKind::TaskProgress, None, false), None);
        assert_eq!(
            kind_of_timeline(EventKind::TaskProgress, None, true),
            Some(K::TaskDone)
        );
        assert_eq!(
            kind_of_timeline(EventKind::ObjectionDismissed, None, false),
            Some(K::ObjectionAnswered)
        );
    }

    #[test]
    fn acting_on_a_topic_follows_it() {
        assert_eq!(auto_follow(EventKind::Created), Some(FollowLevel::Watching));
        for e in [EventKind::Supported, EventKind::Commented, EventKind::Rated] {
            assert_eq!(auto_follow(e), Some(FollowLevel::Normal));
        }
        assert_eq!(auto_follow(EventKind::Transition), None);
    }

    #[test]
    fn muted_and_unfollowed_hear_nothing_as_followers() {
        for k in NotificationKind::ALL {
            let levels = follower_levels(k);
            assert!(!levels.contains(&FollowLevel::Muted), "{k:?}");
            assert!(!levels.contains(&FollowLevel::Unfollowed), "{k:?}");
        }
        assert_eq!(follower_levels(K::CommentAdded), &[FollowLevel::Watching]);
        assert!(follower_levels(K::TopicAccepted).contains(&FollowLevel::Normal));
    }

    #[test]
    fn work_reaches_those_who_must_act() {
        assert_eq!(duties(K::TaskOverdue), &[Duty::Assignee, Duty::Staff]);
        assert_eq!(duties(K::TopicRaised), &[Duty::Staff]);
        assert_eq!(duties(K::TopicEscalated), &[Duty::Cppcc]);
        // Addressed kinds that followers do not hear always have someone who does.
        for k in NotificationKind::ALL {
            assert!(
                !follower_levels(k).is_empty() || !duties(k).is_empty(),
                "{k:?} would reach no one"
            );
        }
    }

    #[test]
    fn mail_modes_caps_and_digest_days() {
        use EmailMode::*;
        assert_eq!(email_mode(Immediate, None), Immediate);
        assert_eq!(email_mode(Immediate, Some(Off)), Off);
        assert_eq!(email_mode(Off, Some(Digest)), Digest);
        assert!(within_hourly_cap(9, 10));
        assert!(!within_hourly_cap(10, 10));
        assert!(within_hourly_cap(1000, 0));
        let at = |h| {
            chrono::NaiveDate::from_ymd_opt(2026, 12, 2)
                .unwrap()
                .and_hms_opt(h, 30, 0)
                .unwrap()
        };
        assert_eq!(digest_day(at(7), 8), None);
        assert_eq!(digest_day(at(8), 8).as_deref(), Some("2026-12-02"));
        assert_eq!(digest_day(at(23), 8).as_deref(), Some("2026-12-02"));
    }

    use super::super::kinds::NotificationKind;
}

#[cfg(test)]
mod reminder_tests {
    use super::*;
    use chrono::{Duration, NaiveDate, NaiveDateTime};

    fn at(h: u32, m: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 12, 2)
            .and_then(|d| d.and_hms_opt(h, m, 0))
            .unwrap_or_default()
    }

    #[test]
    fn the_smallest_offset_whose_moment_came_reminds() {
        let start = at(12, 0) + Duration::days(1);
        let offsets = [1440, 60];
        assert_eq!(meeting_reminder_due(&offsets, start, at(11, 59)), None);
        assert_eq!(meeting_reminder_due(&offsets, start, at(12, 0)), Some(1440));
        assert_eq!(
            meeting_reminder_due(&offsets, start, start - Duration::minutes(60)),
            Some(60)
        );
        assert_eq!(
            meeting_reminder_due(&offsets, start, start - Duration::minutes(1)),
            Some(60)
        );
        // Started: no more reminders.
        assert_eq!(meeting_reminder_due(&offsets, start, start), None);
        assert_eq!(meeting_reminder_due(&[], start, at(12, 0)), None);
    }

    #[test]
    fn task_reminders_wait_for_their_hour() {
        assert!(!task_reminders_due(at(8, 59), 9));
        assert!(task_reminders_due(at(9, 0), 9));
        assert!(task_reminders_due(at(23, 59), 9));
    }
}
