"""Plant each kind of defect in real stores, for both profiles; validation must find it by key and fix it."""

from __future__ import annotations

import json

import pytest

from dataops.errors import InvalidRequest
from dataops.geo import encode_geohash
from dataops.operations.health import HEALTH, HealthRequest
from dataops.operations.migrate import MIGRATE
from dataops.operations.validate import VALIDATE, ValidationFailed
from dataops.records import document_for, item_for

pytestmark = pytest.mark.integration
NOW = "2025-01-01T00:00:00+00:00"


def put(stores, entity_name, record):
    entity = stores.profile.entity(entity_name)
    stores.table.batch_write([item_for(stores.profile, entity, record)])


def table_snapshot(stores):
    return sorted(json.dumps(item, sort_keys=True, default=str) for item in stores.table.scan())


def run(stores, **payload):
    return VALIDATE.run(VALIDATE.parse({"store_report": True, **payload}), stores)


def documents(stores, index):
    return sorted(json.dumps(hit["_source"], sort_keys=True) for hit in stores.search.scan(index))


def rows(stores, table):
    with stores.postgres.transaction() as cursor:
        cursor.execute(f"SELECT row_to_json(t)::text FROM {table} t ORDER BY 1")  # noqa: S608 - a test's own table
        return [row[0] for row in cursor.fetchall()]


def report_of(error):
    return error.message.rsplit("s3://", 1)[1].split("/", 1)[1]


def undo(stores, report, **payload):
    return VALIDATE.run(VALIDATE.parse({"action": "undo-fix", "report": report, **payload}), stores)


def found(result_or_error, rule_part, key):
    issues = result_or_error.issues
    return [i for i in issues if rule_part in i.rule and i.key == key]


def failed_issues(stores, payload):
    with pytest.raises(ValidationFailed) as caught:
        run(stores, **payload)
    key = caught.value.message.rsplit(f"s3://{stores.backups.bucket}/", 1)[1]
    lines = [json.loads(line) for line in stores.backups.open_read(key).read().decode().splitlines()]
    return caught.value, lines[0]["summary"], [line["issue"] for line in lines[1:] if "issue" in line]


def by(issues, rule_part, key):
    return [issue for issue in issues if rule_part in issue["rule"] and issue["key"] == key]


def undo_restores_all_stores(stores, report, before, index, indexed_before):
    # Undo: a dry run counts and writes nothing; then every store is exactly as before the fix.
    fixed_items, fixed_documents = table_snapshot(stores), documents(stores, index)
    parts = [entry["Key"] for entry in stores.backups.list_objects(report.removesuffix(".jsonl") + ".undo/part-")]
    stored = stores.backups.open_read(parts[0]).read()
    assert stored.startswith(b"DOPSBK") and b"ARTIST#a2" not in stored, "saved in the backup format, sealed"
    planned = undo(stores, report, dry_run=True)
    assert planned.counts["restored"] >= 6 and planned.counts["conflicts"] == 0
    assert table_snapshot(stores) == fixed_items and documents(stores, index) == fixed_documents
    undone = undo(stores, report)
    assert undone.counts == planned.counts
    assert table_snapshot(stores) == before
    assert documents(stores, index) == indexed_before
    # Idempotent: a second undo finds every item already as it was.
    again = undo(stores, report)
    assert again.counts["conflicts"] == 0 and table_snapshot(stores) == before


def undo_restores_then_keeps_newer_writes(stores, report, before, dependencies_before, items):
    # Undo puts back the fixed email, both deleted members and the deleted PostgreSQL row, exactly.
    undone = undo(stores, report)
    assert undone.counts["restored"] >= 4 and undone.counts["conflicts"] == 0
    assert table_snapshot(stores) == before and rows(stores, "dependencies") == dependencies_before
    # Fix again, then change a fixed record: the next undo leaves that one as it is and names it.
    with pytest.raises(ValidationFailed) as refixed:
        run(stores, target="database", fix_issues=True)
    changed = {**items[("TEAM#t1", "MEMBER#m2")], "email": "newer@example.com"}
    stores.table.batch_write([changed])
    partial = undo(stores, report_of(refixed.value))
    assert partial.counts["conflicts"] == 1 and "MEMBER#m2" in partial.warnings[0]
    kept = {(i["PK"], i["SK"]): i for i in stores.table.scan()}
    assert kept[("TEAM#t1", "MEMBER#m2")]["email"] == "newer@example.com"
    assert ("TEAM#t-deleted", "MEMBER#m3") in kept and rows(stores, "dependencies") == dependencies_before
    # Bad input names the field and writes nothing.
    snapshot = table_snapshot(stores)
    for bad, reason in (("reports/validation/nope.jsonl", "no report"), ("backups/x.json", "must be a validation")):
        with pytest.raises(InvalidRequest, match=f"field 'report'.*{reason}"):
            undo(stores, bad)
    with pytest.raises(ValidationFailed) as unfixed:  # a report of a run that fixed nothing
        run(stores, target="database", fix_issues=False)
    with pytest.raises(InvalidRequest, match="nothing to undo"):
        undo(stores, report_of(unfixed.value))
    assert table_snapshot(stores) == snapshot
    stores.table.batch_write([{**changed, "email": "ada@example.com"}])
    with pytest.raises(ValidationFailed):
        run(stores, target="database", fix_issues=True)


# ---------------------------------------------------------------- tattoo_directory


def artist(artist_id, studio="s1", lat=51.5136, lon=-0.1365, **extra):
    record = {
        "artistId": artist_id, "artistName": f"Artist {artist_id}", "instagramHandle": f"ink_{artist_id}",
        "styles": ["traditional"], "primaryStyle": "traditional", "locationDisplay": "Soho, London",
        "geohash": encode_geohash(lat, lon, 7), "latitude": lat, "longitude": lon, "studioId": studio,
        "rating": 4.2, "reviewCount": 12, "createdAt": NOW, "updatedAt": NOW,
    }  # fmt: skip
    record.update(extra)
    return record


def seed_tattoo(stores):
    put(
        stores,
        "style",
        {
            "styleId": "traditional",
            "styleName": "Traditional",
            "description": "Bold lines",
            "difficulty": "intermediate",
            "popularity": 80,
            "createdAt": NOW,
            "updatedAt": NOW,
        },
    )
    studio = {"studioId": "s1", "studioName": "Soho Ink", "address": "1 Dean Street, London", "postcode": "W1D 3RB",
              "geohash": encode_geohash(51.5136, -0.1365, 7), "latitude": 51.5136, "longitude": -0.1365,
              "specialties": ["traditional"], "createdAt": NOW, "updatedAt": NOW}  # fmt: skip
    put(stores, "studio", studio)
    entity = stores.profile.entity("artist")
    index = stores.search_indexes()["artist"]
    for artist_id in ("a1", "a2", "a3", "a4"):
        record = artist(artist_id)
        put(stores, "artist", record)
        doc_id, document = document_for(entity, record)
        stores.search.client.index(index=index, id=doc_id, body=document)
    stores.search.refresh(index)
    return studio


@pytest.fixture(scope="module")
def tattoo(provisioned):
    return provisioned("tattoo_directory")


def test_clean_tattoo_data_passes(tattoo):
    seed_tattoo(tattoo)
    result = run(tattoo, target="all", categories=["schema", "referential", "business", "duplicates", "orphans",
                                                    "consistency"])  # fmt: skip
    assert result.passed, result.issues
    assert result.summary["total"] == 0
    assert tattoo.backups.exists(result.report_key)


def test_tattoo_defects_found_by_key_then_fixed(tattoo):
    studio = seed_tattoo(tattoo)
    entity = tattoo.profile.entity("artist")
    index = tattoo.search_indexes()["artist"]
    missing = artist("a1")
    del missing["artistName"]
    put(tattoo, "artist", missing)  # missing field (not fixable)
    put(tattoo, "studio", {**studio, "postcode": "w1d3rb"})  # bad postcode, normalisable
    put(tattoo, "artist", artist("a2", geohash="gcpvhzz"))  # geohash does not match coordinates
    put(tattoo, "artist", artist("a3", studio="gone"))  # points at a deleted studio: orphan
    second = {**studio, "studioId": "s2", "studioName": "Camden Ink"}
    put(tattoo, "studio", second)
    put(tattoo, "studio", {**second, "studioId": "s9"})  # exact duplicate of s2 (same name and postcode)
    put(tattoo, "artist", artist("a5"))  # never indexed: missing from OpenSearch
    tattoo.search.client.index(index=index, id="a4", body={**document_for(entity, artist("a4"))[1], "rating": 1.0})
    tattoo.search.refresh(index)

    error, summary, issues = failed_issues(tattoo, {"target": "all"})
    assert "error(s)" in error.message and "reports/validation/" in error.message
    assert by(issues, "schema.missing", "a1")[0]["field"] == "artistName"
    assert by(issues, "uk-postcode", "s1")[0]["fixable"]
    assert by(issues, "geohash.matches-coordinates", "a2")[0]["fixable"]
    assert by(issues, "studioId->studio", "a3")[0]["category"] == "orphans"
    assert by(issues, "studio.duplicate", "s9")[0]["fixable"]
    assert by(issues, "missing_in_opensearch", "a5")
    assert by(issues, "consistency.different", "a4")[0]["message"].endswith("rating")
    assert summary["by_severity"]["error"] >= 6

    before = table_snapshot(tattoo)
    documents_before = tattoo.search.count(index)
    indexed_before = documents(tattoo, index)
    dry = run(tattoo, target="all", fix_issues=True, dry_run=True, store_report=False, sample_limit=1000)
    assert table_snapshot(tattoo) == before and tattoo.search.count(index) == documents_before
    assert dry.status == "dry_run" and dry.summary["fixes_planned"] >= 6 and dry.summary["fixed"] == 0
    assert dry.undo_prefix is None

    with pytest.raises(ValidationFailed) as fixed:  # the missing artistName cannot be fixed, so errors remain
        run(tattoo, target="all", fix_issues=True)
    items = {(i["PK"], i["SK"]): i for i in tattoo.table.scan()}
    assert items[("STUDIO#s1", "PROFILE")]["postcode"] == "W1D 3RB"
    assert items[("ARTIST#a2", "PROFILE")]["geohash"] == encode_geohash(51.5136, -0.1365, 7)
    assert ("ARTIST#a3", "PROFILE") not in items and ("STUDIO#s9", "PROFILE") not in items
    assert tattoo.search.client.get(index=index, id="a5")["found"]
    assert float(tattoo.search.client.get(index=index, id="a4")["_source"]["rating"]) == 4.2

    after = run(tattoo, target="all", entities=["studio", "style"], categories=["schema", "referential", "duplicates"])
    assert after.passed and after.summary["total"] == 0

    undo_restores_all_stores(tattoo, report_of(fixed.value), before, index, indexed_before)


# ---------------------------------------------------------------- agent_system


def persona(persona_id, **extra):
    return {
        "persona_id": persona_id,
        "name": f"Persona {persona_id}",
        "role": "lead",
        "description": "d",
        "expertise": ["aws"],
        "communication_style": "direct",
        "created_at": NOW,
        "updated_at": NOW,
        **extra,
    }


def seed_agents(stores):
    MIGRATE.run(MIGRATE.parse({"action": "apply"}), stores)
    put(stores, "persona", persona("p1"))
    put(
        stores,
        "team",
        {
            "team_id": "t1",
            "name": "Platform",
            "description": "d",
            "lead_persona_id": "p1",
            "created_at": NOW,
            "updated_at": NOW,
        },
    )
    member = {
        "team_id": "t1",
        "member_id": "m1",
        "persona_id": "p1",
        "display_name": "Ada",
        "email": "ada@example.com",
        "role": "lead",
        "created_at": NOW,
        "updated_at": NOW,
    }
    put(stores, "team_member", member)
    with stores.postgres.transaction() as cursor:
        for service_id, name in (("svc-a", "api"), ("svc-b", "worker")):
            cursor.execute(
                "INSERT INTO services (service_id, name, owner_team_id, tier, repository_url, created_at, updated_at)"
                " VALUES (%s, %s, 't1', 'standard', 'https://git.example.com/x', now(), now())",
                (service_id, name),
            )
        cursor.execute(
            "INSERT INTO dependencies (dependency_id, service_id, depends_on_service_id, kind, created_at)"
            " VALUES ('d1', 'svc-a', 'svc-b', 'runtime', now())"
        )
    return member  # fmt: skip


@pytest.fixture(scope="module")
def agents(provisioned):
    return provisioned("agent_system")


def test_agent_defects_found_by_key_then_fixed(agents):
    member = seed_agents(agents)
    no_role = persona("p2")
    del no_role["role"]
    put(agents, "persona", no_role)  # missing field
    put(agents, "persona", persona("p3"))
    bad_email = {**member, "member_id": "m2", "persona_id": "p3", "email": " Ada@Example.COM"}
    put(agents, "team_member", bad_email)  # bad email format, normalisable
    put(agents, "team_member", {**member, "team_id": "t-deleted", "member_id": "m3"})  # roster -> deleted team
    put(agents, "team_member", {**member, "member_id": "m4"})  # exact duplicate of m1
    with agents.postgres.transaction() as cursor:
        # The schema has foreign keys; a bulk load with triggers off (as a raw COPY restore may do) bypasses them.
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("INSERT INTO dependencies (dependency_id, service_id, depends_on_service_id, kind, created_at)"
                       " VALUES ('d2', 'svc-a', 'svc-missing', 'runtime', now())")  # fmt: skip

    _, summary, issues = failed_issues(agents, {"target": "database"})
    assert by(issues, "schema.missing", "p2")[0]["field"] == "role"
    assert by(issues, "email", "t1/m2")[0]["fixable"]
    orphan = by(issues, "team_id->team", "t-deleted/m3")[0]
    assert orphan["category"] == "orphans" and orphan["fixable"]
    assert by(issues, "team_member.duplicate", "t1/m4")[0]["fixable"]
    assert by(issues, "depends_on_service_id->service", "d2")[0]["store"] == "postgres"
    assert summary["by_category"]["orphans"] >= 2

    before = table_snapshot(agents)
    run(agents, target="database", fix_issues=True, dry_run=True, store_report=False)
    assert table_snapshot(agents) == before
    assert agents.postgres.count_rows("dependencies") == 2

    dependencies_before = rows(agents, "dependencies")
    with pytest.raises(ValidationFailed) as fixed:  # p2's missing role remains
        run(agents, target="database", fix_issues=True)
    items = {(i["PK"], i["SK"]): i for i in agents.table.scan()}
    assert items[("TEAM#t1", "MEMBER#m2")]["email"] == "ada@example.com"
    assert ("TEAM#t-deleted", "MEMBER#m3") not in items and ("TEAM#t1", "MEMBER#m4") not in items
    assert agents.postgres.count_rows("dependencies") == 1

    undo_restores_then_keeps_newer_writes(agents, report_of(fixed.value), before, dependencies_before, items)
    agents.table.batch_delete([{"PK": "PERSONA#p2", "SK": "PROFILE"}])
    clean = run(agents, target="database", categories=["schema", "referential", "orphans", "duplicates"])
    assert clean.passed and clean.summary["total"] == 0


def test_security_checks_name_the_unprotected_bucket_and_plain_secrets(agents, monkeypatch):
    monkeypatch.setenv("POSTGRES_PASSWORD", "hunter2")
    error, _, issues = failed_issues(agents, {"target": "database", "categories": ["security"]})
    rules = {(issue["rule"], issue["key"]) for issue in issues}
    assert ("environment.plain-secret", "POSTGRES_PASSWORD") in rules
    assert ("s3.public-access-block", agents.backups.bucket) in rules
    assert "hunter2" not in json.dumps(issues) and "hunter2" not in error.message


def test_strict_mode_fails_on_warnings_only(agents):
    put(agents, "persona", persona("p7", updated_at="2020-01-01T00:00:00+00:00"))  # updated before created: warning
    payload = {"target": "database", "categories": ["business"], "entities": ["persona"]}
    assert run(agents, **payload).passed
    with pytest.raises(ValidationFailed, match="strict mode"):
        run(agents, **payload, strict_mode=True)


@pytest.mark.parametrize(
    ("payload", "field", "hint"),
    [
        ({"target": "everything"}, "target", "'files', 'database', 'opensearch', 'consistency' or 'all'"),
        ({"categories": ["speed"]}, "categories.0", "'schema'"),
        ({"entities": ["dragon"]}, "entity", "persona"),
        ({"target": "database", "paths": ["x.jsonl"]}, "paths", "files"),
        ({"sample_limit": "many"}, "sample_limit", "integer"),
    ],
)
def test_bad_input_names_field_and_writes_nothing(agents, payload, field, hint):
    before = table_snapshot(agents)
    with pytest.raises(InvalidRequest) as caught:
        VALIDATE.run(VALIDATE.parse(payload), agents)
    assert field in caught.value.message and hint in caught.value.message
    assert table_snapshot(agents) == before


def test_files_target_reports_corrupt_lines_and_bad_records(agents, tmp_path):
    entity = agents.profile.entity("persona")
    good = item_for(agents.profile, entity, persona("p1"))
    bad = {**good, "expertise": "not-a-list"}
    path = tmp_path / "export.jsonl"
    path.write_text("\n".join([json.dumps(good), json.dumps(bad), "{broken"]) + "\n")
    _, summary, issues = failed_issues(agents, {"target": "files", "paths": [str(path)]})
    assert by(issues, "persona.schema.list_type", f"p1 ({path}:2)")[0]["field"] == "expertise"
    assert by(issues, "files.record", f"{path}:3")[0]["message"].startswith("not JSON")
    assert summary["total"] == 2
    with pytest.raises(InvalidRequest, match=r"'\.\.'"):
        run(agents, target="files", paths=["s3://reports/../secrets"], store_report=False)


def test_data_validation_health_check_fails_on_errors_and_passes_when_clean(provisioned):
    stores = provisioned("tattoo_directory")
    check = lambda: HEALTH.run(HealthRequest(checks=["Data Validation"]), stores).checks[0]  # noqa: E731
    assert check().status == "pass"
    put(stores, "artist", artist("a1", studio="nowhere"))
    failing = check()
    assert failing.status == "fail" and failing.details["errors"] >= 1 and "3 error(s)" in failing.message


def test_files_target_reads_a_backup_export(agents):
    from dataops.operations.backup import BACKUP

    bad = persona("p9")
    del bad["name"]
    put(agents, "persona", bad)
    BACKUP.run(BACKUP.parse({"action": "export", "path": "validate-it"}), agents)
    table = f"s3://exports/validate-it/dynamodb/{agents.profile.table.base_name}.jsonl"
    services = "s3://exports/validate-it/postgres/services.jsonl"
    _, summary, issues = failed_issues(agents, {"target": "files", "paths": [table, services]})
    assert [i for i in issues if i["rule"] == "persona.schema.missing" and i["key"].startswith(f"p9 ({table}:")]
    assert summary["by_category"]["schema"] == 1
    agents.table.batch_delete([{"PK": "PERSONA#p9", "SK": "PROFILE"}])


def test_deleting_an_orphan_settles_every_issue_it_carried(agents):
    member = {"team_id": "t-none", "member_id": "m5", "persona_id": "nobody", "display_name": "X",
              "email": "x@example.com", "role": "observer", "created_at": NOW, "updated_at": NOW}  # fmt: skip
    put(agents, "team_member", member)  # both its team and its persona are missing: two orphan errors
    payload = {"target": "database", "entities": ["team_member"], "categories": ["referential", "orphans"]}
    result = run(agents, **payload, fix_issues=True)
    assert result.passed and result.summary["by_severity"]["error"] == 2 and result.summary["fixed"] == 2
    assert ("TEAM#t-none", "MEMBER#m5") not in {(i["PK"], i["SK"]) for i in agents.table.scan()}
