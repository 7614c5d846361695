//! Languages and the message catalogue (zh-CN default, en), keyed by error code.

use actix_web::HttpRequest;
use actix_web::http::header::ACCEPT_LANGUAGE;

/// A language Yishi answers in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    ZhCn,
    En,
}

impl Lang {
    /// The language a request asked for.
    pub fn of(req: &HttpRequest) -> Lang {
        req.headers()
            .get(ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .map(Lang::negotiate)
            .unwrap_or_default()
    }

    /// Picks the supported language with the highest q-value in an Accept-Language header;
    /// zh-CN when nothing supported is named.
    pub fn negotiate(header: &str) -> Lang {
        let mut best: Option<(f32, Lang)> = None;
        for part in header.split(',') {
            let mut pieces = part.trim().split(';');
            let tag = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let lang = if tag == "en" || tag.starts_with("en-") {
                Lang::En
            } else if tag == "zh" || tag.starts_with("zh-") || tag == "*" {
                Lang::ZhCn
            } else {
                continue;
            };
            if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, lang));
            }
        }
        best.map(|(_, l)| l).unwrap_or_default()
    }
}

/// The message for `code` in `lang`; unknown codes get a generic message.
pub fn message(code: &str, lang: Lang) -> &'static str {
    let (zh, en) = match code {
        "field" => ("字段", "Field"),
        "request.malformed_json" => (
            "请求体不是有效的 JSON",
            "The request body is not valid JSON",
        ),
        "request.invalid_field" => (
            "字段的类型或取值无效",
            "A field has the wrong type or an unknown value",
        ),
        "request.missing_field" => ("缺少必填字段", "A required field is missing"),
        "request.invalid_query" => ("查询参数无效", "A query parameter is invalid"),
        "request.invalid_path" => ("路径参数无效", "A path parameter is invalid"),
        "request.body_too_large" => ("请求体过大", "The request body is too large"),
        "request.method_not_allowed" => (
            "该接口不支持此请求方法",
            "This endpoint does not take this method",
        ),
        "request.invalid_body" => ("请求体必须是 JSON 对象", "The body must be a JSON object"),
        "request.unsupported_media_type" => (
            "请求体必须是 application/json",
            "The request body must be application/json",
        ),
        "request.invalid_cursor" => ("分页游标无效", "The pagination cursor is invalid"),
        "validation.length" => ("字段长度不符合要求", "A field is too short or too long"),
        "validation.range" => ("字段取值超出范围", "A field is out of range"),
        "validation.email" => ("邮箱地址格式不正确", "The email address is not valid"),
        "validation.required" => ("缺少必填内容", "A required value is missing"),
        "validation.invalid" => ("字段取值无效", "A field value is not allowed"),
        "validation.control_chars" => (
            "字段不能包含 NUL 或其他控制字符",
            "A field must not contain NUL or other control characters",
        ),
        "validation.blank" => (
            "字段不能只有空白",
            "A field must contain a visible character",
        ),
        "validation.url" => (
            "网址必须以 http:// 或 https:// 开头并带有主机名，且不含空白",
            "The address must be http:// or https:// with a host and no whitespace",
        ),
        "validation.weak_password" => (
            "密码太弱：至少 10 个字符",
            "The password is too weak: at least 10 characters",
        ),
        "auth.missing_token" => ("需要登录", "Authentication required"),
        "auth.invalid_token" => (
            "访问令牌无效或已过期",
            "The access token is invalid or expired",
        ),
        "auth.session_revoked" => (
            "登录会话已失效，请重新登录",
            "The session has ended; log in again",
        ),
        "auth.invalid_credentials" => ("邮箱或密码错误", "Wrong email or password"),
        "auth.email_not_verified" => ("邮箱尚未验证", "The email address is not verified yet"),
        "auth.account_disabled" => ("账户已停用", "The account is disabled"),
        "auth.account_locked" => (
            "登录失败次数过多，账户暂时锁定",
            "Too many failed logins; the account is locked for a while",
        ),
        "auth.login_delayed" => (
            "该账户近期登录失败较多，请稍候再试",
            "Recent failed logins slow this account down; try again in a moment",
        ),
        "auth.too_many_attempts" => (
            "登录尝试过于频繁，请稍后再试",
            "Too many login attempts; try again later",
        ),
        "auth.refresh_invalid" => (
            "刷新令牌无效或已过期",
            "The refresh token is invalid or expired",
        ),
        "auth.refresh_reused" => (
            "刷新令牌已被使用，该会话已全部撤销",
            "The refresh token was already used; the whole session is revoked",
        ),
        "auth.invalid_email_token" => ("链接无效或已过期", "The link is invalid or expired"),
        "notifications.invalid_unsubscribe_token" => {
            ("退订链接无效", "The unsubscribe link is not valid")
        }
        "permission.denied" => ("无权执行此操作", "You may not do this"),
        "resource.not_found" => ("资源不存在", "Not found"),
        "resource.conflict" => ("与已有数据冲突", "Conflicts with existing data"),
        "resource.concurrent_update" => (
            "数据已被他人修改，请刷新后重试",
            "Changed by someone else; reload and retry",
        ),
        "route.not_found" => ("接口不存在", "No such endpoint"),
        "place.not_found" => ("地点不存在", "Place not found"),
        "stats.invalid_period" => (
            "统计时段无效：结束早于开始",
            "The period is invalid: to is before from",
        ),
        "webhook.not_found" => ("Webhook 不存在", "Webhook not found"),
        "webhook.private_target" => (
            "Webhook 地址指向内网或本机地址，已拒绝",
            "The webhook address leads to a private or loopback address",
        ),
        "webhook.unresolvable" => (
            "无法解析 Webhook 地址的主机名",
            "The webhook host has no address",
        ),
        "place.invalid_parent" => ("上级地点类型不符", "The parent place has the wrong kind"),
        "place.code_taken" => ("地点编码已被使用", "The place code is already used"),
        "organization.not_found" => ("组织不存在", "Organisation not found"),
        "user.not_found" => ("用户不存在", "User not found"),
        "grant.not_found" => ("角色授权不存在", "Role grant not found"),
        "grant.organization_required" => {
            ("该角色必须指定所属组织", "This role needs an organisation")
        }
        "grant.organization_kind_mismatch" => (
            "组织类型与角色不符",
            "The organisation kind does not fit the role",
        ),
        "grant.organization_not_allowed" => {
            ("该角色不能指定组织", "This role takes no organisation")
        }
        "grant.organization_out_of_scope" => (
            "该组织不服务于此地点",
            "The organisation serves no place overlapping the grant's place",
        ),
        "grant.place_required" => ("该角色必须指定地点", "This role needs a place"),
        "topic.not_found" => ("议题不存在", "Topic not found"),
        "notification.not_found" => ("通知不存在", "Notification not found"),
        "topic.invalid_transition" => (
            "当前阶段不能执行此操作",
            "This action is not possible at the topic's current stage",
        ),
        "topic.reason_required" => ("请填写理由", "A reason is required"),
        "topic.decision_required" => ("请填写协商决定", "The decision text is required"),
        "topic.target_required" => ("请指定合并到的议题", "The topic to merge into is required"),
        "topic.plan_exists" => (
            "已有实施方案，不能撤回",
            "A plan exists; the topic can no longer be withdrawn",
        ),
        "topic.already_escalated" => ("议题已提请协商", "The topic is already escalated"),
        "topic.hearing_required" => (
            "重大事项须先召开听证会或意见征询会并形成结果",
            "A major topic needs a concluded hearing or opinion-solicitation meeting with an outcome first",
        ),
        "topic.plan_has_no_tasks" => ("方案至少需要一项任务", "The plan needs at least one task"),
        "topic.plan_already_published" => (
            "方案已公示，不能修改",
            "The plan is published and cannot be changed",
        ),
        "topic.plan_not_published" => ("方案尚未公示", "The plan has not been published"),
        "topic.notice_period_running" => (
            "公示期尚未结束",
            "The public notice period is still running",
        ),
        "topic.objections_unanswered" => {
            ("仍有异议未答复", "Some objections have not been answered")
        }
        "topic.tasks_not_done" => ("仍有任务未完成", "Not every task is done"),
        "topic.evaluation_open" => (
            "评价期未结束且评价人数不足",
            "The evaluation window is open and there are not enough ratings yet",
        ),
        "topic.no_ratings" => ("尚无居民评价", "No resident has rated the result yet"),
        "topic.unsatisfied" => (
            "满意度未达标，不能办结",
            "Satisfaction is below the threshold; the topic cannot be closed",
        ),
        "topic.satisfied" => (
            "满意度已达标，无需返工",
            "Satisfaction meets the threshold; no rework is needed",
        ),
        "topic.stale_version" => (
            "议题已被他人更新，请刷新后重试",
            "The topic changed in the meantime; reload and retry",
        ),
        "topic.invalid_place" => (
            "议题须提在社区、网格或楼栋",
            "A topic belongs to a community, grid or building",
        ),
        "topic.on_behalf_not_allowed" => (
            "只有网格员和工作人员可以代为提出",
            "Only grid workers and staff raise topics on a resident's behalf",
        ),
        "topic.not_a_resident" => (
            "被代为提出的人不是该地居民",
            "That person is not a resident of the place",
        ),
        "topic.major_staff_only" => (
            "只有工作人员可以标记重大事项",
            "Only staff flag a topic as major",
        ),
        "topic.invalid_merge_target" => (
            "合并目标须是同一社区处于“说”或“议”阶段的未结议题",
            "The merge target must be another open topic of the same community, in say or discuss",
        ),
        "topic.support_closed" => ("当前阶段不能附议", "Supports are closed at this stage"),
        "topic.already_supported" => ("您已附议", "You already support this topic"),
        "topic.comments_closed" => ("议题已结束，不能评论", "The topic is closed to comments"),
        "topic.not_in_plan" => ("议题不在筹划阶段", "The topic is not in the plan stage"),
        "topic.not_in_act" => ("议题不在实施阶段", "The topic is not in the act stage"),
        "topic.not_in_notice" => ("方案不在公示期", "The plan is not under public notice"),
        "topic.evaluation_closed" => ("当前不在评价期", "The evaluation window is not open"),
        "support.not_found" => ("您尚未附议", "You do not support this topic"),
        "comment.not_found" => ("评论不存在", "Comment not found"),
        "comment.stance_not_allowed" => (
            "只有在议事阶段才能表明立场",
            "A stance is taken only during discussion",
        ),
        "comment.invalid_parent" => (
            "回复的评论不属于该议题",
            "The parent comment is not on this topic",
        ),
        "comment.already_hidden" => ("评论已被隐藏", "The comment is already hidden"),
        "task.not_found" => ("任务不存在", "Task not found"),
        "task.stale_version" => (
            "任务已被他人更新，请刷新后重试",
            "The task changed in the meantime; reload and retry",
        ),
        "task.responsible_required" => (
            "请指定责任单位或责任人",
            "A responsible organisation or user is required",
        ),
        "objection.not_found" => ("异议不存在", "Objection not found"),
        "objection.already_answered" => ("异议已答复", "The objection is already answered"),
        "evaluation.not_eligible" => (
            "只有提出、附议、评论或参会的居民可以评价",
            "Only residents who raised, supported, commented on or met about the topic may rate it",
        ),
        "idempotency.key_reused" => (
            "该幂等键已用于另一个请求",
            "This Idempotency-Key was used for a different request",
        ),
        "consultation.not_found" => ("协商会不存在", "Consultation not found"),
        "consultation.invalid_transition" => (
            "协商会当前状态不能执行此操作",
            "This action is not possible in the meeting's current status",
        ),
        "consultation.minutes_required" => {
            ("结束会议须填写会议纪要", "Minutes are required to conclude")
        }
        "consultation.reason_required" => ("取消会议须说明理由", "A reason is required to cancel"),
        "consultation.time_required" => ("请设置会议时间", "The meeting needs a start and an end"),
        "consultation.venue_required" => (
            "线下会议须有地点，线上会议须有链接",
            "An in-person meeting needs a venue and an online one a link",
        ),
        "consultation.invalid_time" => ("会议时间无效", "The meeting time is invalid"),
        "consultation.agenda_overrun" => (
            "议程总时长超出会议时间",
            "The agenda does not fit the meeting",
        ),
        "consultation.clash" => (
            "时间冲突：召集人、受邀人或会场已被占用",
            "Double booking: the convener, an invitee or the venue is taken",
        ),
        "consultation.stale_version" => (
            "协商会已被他人更新，请刷新后重试",
            "The meeting changed in the meantime; reload and retry",
        ),
        "consultation.not_editable" => (
            "会议已开始或结束，不能修改",
            "The meeting has started or ended and cannot be changed",
        ),
        "consultation.invalid_topic" => (
            "议题须已纳入议事目录并属于本会议所在地",
            "The topic must be in the catalog and within the meeting's place",
        ),
        "consultation.invalid_order" => (
            "须按新顺序列出全部议程",
            "List every agenda item exactly once",
        ),
        "consultation.not_started" => ("会议尚未开始", "The meeting has not started"),
        "consultation.not_concluded" => ("会议尚未结束", "The meeting has not concluded"),
        "consultation.too_early" => (
            "会议尚未到开始时间",
            "Too early: the meeting's scheduled time has not come",
        ),
        "consultation.too_late" => (
            "会议时间已过，请改期或取消",
            "Too late: the meeting's time is long past; move or cancel it",
        ),
        "invitation.invitee_required" => (
            "请指定一位用户或一个单位",
            "Invite a user or an organisation",
        ),
        "invitation.duplicate" => ("已邀请", "Already invited"),
        "invitation.not_invited" => ("您未受邀参加此会议", "You are not invited to this meeting"),
        "invitation.not_found" => ("邀请不存在", "Invitation not found"),
        "invitation.declined" => (
            "该邀请已被谢绝，不能登记出席",
            "This invitation was declined, so attendance cannot be recorded for it",
        ),
        "agenda_item.not_found" => ("议程不存在", "Agenda item not found"),
        "outcome.exists" => (
            "该议程已有协商结果",
            "This agenda item already has an outcome",
        ),
        "outcome.task_needs_topic" => (
            "该议程没有关联议题，不能生成任务",
            "The agenda item has no topic to add a task to",
        ),
        "outcome.not_found" => ("协商结果不存在", "Outcome not found"),
        "proposal.not_found" => ("提案不存在", "Proposal not found"),
        "proposal.invalid_transition" => (
            "提案当前状态不能执行此操作",
            "This step is not possible for the proposal now",
        ),
        "minutes.not_an_attendee" => (
            "只有参会人员可以确认纪要",
            "Only attendees sign off the minutes",
        ),
        "minutes.signoff_closed" => ("纪要确认期已过", "The sign-off period is over"),
        "minutes.already_signed" => ("您已确认或提出异议", "You have already signed off"),
        "calendar.no_feed" => ("尚未创建日历订阅", "No calendar feed exists"),
        "server.busy" => (
            "服务器繁忙，请稍后再试",
            "The server is busy; try again shortly",
        ),
        "server.unavailable" => ("服务暂时不可用", "The service is temporarily unavailable"),
        "server.internal" => ("服务器内部错误", "Internal server error"),
        "page.not_found" => (
            "找不到这个页面，可能地址有误或内容已删除。",
            "We cannot find this page: the address may be wrong or the item removed.",
        ),
        "form.expired" => (
            "页面已过期，请返回上一页刷新后再提交。",
            "This page has expired. Go back, reload it and submit again.",
        ),
        "attachment.not_found" => ("附件不存在", "Attachment not found"),
        "attachment.no_thumbnail" => ("该附件没有缩略图", "This attachment has no thumbnail"),
        "attachment.empty" => ("上传的文件是空的", "The uploaded file is empty"),
        "attachment.unsupported_type" => (
            "只接受 JPEG、PNG、WebP 图片（协商会另可上传 PDF）",
            "Only JPEG, PNG and WebP images are accepted (and PDF on meetings)",
        ),
        "attachment.type_not_allowed" => (
            "此处不接受该类型的文件：PDF 文档只能附在协商会上",
            "This file type is not accepted here: PDF documents go on meetings",
        ),
        "attachment.too_many_pixels" => ("图片像素过多", "The image has too many pixels"),
        "attachment.unreadable" => (
            "图片已损坏或不完整，无法读取",
            "The image is corrupt or truncated and cannot be read",
        ),
        "attachment.not_multipart" => (
            "请以 multipart/form-data 上传，文件放在 file 字段",
            "Send multipart/form-data with the file in the field `file`",
        ),
        "request.malformed_multipart" => (
            "multipart 请求体格式错误",
            "The multipart body is malformed",
        ),
        "attachment.topic_not_in_say" => (
            "议题已过“说”阶段，提出人不能再添加照片",
            "The topic is past the say step: its author can no longer add photos",
        ),
        "open_data.invalid_period" => (
            "时间段无效：结束时间早于开始时间",
            "The period is invalid: `to` is before `from`",
        ),
        _ => ("请求无法处理", "The request could not be processed"),
    };
    match lang {
        Lang::ZhCn => zh,
        Lang::En => en,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiates_by_quality() {
        assert_eq!(Lang::negotiate("en-US,en;q=0.9"), Lang::En);
        assert_eq!(Lang::negotiate("zh-CN,zh;q=0.9,en;q=0.8"), Lang::ZhCn);
        assert_eq!(Lang::negotiate("fr;q=1, en;q=0.5"), Lang::En);
        assert_eq!(Lang::negotiate("en;q=0.3, zh;q=0.7"), Lang::ZhCn);
        assert_eq!(Lang::negotiate("de"), Lang::ZhCn);
        assert_eq!(Lang::negotiate("en;q=0"), Lang::ZhCn);
        assert_eq!(Lang::negotiate(""), Lang::ZhCn);
    }

    #[test]
    fn every_workflow_refusal_has_its_own_message() {
        let generic = message("no.such.code", Lang::ZhCn);
        for r in crate::topics::rules::Refusal::ALL {
            assert_ne!(message(r.code(), Lang::ZhCn), generic, "{}", r.code());
            assert_ne!(
                message(r.code(), Lang::En),
                message("no.such.code", Lang::En),
                "{}",
                r.code()
            );
        }
    }

    #[test]
    fn every_consultation_refusal_has_its_own_message() {
        let generic = message("no.such.code", Lang::ZhCn);
        for r in crate::consultations::rules::Refusal::ALL {
            assert_ne!(message(r.code(), Lang::ZhCn), generic, "{}", r.code());
        }
        use crate::consultations::rules::TooSoonOrLate;
        for r in [TooSoonOrLate::TooEarly, TooSoonOrLate::TooLate] {
            assert_ne!(message(r.code(), Lang::ZhCn), generic, "{}", r.code());
        }
    }

    #[test]
    fn every_language_has_a_message() {
        for code in [
            "auth.invalid_credentials",
            "route.not_found",
            "no.such.code",
        ] {
            assert!(!message(code, Lang::En).is_empty());
            assert_ne!(message(code, Lang::En), message(code, Lang::ZhCn));
        }
    }
}
