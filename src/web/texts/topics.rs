//! Words of the topic pages: the catalog, a topic, raising one; and the names of the steps,
//! categories and resolutions wherever they are shown.

use crate::topics::rules::{Category, Resolution, Stage};

/// Texts of the topic pages.
pub struct Topics {
    pub catalog: &'static str,
    pub catalog_no: &'static str,
    pub supporters: &'static str,
    pub raise_topic: &'static str,
    /// The five steps and the end, in [`Stage`] order: the short word (说) and its meaning.
    pub stage_words: [&'static str; 6],
    pub stage_names: [&'static str; 6],
    /// In [`Category`] order.
    pub categories: [&'static str; 8],
    /// In [`Resolution`] order.
    pub resolutions: [&'static str; 4],
}

impl Topics {
    /// The one-character word of a step (说议筹办评, 结).
    pub fn stage_word(&self, s: &Stage) -> &'static str {
        self.stage_words[stage_index(*s)]
    }

    /// The name of a step.
    pub fn stage(&self, s: &Stage) -> &'static str {
        self.stage_names[stage_index(*s)]
    }

    /// The name of a category.
    pub fn category(&self, c: &Category) -> &'static str {
        let i = Category::ALL.iter().position(|x| x == c).unwrap_or(7);
        self.categories[i]
    }

    /// The name of a resolution.
    pub fn resolution(&self, r: &Resolution) -> &'static str {
        let i = Resolution::ALL.iter().position(|x| x == r).unwrap_or(0);
        self.resolutions[i]
    }
}

fn stage_index(s: Stage) -> usize {
    match s {
        Stage::Say => 0,
        Stage::Discuss => 1,
        Stage::Plan => 2,
        Stage::Act => 3,
        Stage::Evaluate => 4,
        Stage::Closed => 5,
    }
}

pub const ZH: Topics = Topics {
    catalog: "议事目录",
    catalog_no: "编号",
    supporters: "附议",
    raise_topic: "我要提议题",
    stage_words: ["说", "议", "筹", "办", "评", "结"],
    stage_names: ["提出", "商议", "筹划", "办理", "评价", "已结项"],
    categories: [
        "环境卫生",
        "物业管理",
        "治安安全",
        "公共设施",
        "交通停车",
        "一老一小",
        "邻里纠纷",
        "其他",
    ],
    resolutions: ["已解决", "未受理", "已合并", "已撤回"],
};

pub const EN: Topics = Topics {
    catalog: "Topic catalog",
    catalog_no: "No.",
    supporters: "Supporters",
    raise_topic: "Raise a topic",
    stage_words: ["Say", "Discuss", "Plan", "Act", "Evaluate", "Closed"],
    stage_names: [
        "Raised",
        "Under discussion",
        "Planning",
        "In action",
        "Evaluation",
        "Closed",
    ],
    categories: [
        "Environment",
        "Property management",
        "Safety",
        "Facilities",
        "Traffic and parking",
        "Elderly and children",
        "Neighbour disputes",
        "Other",
    ],
    resolutions: ["Resolved", "Rejected", "Merged", "Withdrawn"],
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_category_and_resolution_has_a_name() {
        assert_eq!(Category::ALL.len(), ZH.categories.len());
        assert_eq!(Resolution::ALL.len(), ZH.resolutions.len());
        assert_eq!(Stage::ALL.len(), ZH.stage_words.len());
    }
}
