#!/usr/bin/env python3
"""Writes datapackage.json into a whole-return CSV folder (as bench/gen_return.py writes it): the
return as a Frictionless Data Package with what frictionless can check of the survey pack —
column types, required cells, code lists as enums, ranges, every primary key and every foreign
key (patients → groups, groups → units, group therapists → groups and therapists). It is the
comparison bench/whole_return.sh times against `vakt check`: the same relations, checked by
another validator.

usage: datapackage.py RETURN_DIR
Standard library only.
"""
import json
import os
import sys


def field(name, kind="string", required=False, **constraints):
    f = {"name": name, "type": kind}
    if required:
        constraints["required"] = True
    if constraints:
        f["constraints"] = constraints
    return f


def resources():
    yes = {"required": True}
    return [
        {
            "name": "units",
            "path": "units.csv",
            "schema": {
                "fields": [
                    field("Unit id", **yes),
                    field("Unit name", **yes),
                    field("Setting", **yes, enum=["DPS", "HOSP"]),
                    field("Service mode", enum=["OUT", "DAY", "INP", "MIX"]),
                    field("Municipality", "integer", minimum=101, maximum=9999),
                ],
                "primaryKey": ["Unit id"],
            },
        },
        {
            "name": "groups",
            "path": "groups.csv",
            "schema": {
                "fields": [
                    field("Group id", **yes),
                    field("Unit id", **yes),
                    field("Group name"),
                    field("Group type", **yes, enum=["PSYDYN", "CBT", "PSYEDU", "SKILLS", "ART", "MIXED", "SUPP", "BODY", "OTHER"]),
                    field("Group format"),
                    field("Frequency"),
                    field("Session minutes", "integer", minimum=15, maximum=480),
                    field("Duration cat"),
                    field("Planned sessions", "integer", minimum=1, maximum=500),
                    field("Start date", "date"),
                    field("N patients", "integer", minimum=0, maximum=100),
                    field("N therapists", "integer", minimum=0, maximum=20),
                    field("Cotherapy", "boolean"),
                    field("Comment"),
                ],
                "primaryKey": ["Group id"],
                "foreignKeys": [{"fields": ["Unit id"], "reference": {"resource": "units", "fields": ["Unit id"]}}],
            },
        },
        {
            "name": "patients",
            "path": "patients.csv",
            "schema": {
                "fields": [
                    field("Group id", **yes),
                    field("Patient id", **yes),
                    field("Birth year", "integer", **yes, minimum=1900, maximum=2009),
                    field("Sex", **yes, enum=["F", "M", "U"]),
                    field("Main dx", **yes, pattern="F[0-9]{2}(\\.[0-9])?"),
                    field("Start date", "date"),
                    field("End date", "date"),
                    field("Sessions attended", "integer", minimum=0, maximum=500),
                ],
                "primaryKey": ["Group id", "Patient id"],
                "foreignKeys": [{"fields": ["Group id"], "reference": {"resource": "groups", "fields": ["Group id"]}}],
            },
        },
        {
            "name": "therapists",
            "path": "therapists.csv",
            "schema": {
                "fields": [
                    field("Therapist id", **yes),
                    field("Therapist name"),
                    field("Profession", **yes),
                    field("Gt training"),
                    field("Sex", enum=["F", "M", "U"]),
                    field("Birth year", "integer", minimum=1900, maximum=2009),
                ],
                "primaryKey": ["Therapist id"],
            },
        },
        {
            "name": "group_therapists",
            "path": "group_therapists.csv",
            "schema": {
                "fields": [field("Group id", **yes), field("Therapist id", **yes), field("Role", enum=["LEAD", "CO", "OBS"])],
                "primaryKey": ["Group id", "Therapist id"],
                "foreignKeys": [
                    {"fields": ["Group id"], "reference": {"resource": "groups", "fields": ["Group id"]}},
                    {"fields": ["Therapist id"], "reference": {"resource": "therapists", "fields": ["Therapist id"]}},
                ],
            },
        },
        {
            "name": "submission",
            "path": "submission.csv",
            "schema": {
                "fields": [
                    field("Authority code", **yes),
                    field("Region"),
                    field("Reference date", "date"),
                    field("Submitted date", "date"),
                    field("Contact name"),
                    field("Contact email"),
                    field("Contact phone"),
                    field("N units", "integer", minimum=0),
                    field("N groups", "integer", minimum=0),
                ]
            },
        },
    ]


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = os.path.join(sys.argv[1], "datapackage.json")
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"name": "survey-return", "resources": resources()}, f, indent=1)
    print(out)


if __name__ == "__main__":
    main()
