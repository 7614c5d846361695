//! Topics of 幸福社区 in every stage, driven through the real workflow functions so their
//! timelines, catalog numbers and chains are genuine. Catalog numbers follow the order the
//! topics are raised, so the order of the steps here is part of the demo.

use super::{CITY_CODE, demo_user, first_grid, meetings};
use crate::auth::Caller;
use crate::config::Settings;
use crate::db::DbConn;
use crate::error::{ApiError, ApiResult};
use crate::places::model::OrganizationKind;
use crate::places::queries as place_q;
use crate::topics::model::{
    NewEvaluation, NewTask, NewTopic, ObjectionAnswer, ObjectionDecision, PlanRequest, Resource,
    ResourceKind, TaskPatch, TaskStatus, TransitionRequest,
};
use crate::topics::rules::{Action, Category, Stance};
use crate::topics::{plan, workflow};

/// Seeds the demo topics, one story per stage, in catalog order.
pub(super) fn seed_topics(conn: &mut DbConn, settings: &Settings) -> ApiResult<()> {
    let mut seeder = TopicSeeder::new(conn, settings)?;
    seeder.closed_lift()?;
    seeder.evaluated_parking()?;
    seeder.acted_refuse_room()?;
    seeder.canteen_under_notice()?;
    seeder.discussed_noise()?;
    seeder.said_hallway()?;
    seeder.said_leak()?;
    seeder.rejected_chickens()
}

/// Which settings a workflow step runs under.
#[derive(Clone, Copy)]
enum Pace {
    /// No public notice: the topic passes it at once.
    Quick,
    /// The installation's own settings.
    Configured,
}

/// The demo users who act on topics, looked up once.
struct People {
    resident: Caller,
    /// resident2, the grid worker, the community staff and the CPPCC member, who support,
    /// rate and comment.
    neighbours: [Caller; 4],
    staff: Caller,
    sub: Caller,
    grid: Caller,
    property: Caller,
}

/// Drives the demo topics of one community through the workflow.
struct TopicSeeder<'a> {
    conn: &'a mut DbConn,
    settings: &'a Settings,
    /// `settings` without a public notice period.
    quick: Settings,
    community: i64,
    /// The property firm serving the community, which takes on the tasks.
    firm: Option<i64>,
    people: People,
}

impl<'a> TopicSeeder<'a> {
    fn new(conn: &'a mut DbConn, settings: &'a Settings) -> ApiResult<Self> {
        let community = place_q::place_id_by_code(conn, &format!("{CITY_CODE}-0-0-0"))?
            .ok_or_else(|| ApiError::internal("demo community"))?;
        let firm = place_q::list_organizations(
            conn,
            Some(OrganizationKind::PropertyFirm),
            Some(community),
            None,
            1,
        )?
        .first()
        .map(|o| o.id);
        let people = People {
            resident: demo_user(conn, "resident@yishi.demo")?,
            neighbours: [
                demo_user(conn, "resident2@yishi.demo")?,
                demo_user(conn, "grid@yishi.demo")?,
                demo_user(conn, "staff@yishi.demo")?,
                demo_user(conn, "cppcc@yishi.demo")?,
            ],
            staff: demo_user(conn, "staff@yishi.demo")?,
            sub: demo_user(conn, "subdistrict@yishi.demo")?,
            grid: demo_user(conn, "grid@yishi.demo")?,
            property: demo_user(conn, "property@yishi.demo")?,
        };
        // Topics that pass the public notice in the demo do so at once.
        let mut quick = settings.clone();
        quick.workflow.notice_days = 0;
        Ok(Self {
            conn,
            settings,
            quick,
            community,
            firm,
            people,
        })
    }

    /// 1. Closed and resolved: the lift, rated well.
    fn closed_lift(&mut self) -> ApiResult<()> {
        use Pace::Quick;
        let lift = self.raise(
            "3号楼电梯经常故障",
            "3号楼电梯一周停了三次，老人上下楼很困难，希望尽快彻底维修。",
            Category::Facilities,
        )?;
        self.supported(lift, 4)?;
        self.step(Quick, lift, Action::Accept, None)?;
        self.step(
            Quick,
            lift,
            Action::Decide,
            Some("由物业更换电梯控制柜，费用从维修资金列支"),
        )?;
        let task = self.planned(
            lift,
            "更换3号楼电梯控制柜并加装远程监测",
            "更换电梯控制柜",
            86000.0,
        )?;
        self.step(Quick, lift, Action::PublishPlan, None)?;
        self.approve_plan(lift)?;
        self.update_task(task, TaskStatus::Done, "控制柜已更换，通过特检院验收")?;
        self.step(Quick, lift, Action::Complete, None)?;
        let raters = std::iter::once(&self.people.resident).chain(self.people.neighbours.iter());
        for (who, score) in raters.zip([5, 4, 5, 4, 4]) {
            let rating = NewEvaluation {
                score,
                comment: "电梯修好了，运行平稳".into(),
            };
            plan::rate(self.conn, &self.quick, who, lift, &rating)?;
        }
        self.step(Quick, lift, Action::Close, None)
    }

    /// 2. Evaluate: parking, being rated.
    fn evaluated_parking(&mut self) -> ApiResult<()> {
        use Pace::Quick;
        let parking = self.raise(
            "小区停车位严重不足，外来车辆乱停",
            "晚上车位全满，外来车辆占用消防通道。",
            Category::TrafficParking,
        )?;
        self.supported(parking, 2)?;
        self.step(Quick, parking, Action::Accept, None)?;
        self.step(
            Quick,
            parking,
            Action::Decide,
            Some("施划夜间共享车位，外来车辆登记收费"),
        )?;
        let task = self.planned(
            parking,
            "施划共享车位并安装道闸",
            "安装车牌识别道闸",
            42000.0,
        )?;
        self.step(Quick, parking, Action::PublishPlan, None)?;
        self.approve_plan(parking)?;
        self.update_task(task, TaskStatus::Done, "道闸已安装")?;
        self.step(Quick, parking, Action::Complete, None)?;
        let rating = NewEvaluation {
            score: 4,
            comment: "好多了".into(),
        };
        plan::rate(
            self.conn,
            &self.quick,
            &self.people.resident,
            parking,
            &rating,
        )?;
        Ok(())
    }

    /// 3. Act: the refuse room being rebuilt, after a micro-consultation.
    fn acted_refuse_room(&mut self) -> ApiResult<()> {
        use Pace::Quick;
        let refuse = self.raise(
            "垃圾房异味严重，需要改造",
            "夏天垃圾房异味很大，蚊蝇多，建议改造为密闭式垃圾房。",
            Category::Environment,
        )?;
        self.supported(refuse, 3)?;
        self.step(Quick, refuse, Action::Accept, None)?;
        self.step(Quick, refuse, Action::Escalate, None)?;
        meetings::held_micro_consultation(
            self.conn,
            self.settings,
            self.community,
            refuse,
            self.firm,
        )?;
        self.step(
            Quick,
            refuse,
            Action::Decide,
            Some("改造为密闭式垃圾房，增加除臭设备"),
        )?;
        let task = self.planned(refuse, "垃圾房密闭化改造", "垃圾房改造施工", 120000.0)?;
        self.step(Quick, refuse, Action::PublishPlan, None)?;
        self.approve_plan(refuse)?;
        self.update_task(task, TaskStatus::InProgress, "已进场施工")
    }

    /// 4. Plan under public notice, with an answered objection.
    fn canteen_under_notice(&mut self) -> ApiResult<()> {
        use Pace::Configured;
        let canteen = self.raise(
            "社区老年食堂用餐排队时间长",
            "中午老人排队要半小时，希望增加窗口或分时段就餐。",
            Category::ElderlyChildren,
        )?;
        self.supported(canteen, 2)?;
        self.step(Configured, canteen, Action::Accept, None)?;
        self.step(
            Configured,
            canteen,
            Action::Decide,
            Some("增设一个打饭窗口，实行分时段就餐"),
        )?;
        self.planned(canteen, "增设窗口并分时段就餐", "改造打饭窗口", 15000.0)?;
        self.step(Configured, canteen, Action::PublishPlan, None)?;
        let objection = plan::file_objection(
            self.conn,
            &self.people.neighbours[0],
            canteen,
            "分时段对上班的子女接送老人不方便",
        )?;
        let answer = ObjectionAnswer {
            decision: ObjectionDecision::Dismissed,
            reason: "保留不分时段的窗口一个".into(),
        };
        plan::answer_objection(self.conn, &self.people.staff, objection.id, &answer)?;
        Ok(())
    }

    /// 5. Discuss: square-dance noise, escalated, with both sides and a courtyard meeting.
    fn discussed_noise(&mut self) -> ApiResult<()> {
        use Pace::Configured;
        let noise = self.raise(
            "夜间广场舞噪音扰民",
            "晚上九点后广场舞音响声音太大，影响休息。",
            Category::NeighbourhoodDisputes,
        )?;
        self.supported(noise, 1)?;
        self.step(Configured, noise, Action::Accept, None)?;
        let [for_, _, _, against] = &self.people.neighbours;
        workflow::comment(
            self.conn,
            for_,
            noise,
            "同意限制音量和时间",
            Some(Stance::For),
            None,
        )?;
        workflow::comment(
            self.conn,
            against,
            noise,
            "老人锻炼也需要场地，建议协商时间",
            Some(Stance::Against),
            None,
        )?;
        self.step(Configured, noise, Action::Escalate, None)?;
        meetings::upcoming_courtyard_meeting(self.conn, self.settings, self.community, noise)
    }

    /// 6a. Say: a fire hazard raised and supported.
    fn said_hallway(&mut self) -> ApiResult<()> {
        let hallway = self.raise(
            "楼道堆放杂物存在消防隐患",
            "5号楼楼道堆满纸箱和旧家具，一旦着火后果严重。",
            Category::Safety,
        )?;
        self.supported(hallway, 2)
    }

    /// 6b. Say: a leak raised by the grid worker, in their grid, for resident2.
    fn said_leak(&mut self) -> ApiResult<()> {
        let resident2 = self.people.neighbours[0].user_id;
        let patrol_grid = first_grid(self.conn, self.community)?;
        let new = new_topic(
            patrol_grid,
            "独居老人家中水管漏水",
            "网格巡查发现2号楼独居老人家水管漏水，需要物业上门维修。",
            Category::Property,
            Some(resident2),
        );
        workflow::create_topic(self.conn, &self.people.grid, &new, None)?;
        Ok(())
    }

    /// 7. Closed and rejected.
    fn rejected_chickens(&mut self) -> ApiResult<()> {
        let chickens = self.raise(
            "申请在公共绿地养鸡",
            "想在楼下绿地圈一块地养几只鸡。",
            Category::Other,
        )?;
        self.step(
            Pace::Configured,
            chickens,
            Action::Reject,
            Some("违反小区管理规约，公共绿地不得圈占"),
        )
    }

    /// The resident raises a topic in the community; returns its id.
    fn raise(&mut self, title: &str, body: &str, category: Category) -> ApiResult<i64> {
        let new = new_topic(self.community, title, body, category, None);
        Ok(workflow::create_topic(self.conn, &self.people.resident, &new, None)?.id)
    }

    /// The community staff moves topic `id` on by `action`; `text` is the reason of a
    /// rejection or the decision of a decide.
    fn step(&mut self, pace: Pace, id: i64, action: Action, text: Option<&str>) -> ApiResult<()> {
        let settings = match pace {
            Pace::Quick => &self.quick,
            Pace::Configured => self.settings,
        };
        transition(self.conn, settings, &self.people.staff, id, action, text)
    }

    /// The sub-district approves the published plan of topic `id`.
    fn approve_plan(&mut self, id: i64) -> ApiResult<()> {
        let sub = &self.people.sub;
        transition(self.conn, &self.quick, sub, id, Action::ApprovePlan, None)
    }

    /// The first `n` neighbours support topic `id`.
    fn supported(&mut self, id: i64, n: usize) -> ApiResult<()> {
        for who in self.people.neighbours.iter().take(n) {
            workflow::support(self.conn, who, id)?;
        }
        Ok(())
    }

    /// The staff saves a plan funded from the maintenance fund with one task for the firm,
    /// due in 30 days; returns the task's id.
    fn planned(&mut self, id: i64, summary: &str, task: &str, amount: f64) -> ApiResult<i64> {
        let staff = &self.people.staff;
        let request = PlanRequest {
            summary: summary.into(),
            resources: vec![Resource {
                kind: ResourceKind::Funds,
                source: "住宅专项维修资金".into(),
                amount,
                unit: "元".into(),
            }],
        };
        plan::save_plan(self.conn, staff, id, &request)?;
        let due = chrono::Utc::now() + chrono::Duration::days(30);
        let new = NewTask {
            title: task.into(),
            organization_id: self.firm,
            assignee_id: None,
            due_at: due,
        };
        Ok(plan::add_task(self.conn, staff, id, &new)?.id)
    }

    /// The property manager reports on a fresh `task`.
    fn update_task(&mut self, task: i64, status: TaskStatus, note: &str) -> ApiResult<()> {
        let patch = TaskPatch {
            status: Some(status),
            progress_note: Some(note.into()),
            expected_version: 1,
        };
        plan::update_task(self.conn, &self.people.property, task, &patch)?;
        Ok(())
    }
}

/// A topic at `place_id`, without the major flag.
fn new_topic(
    place_id: i64,
    title: &str,
    body: &str,
    category: Category,
    on_behalf_of: Option<i64>,
) -> NewTopic {
    NewTopic {
        place_id,
        title: title.into(),
        body: body.into(),
        category,
        major: None,
        on_behalf_of,
    }
}

/// `who` moves topic `id` on by `action` at its current version.
fn transition(
    conn: &mut DbConn,
    settings: &Settings,
    who: &Caller,
    id: i64,
    action: Action,
    text: Option<&str>,
) -> ApiResult<()> {
    let version = crate::topics::queries::topic(conn, id)?.version;
    let req = TransitionRequest {
        action,
        expected_version: version,
        note: None,
        reason: text
            .filter(|_| action == Action::Reject)
            .map(str::to_string),
        target_topic_id: None,
        decision: text
            .filter(|_| action == Action::Decide)
            .map(str::to_string),
    };
    workflow::transition(conn, settings, who, id, &req)?;
    Ok(())
}
