//! The survey rule pack and its code lists, compiled into the binary so `vakt check` works with no
//! files beside it. The files under `rules/` are the source; this module only includes them.

/// Where the survey pack lives in the repository; reports name it.
pub const SURVEY_PACK_PATH: &str = "rules/group-therapy-survey.toml";
/// The survey pack's TOML.
pub const SURVEY_PACK: &str = include_str!("../../../../rules/group-therapy-survey.toml");

/// Files the embedded pack names, by path relative to the pack.
const FILES: &[(&str, &str)] = &[
    (
        "codelists/authority.csv",
        include_str!("../../../../rules/codelists/authority.csv"),
    ),
    (
        "codelists/boolean.csv",
        include_str!("../../../../rules/codelists/boolean.csv"),
    ),
    (
        "codelists/duration_cat.csv",
        include_str!("../../../../rules/codelists/duration_cat.csv"),
    ),
    (
        "codelists/frequency.csv",
        include_str!("../../../../rules/codelists/frequency.csv"),
    ),
    (
        "codelists/group_format.csv",
        include_str!("../../../../rules/codelists/group_format.csv"),
    ),
    (
        "codelists/group_type.csv",
        include_str!("../../../../rules/codelists/group_type.csv"),
    ),
    (
        "codelists/gt_training.csv",
        include_str!("../../../../rules/codelists/gt_training.csv"),
    ),
    (
        "codelists/profession.csv",
        include_str!("../../../../rules/codelists/profession.csv"),
    ),
    (
        "codelists/region.csv",
        include_str!("../../../../rules/codelists/region.csv"),
    ),
    (
        "codelists/role.csv",
        include_str!("../../../../rules/codelists/role.csv"),
    ),
    (
        "codelists/service_mode.csv",
        include_str!("../../../../rules/codelists/service_mode.csv"),
    ),
    (
        "codelists/setting.csv",
        include_str!("../../../../rules/codelists/setting.csv"),
    ),
    ("codelists/sex.csv", include_str!("../../../../rules/codelists/sex.csv")),
    (
        "icd10-chapter-v.csv",
        include_str!("../../../../rules/icd10-chapter-v.csv"),
    ),
];

/// An embedded file by its path relative to the pack.
pub fn file(rel: &str) -> Option<&'static str> {
    FILES.iter().find(|(p, _)| *p == rel).map(|(_, t)| *t)
}
