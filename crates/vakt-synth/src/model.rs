//! The national truth: every authority's units, groups, patients and therapists, drawn so that the
//! totals reproduce Lorentzen & Ruud (2014) exactly at scale 1 (426 groups, 296 in DPS; 2391
//! patients with the paper's diagnosis counts) and plausibly everywhere else.

use super::rng::{apportion, Rng};
use crate::nin;
use vakt_core::value::Date;

/// Survey date of the national set.
pub fn reference_date() -> Date {
    Date::from_ymd(2009, 3, 1).unwrap_or(Date(14304))
}

/// Group types with their counts at scale 1: the paper's ranking psychodynamic > CBT >
/// psycho-educative > skills > art > the rest.
pub const GROUP_TYPES: [(&str, usize); 9] = [
    ("PSYDYN", 110),
    ("CBT", 85),
    ("PSYEDU", 70),
    ("SKILLS", 50),
    ("ART", 35),
    ("MIXED", 30),
    ("SUPP", 20),
    ("BODY", 14),
    ("OTHER", 12),
];

/// Diagnosis groups with their patient counts at scale 1: the paper's four named groups exactly,
/// and its 916 "other" split over the remaining groups.
pub const DX_GROUPS: [(&str, usize); 13] = [
    ("DEP", 517),
    ("PD", 396),
    ("PSY", 313),
    ("SOC", 249),
    ("ANX", 220),
    ("BIP", 150),
    ("PTSD", 140),
    ("EAT", 90),
    ("OTH", 80),
    ("OCD", 70),
    ("SUB", 60),
    ("SOM", 56),
    ("ADHD", 50),
];

pub const GROUPS: usize = 426;
pub const DPS_GROUPS: usize = 296;
pub const PATIENTS: usize = 2391;

/// How strongly a group type draws a diagnosis group (the paper's diagnosis-by-type pattern).
fn affinity(group_type: &str, dx: &str) -> f64 {
    match (group_type, dx) {
        ("PSYDYN", "DEP" | "PD") => 6.0,
        ("PSYDYN", "PSY" | "BIP") => 0.2,
        ("PSYEDU", "PSY" | "BIP") => 8.0,
        ("PSYEDU", "DEP") => 1.0,
        ("CBT", "DEP" | "SOC" | "ANX" | "OCD" | "PTSD" | "EAT") => 2.5,
        ("SKILLS", "SOC" | "ANX" | "ADHD") => 2.5,
        ("MIXED", "DEP" | "PD") => 1.5,
        ("BODY", "SOM" | "PTSD") => 2.5,
        (_, "PSY" | "BIP") => 0.3,
        _ => 1.0,
    }
}

/// Catchment weights (thousands of people, roughly); zero for the two authorities without groups.
const WEIGHTS: [(&str, f64, &str); 25] = [
    ("HSO-AHUS", 500.0, "Akershus"),
    ("HSO-OUS", 300.0, "Oslo"),
    ("HSO-VV", 480.0, "Drammen"),
    ("HSO-SI", 370.0, "Hamar"),
    ("HSO-SO", 300.0, "Fredrikstad"),
    ("HSO-SIV", 230.0, "Tønsberg"),
    ("HSO-PIV", 0.0, "Tønsberg"),
    ("HSO-STHF", 170.0, "Skien"),
    ("HSO-SSHF", 300.0, "Kristiansand"),
    ("HV-SUS", 350.0, "Stavanger"),
    ("HV-FONNA", 180.0, "Haugesund"),
    ("HV-BERGEN", 450.0, "Bergen"),
    ("HV-FORDE", 110.0, "Førde"),
    ("HMN-STO", 330.0, "Trondheim"),
    ("HMN-HNT", 135.0, "Levanger"),
    ("HMN-HSM", 140.0, "Ålesund"),
    ("HMN-HNR", 120.0, "Molde"),
    ("HN-UNN", 190.0, "Tromsø"),
    ("HN-NLSH", 140.0, "Bodø"),
    ("HN-HSYK", 78.0, "Mosjøen"),
    ("HN-FIN", 75.0, "Hammerfest"),
    ("PRIV-DIAK", 130.0, "Oslo"),
    ("PRIV-LDS", 180.0, "Oslo"),
    ("PRIV-MODUM", 0.0, "Modum"),
    ("PRIV-HV", 60.0, "Bergen"),
];

/// Municipality numbers by region (some with the leading zero that Excel likes to drop).
const MUNICIPALITIES: [(&str, &[&str]); 4] = [
    ("HSO", &["0301", "3005", "3024", "3403", "3107", "3803", "4204", "0301"]),
    ("HV", &["4601", "1103", "1106", "4602", "4647"]),
    ("HMN", &["5001", "1507", "5037", "1506"]),
    ("HN", &["5501", "1804", "1833", "5601", "5603"]),
];

const FIRST: [&str; 20] = [
    "Kari", "Ola", "Ingrid", "Per", "Nina", "Lars", "Anne", "Jon", "Marit", "Knut", "Silje", "Erik", "Hilde", "Tor",
    "Guro", "Bjørn", "Åse", "Øystein", "Siri", "Håkon",
];
const LAST: [&str; 20] = [
    "Hansen",
    "Johansen",
    "Olsen",
    "Larsen",
    "Andersen",
    "Pedersen",
    "Nilsen",
    "Kristiansen",
    "Jensen",
    "Karlsen",
    "Berg",
    "Haugen",
    "Hagen",
    "Dahl",
    "Lie",
    "Solberg",
    "Bakken",
    "Strand",
    "Sæther",
    "Ødegård",
];

#[derive(Debug, Clone)]
pub struct Unit {
    pub unit_id: String,
    pub unit_name: String,
    pub setting: &'static str,
    pub service_mode: &'static str,
    pub municipality: String,
}

#[derive(Debug, Clone)]
pub struct Group {
    pub group_id: String,
    pub unit_id: String,
    pub group_name: String,
    pub group_type: &'static str,
    pub group_format: &'static str,
    pub frequency: &'static str,
    pub session_minutes: u32,
    pub duration_cat: &'static str,
    pub planned_sessions: Option<u32>,
    pub start_date: Date,
    pub n_patients: u32,
    pub n_therapists: u32,
    pub cotherapy: bool,
    pub comment: String,
    /// DPS or HOSP, from its unit (for tables).
    pub setting: &'static str,
}

#[derive(Debug, Clone)]
pub struct Patient {
    pub group_id: String,
    pub patient_id: String,
    pub birth_year: i32,
    pub sex: &'static str,
    pub main_dx: String,
    pub dx_group: &'static str,
    pub start_date: Date,
    pub end_date: Option<Date>,
    pub sessions_attended: Option<u32>,
}

#[derive(Debug, Clone)]
pub struct Therapist {
    pub therapist_id: String,
    pub therapist_name: String,
    pub profession: &'static str,
    pub gt_training: &'static str,
    pub sex: &'static str,
    pub birth_year: i32,
}

#[derive(Debug, Clone)]
pub struct GroupTherapist {
    pub group_id: String,
    pub therapist_id: String,
    pub role: &'static str,
}

/// One authority's return, as it should be.
#[derive(Debug, Clone)]
pub struct Return {
    pub authority_code: String,
    pub authority_name: String,
    pub region: String,
    pub reference_date: Date,
    pub submitted_date: Date,
    pub contact_name: String,
    pub contact_email: String,
    pub contact_phone: String,
    pub units: Vec<Unit>,
    pub groups: Vec<Group>,
    pub patients: Vec<Patient>,
    pub therapists: Vec<Therapist>,
    pub group_therapists: Vec<GroupTherapist>,
}

/// The whole national set.
#[derive(Debug, Clone)]
pub struct National {
    pub returns: Vec<Return>,
    /// Authorities that reported no groups (and sent no return).
    pub without_groups: Vec<String>,
}

/// Leaf ICD-10 codes by diagnosis group, from the embedded code list.
fn icd_leaves() -> Vec<(String, String)> {
    let text = vakt_core::pack::embedded::file("icd10-chapter-v.csv").unwrap_or("");
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    rdr.records()
        .filter_map(Result::ok)
        .filter(|r| r.get(3) == Some("1") && r.get(4) != Some("AMBIGUOUS"))
        .filter_map(|r| Some((r.get(0)?.to_string(), r.get(4)?.to_string())))
        .collect()
}

fn short(code: &str) -> String {
    code.split('-').nth(1).unwrap_or(code).chars().take(6).collect()
}

fn name(rng: &mut Rng) -> (String, String) {
    (rng.pick(&FIRST).to_string(), rng.pick(&LAST).to_string())
}

fn weighted_pick<T: Copy>(rng: &mut Rng, items: &[(T, f64)]) -> T {
    let w: Vec<f64> = items.iter().map(|x| x.1).collect();
    items[rng.weighted(&w)].0
}

/// A fødselsnummer (or D-number) for a birth date, unique in `used`.
fn person_number(rng: &mut Rng, birth: Date, d_number: bool, used: &mut std::collections::HashSet<String>) -> String {
    let (y, m, d) = birth.ymd();
    loop {
        let day = if d_number { d + 40 } else { d };
        let individual = rng.range(0, 499);
        let first9 = format!("{day:02}{m:02}{:02}{individual:03}", y % 100);
        if let Some(n) = nin::with_check_digits(&first9) {
            if used.insert(n.clone()) {
                return n;
            }
        }
    }
}

/// What is drawn nationally before any authority: settings, group types, sizes and diagnoses
/// with the paper's exact totals, dealt out in random order.
struct NationalLists {
    settings: Vec<&'static str>,
    types: Vec<&'static str>,
    sizes: Vec<u32>,
    dx_of_group: Vec<Vec<&'static str>>,
    leaves: Vec<(String, String)>,
    reference: Date,
}

/// Identifiers already given, so none repeats in the national set.
#[derive(Default)]
struct UsedIds {
    patients: std::collections::HashSet<String>,
    hpr: std::collections::HashSet<String>,
}

/// One authority: its code, name and region.
struct Authority {
    code: String,
    name: String,
    region: String,
}

/// Builds the national set for a seed and scale.
pub fn build(seed: u64, scale: usize) -> National {
    let root = Rng::new(seed);
    let scale = scale.max(1);
    let authorities = authorities();
    let weights: Vec<f64> = authorities
        .iter()
        .map(|a| WEIGHTS.iter().find(|w| w.0 == a.code).map_or(0.0, |w| w.1))
        .collect();
    let per_authority = apportion(GROUPS * scale, &weights);
    let lists = national_lists(&mut root.fork("national"), scale);
    let mut used = UsedIds::default();
    let mut returns = Vec::new();
    let mut without_groups = Vec::new();
    let mut next_group = 0usize;
    for (ai, authority) in authorities.iter().enumerate() {
        let n_groups = per_authority[ai];
        if n_groups == 0 {
            without_groups.push(authority.code.clone());
            continue;
        }
        let gidx: Vec<usize> = (next_group..next_group + n_groups).collect();
        next_group += n_groups;
        let mut rng = root.fork(&authority.code);
        returns.push(build_return(&mut rng, authority, &gidx, &lists, &mut used));
    }
    National {
        returns,
        without_groups,
    }
}

/// The 25 authorities of the embedded code list.
fn authorities() -> Vec<Authority> {
    let list = vakt_core::pack::embedded::file("codelists/authority.csv").unwrap_or("");
    csv::Reader::from_reader(list.as_bytes())
        .records()
        .filter_map(Result::ok)
        .filter_map(|r| {
            Some(Authority {
                code: r.get(0)?.to_string(),
                name: r.get(1)?.to_string(),
                region: r.get(4)?.to_string(),
            })
        })
        .collect()
}

fn national_lists(rng: &mut Rng, scale: usize) -> NationalLists {
    let mut settings: Vec<&'static str> = std::iter::repeat_n("DPS", DPS_GROUPS * scale)
        .chain(std::iter::repeat_n("HOSP", (GROUPS - DPS_GROUPS) * scale))
        .collect();
    rng.shuffle(&mut settings);
    let mut types: Vec<&'static str> = GROUP_TYPES
        .iter()
        .flat_map(|(t, n)| std::iter::repeat_n(*t, n * scale))
        .collect();
    rng.shuffle(&mut types);
    let sizes = group_sizes(rng, scale);
    let dx_of_group = diagnoses(rng, scale, &types, &sizes);
    NationalLists {
        settings,
        types,
        sizes,
        dx_of_group,
        leaves: icd_leaves(),
        reference: reference_date(),
    }
}

/// Group sizes summing to the paper's patient total, all inside the soft range 3..15.
fn group_sizes(rng: &mut Rng, scale: usize) -> Vec<u32> {
    let mut sizes: Vec<u32> = (0..GROUPS * scale)
        .map(|_| [3u32, 4, 5, 5, 6, 6, 7, 8, 9][rng.below(9)])
        .collect();
    let target = (PATIENTS * scale) as i64;
    let mut sum: i64 = sizes.iter().map(|&s| i64::from(s)).sum();
    while sum != target {
        let i = rng.below(sizes.len());
        if sum > target && sizes[i] > 3 {
            sizes[i] -= 1;
            sum -= 1;
        } else if sum < target && sizes[i] < 12 {
            sizes[i] += 1;
            sum += 1;
        }
    }
    sizes
}

/// Diagnoses with the paper's counts, assigned to groups with the type affinities.
fn diagnoses(rng: &mut Rng, scale: usize, types: &[&'static str], sizes: &[u32]) -> Vec<Vec<&'static str>> {
    let mut pool: Vec<(&'static str, usize)> = DX_GROUPS.iter().map(|(g, n)| (*g, n * scale)).collect();
    let mut slots: Vec<usize> = (0..GROUPS * scale)
        .flat_map(|g| std::iter::repeat_n(g, sizes[g] as usize))
        .collect();
    rng.shuffle(&mut slots);
    let mut dx_of_group: Vec<Vec<&'static str>> = vec![Vec::new(); GROUPS * scale];
    for g in slots {
        let w: Vec<f64> = pool.iter().map(|(dx, n)| affinity(types[g], dx) * *n as f64).collect();
        let i = rng.weighted(&w);
        pool[i].1 -= 1;
        dx_of_group[g].push(pool[i].0);
    }
    dx_of_group
}

/// One authority's return: its units, therapists, groups with their therapists and patients, and
/// its contact.
fn build_return(rng: &mut Rng, a: &Authority, gidx: &[usize], lists: &NationalLists, used: &mut UsedIds) -> Return {
    let place = WEIGHTS.iter().find(|w| w.0 == a.code).map_or("Norge", |w| w.2);
    let sh = short(&a.code);
    let munis = MUNICIPALITIES
        .iter()
        .find(|m| m.0 == a.region)
        .map_or(&["0301"][..], |m| m.1);
    let units = units_of(rng, gidx, lists, &sh, place, munis);
    let pool_size = ((gidx.len() as f64) * 1.3).round() as usize + 1;
    let therapists = therapist_pool(rng, pool_size, lists.reference, &mut used.hpr);
    let mut groups = Vec::new();
    let mut patients = Vec::new();
    let mut group_therapists = Vec::new();
    for (k, &g) in gidx.iter().enumerate() {
        let group = group_of(rng, format!("{sh}-G{:03}", k + 1), g, &units, lists, pool_size);
        // Therapists of the group: distinct members of the pool, the first one leads.
        let mut members: Vec<usize> = (0..therapists.len()).collect();
        rng.shuffle(&mut members);
        for (j, &t) in members.iter().take(group.n_therapists as usize).enumerate() {
            group_therapists.push(GroupTherapist {
                group_id: group.group_id.clone(),
                therapist_id: therapists[t].therapist_id.clone(),
                role: if j == 0 { "LEAD" } else { "CO" },
            });
        }
        for dx_group in &lists.dx_of_group[g] {
            patients.push(patient_of(rng, &group, dx_group, lists, &mut used.patients));
        }
        groups.push(group);
    }
    let reference = lists.reference;
    let (f, l) = name(rng);
    Return {
        authority_code: a.code.clone(),
        authority_name: a.name.clone(),
        region: a.region.clone(),
        reference_date: reference,
        submitted_date: Date(reference.0 + rng.range(20, 90) as i32),
        contact_email: format!("{}.{}@{}.example.no", ascii(&f), ascii(&l), sh.to_lowercase()),
        contact_name: format!("{f} {l}"),
        contact_phone: format!(
            "+47 {} {:02} {:03}",
            rng.range(400, 999),
            rng.range(0, 99),
            rng.range(0, 999)
        ),
        units,
        groups,
        patients,
        therapists,
        group_therapists,
    }
}

/// Units: one per five DPS groups and per six hospital groups.
fn units_of(rng: &mut Rng, gidx: &[usize], lists: &NationalLists, sh: &str, place: &str, munis: &[&str]) -> Vec<Unit> {
    let dps = gidx.iter().filter(|&&g| lists.settings[g] == "DPS").count();
    let hosp = gidx.len() - dps;
    let mut units = Vec::new();
    for (setting, n) in [("DPS", dps.div_ceil(5)), ("HOSP", hosp.div_ceil(6))] {
        for k in 1..=n {
            let (unit_id, unit_name, mode) = if setting == "DPS" {
                (
                    format!("{sh}-DPS{k}"),
                    format!(
                        "{place} DPS {}",
                        ["Nord", "Sør", "Øst", "Vest", "Sentrum", "Indre"][(k - 1) % 6]
                    ),
                    *rng.pick(&["OUT", "OUT", "OUT", "DAY", "MIX"]),
                )
            } else {
                (
                    format!("{sh}-SH{k}"),
                    format!("{place} sykehus, psykiatrisk avdeling {k}"),
                    *rng.pick(&["INP", "INP", "DAY", "OUT"]),
                )
            };
            units.push(Unit {
                unit_id,
                unit_name,
                setting,
                service_mode: mode,
                municipality: rng.pick(munis).to_string(),
            });
        }
    }
    units
}

/// An authority's therapists: half with formal group-therapy training.
fn therapist_pool(
    rng: &mut Rng,
    pool_size: usize,
    reference: Date,
    used_hpr: &mut std::collections::HashSet<String>,
) -> Vec<Therapist> {
    let mut formal: Vec<bool> = (0..pool_size).map(|i| i % 2 == 0).collect();
    rng.shuffle(&mut formal);
    let mut therapists = Vec::new();
    for &is_formal in formal.iter() {
        let id = loop {
            let id = rng.range(1_000_000, 9_999_999).to_string();
            if used_hpr.insert(id.clone()) {
                break id;
            }
        };
        let (f, l) = name(rng);
        therapists.push(Therapist {
            therapist_id: id,
            therapist_name: format!("{f} {l}"),
            profession: weighted_pick(
                rng,
                &[
                    ("NURSE", 34.0),
                    ("PSYCHOL", 24.0),
                    ("PHYS", 12.0),
                    ("SOCW", 9.0),
                    ("SOCED", 5.0),
                    ("OT", 5.0),
                    ("PT", 4.0),
                    ("ARTT", 3.0),
                    ("AUX", 2.0),
                    ("OTHER", 2.0),
                ],
            ),
            gt_training: if is_formal {
                weighted_pick(
                    rng,
                    &[("IGA1", 3.0), ("IGA3_NPF", 4.0), ("IGA5", 1.0), ("OTHER_FORMAL", 1.0)],
                )
            } else {
                weighted_pick(rng, &[("NONE", 1.0), ("SHORT", 1.5)])
            },
            sex: if rng.chance(0.7) { "F" } else { "M" },
            birth_year: reference.year() - rng.range(28, 64) as i32,
        });
    }
    therapists
}

/// Names a group of a type might have.
fn group_names(group_type: &str) -> [&'static str; 3] {
    match group_type {
        "PSYDYN" => ["Gruppeanalyse", "Mentaliseringsgruppe", "Psykodynamisk gruppe"],
        "CBT" => ["KAT-gruppe", "Kognitiv gruppe", "Angstgruppe"],
        "PSYEDU" => [
            "Psykoedukativ gruppe",
            "Kurs i depresjonsmestring",
            "Familiegruppe psykose",
        ],
        "SKILLS" => ["Ferdighetstrening", "Mestringsgruppe", "Sosial trening"],
        "ART" => ["Kunstterapigruppe", "Musikkterapi", "Bildegruppe"],
        "BODY" => ["Kroppsbevissthet", "BBAT-gruppe", "Fysisk aktivitet"],
        "SUPP" => ["Samtalegruppe", "Støttegruppe", "Samtalegruppe"],
        _ => ["Gruppe", "Temagruppe", "Samtalegruppe"],
    }
}

/// Group `g` of the national lists, in one of the authority's units of its setting.
fn group_of(
    rng: &mut Rng,
    group_id: String,
    g: usize,
    units: &[Unit],
    lists: &NationalLists,
    pool_size: usize,
) -> Group {
    let reference = lists.reference;
    let setting = lists.settings[g];
    let candidates: Vec<&Unit> = units.iter().filter(|u| u.setting == setting).collect();
    let unit = candidates[rng.below(candidates.len())];
    let group_type = lists.types[g];
    let group_format = weighted_pick(rng, &[("CLOSED", 45.0), ("SLOW_OPEN", 35.0), ("OPEN", 20.0)]);
    let duration_cat = weighted_pick(
        rng,
        &[("LT6", 38.0), ("GT12", 34.0), ("M6_12", 16.0), ("OPEN_ENDED", 12.0)],
    );
    let months_back = match duration_cat {
        "LT6" => rng.range(0, 5),
        "M6_12" => rng.range(6, 11),
        "GT12" => rng.range(12, 60),
        _ => rng.range(1, 120),
    };
    let start = Date(reference.0 - (months_back * 30 + rng.range(0, 29)) as i32 - 1);
    let planned = match duration_cat {
        "LT6" => Some(rng.range(8, 24) as u32),
        "M6_12" => Some(rng.range(20, 45) as u32),
        "GT12" => Some(rng.range(40, 150) as u32),
        _ => None,
    };
    let n_therapists = weighted_pick(rng, &[(1u32, 25.0), (2, 60.0), (3, 15.0)]).min(pool_size as u32);
    let names = group_names(group_type);
    Group {
        group_id,
        unit_id: unit.unit_id.clone(),
        group_name: format!("{} {}", rng.pick(&names), ["A", "B", "C", "D"][rng.below(4)]),
        group_type,
        group_format,
        frequency: weighted_pick(
            rng,
            &[("W", 65.0), ("BIW", 12.0), ("GE2W", 10.0), ("M", 5.0), ("OTHER", 8.0)],
        ),
        session_minutes: weighted_pick(
            rng,
            &[
                (90u32, 55.0),
                (60, 15.0),
                (75, 10.0),
                (120, 12.0),
                (45, 4.0),
                (150, 4.0),
            ],
        ),
        duration_cat,
        planned_sessions: planned,
        start_date: start,
        n_patients: lists.sizes[g],
        n_therapists,
        cotherapy: n_therapists >= 2,
        comment: if rng.chance(0.1) {
            rng.pick(&["Ny gruppe i år", "Venteliste", "Avsluttes til sommeren"])
                .to_string()
        } else {
            String::new()
        },
        setting,
    }
}

/// A patient of `group` with a diagnosis of `dx_group`.
fn patient_of(
    rng: &mut Rng,
    group: &Group,
    dx_group: &'static str,
    lists: &NationalLists,
    used_ids: &mut std::collections::HashSet<String>,
) -> Patient {
    let reference = lists.reference;
    let codes: Vec<&(String, String)> = lists.leaves.iter().filter(|(_, grp)| grp == dx_group).collect();
    let main_dx = if codes.is_empty() {
        "F99".to_string()
    } else {
        codes[rng.below(codes.len())].0.clone()
    };
    let age = rng.range(18, 75);
    let birth = Date(Date::from_ymd(reference.year() - age as i32, 1, 1).map_or(0, |d| d.0) + rng.range(0, 364) as i32);
    let kind = rng.below(100);
    let patient_id = if kind < 80 {
        person_number(rng, birth, false, used_ids)
    } else if kind < 85 {
        person_number(rng, birth, true, used_ids)
    } else {
        loop {
            let id = format!("EPJ-{:06}", rng.range(0, 999_999));
            if used_ids.insert(id.clone()) {
                break id;
            }
        }
    };
    let start = group.start_date;
    let p_start = if group.group_format == "CLOSED" {
        start
    } else {
        Date(start.0 + rng.range(0, i64::from(reference.0 - start.0)) as i32)
    };
    let end_date = (rng.chance(0.2) && reference.0 - p_start.0 > 40)
        .then(|| Date(p_start.0 + rng.range(30, i64::from(reference.0 - p_start.0)) as i32));
    let weeks = ((end_date.unwrap_or(reference).0 - p_start.0) / 7).max(0) as u32;
    let sessions_attended = rng
        .chance(0.7)
        .then(|| rng.range(0, i64::from(group.planned_sessions.unwrap_or(40).min(weeks))) as u32);
    Patient {
        group_id: group.group_id.clone(),
        patient_id,
        birth_year: birth.year(),
        sex: if rng.chance(0.65) { "F" } else { "M" },
        main_dx,
        dx_group,
        start_date: p_start,
        end_date,
        sessions_attended,
    }
}

fn ascii(s: &str) -> String {
    s.to_lowercase().replace('å', "aa").replace('ø', "o").replace('æ', "ae")
}
