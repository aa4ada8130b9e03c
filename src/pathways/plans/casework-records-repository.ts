// SPDX-License-Identifier: MIT
/**
 * Casework records: the narrative of an assessment, strategy discussion or conference, kept beside the
 * census event it is about, in versions (earlier ones are kept). Written by children's social care; read
 * by whoever may open the child, on the episode page and the record's own page. Part of
 * `request.repo.plans` (./plans-repository.ts).
 */
import { sql } from "kysely";
import { AreaRepository } from "../../data/area-repository.ts";
import {
  type ChangeResult,
  deniedAccess,
  done,
  type MethodAccess,
  refused,
} from "../../data/repository-scope.ts";
import { currentPartnership, inCurrentPartnership, onKey } from "../../kernel/sql.ts";
import { mayRecordSocialCare } from "../social-care-access.ts";
import { CASEWORK_RECORD_TYPES, type CaseworkRecordType } from "./codes.ts";
import {
  auditView,
  authorisationsOf,
  canOpenChild,
  childOf,
  firstProblem,
  loadRecord,
  p,
  versionsWithAuthor,
} from "./plan-queries.ts";
import { checkRecordText, RECORD_EVENT_TYPES, recordTypeOf } from "./plan-rules.ts";

export type NewCaseworkRecord = {
  recordType: CaseworkRecordType;
  episodeId: string;
  /** The census event the record is about: the assessment's start, the enquiry, the conference. */
  eventId: string;
  narrative: string;
  childExperience: string;
};

export class CaseworkRecordsRepository extends AreaRepository {
  /** Every public method, classified. A test fails if one is left undeclared. */
  static readonly methodAccess: Record<keyof CaseworkRecordsRepository, MethodAccess> = {
    episodeCasework: "guarded",
    getRecord: "guarded",
    recordFormContext: "guarded",
    createRecord: "guarded",
    reviseRecord: "guarded",
  };

  /**
   * What the episode page shows beneath the census events: the notes typed into event forms, and the
   * assessment, strategy discussion and conference records (current version) with their authorisation.
   * Audited as a view of the child's record.
   */
  episodeCasework(personId: string, episodeId: string) {
    const ctx = this.ctx;
    if (!ctx) return Promise.resolve(undefined);
    return this.scope.run(async (trx) => {
      if (!(await canOpenChild(this.scope, trx, personId))) return undefined;
      const events = await trx
        .selectFrom("csc_events as e")
        .leftJoin("users as u", (j) => onKey(j, "u.user_id", "e.recorded_by"))
        .select([
          "e.event_id",
          "e.event_type",
          "e.occurred_on",
          "e.note",
          "u.display_name as recorded_by_name",
        ])
        .where(p("e.partnership_id"), "=", currentPartnership)
        .where("e.person_id", "=", personId)
        .where("e.episode_id", "=", episodeId)
        .orderBy("e.occurred_on")
        .orderBy("e.recorded_at")
        .execute();
      if (events.length === 0) return undefined;
      const records = await trx
        .selectFrom("casework_records as r")
        .innerJoin("casework_record_versions as v", (j) => onKey(j, "v.record_id", "r.record_id"))
        .innerJoin("users as u", (j) => onKey(j, "u.user_id", "v.recorded_by"))
        .select([
          "r.record_id",
          "r.record_type",
          "r.event_id",
          "v.version",
          "v.narrative",
          "v.recorded_at",
          "u.display_name as recorded_by_name",
          sql<string | null>`(select d.decision from authorisations z join authorisation_decisions d
            on d.partnership_id = z.partnership_id and d.authorisation_id = z.authorisation_id
            where z.partnership_id = r.partnership_id and z.record_id = r.record_id
              and z.subject_version = v.version order by d.decided_at desc limit 1)`.as("decision"),
        ])
        .where(p("r.partnership_id"), "=", currentPartnership)
        .where("r.person_id", "=", personId)
        .where("r.episode_id", "=", episodeId)
        .where(
          "v.version",
          "=",
          sql<number>`(select max(v2.version) from casework_record_versions v2 where v2.partnership_id = r.partnership_id and v2.record_id = r.record_id)`,
        )
        .orderBy("r.created_at")
        .execute();
      const mayWrite = await mayRecordSocialCare(this.scope, trx, ctx);
      const recordable = events
        .filter((e) => recordTypeOf(e.event_type) !== undefined)
        .map((e) => ({
          eventId: e.event_id,
          eventType: e.event_type,
          occurredOn: e.occurred_on,
          recordType: recordTypeOf(e.event_type) ?? "assessment",
          recordId: records.find((r) => r.event_id === e.event_id)?.record_id ?? null,
        }));
      await auditView(this.scope, trx, personId, { page: "episode-casework", episode_id: episodeId });
      return {
        notes: events.filter((e) => e.note !== null && e.note.trim() !== ""),
        records: records.map((r) => ({ ...r, label: CASEWORK_RECORD_TYPES[r.record_type] })),
        recordable,
        mayWrite,
      };
    });
  }

  /** A casework record page: one version (the current one unless asked), all versions, authorisations. */
  getRecord(recordId: string, version?: number) {
    const ctx = this.ctx;
    if (!ctx) return Promise.resolve(undefined);
    return this.scope.run(async (trx) => {
      const record = await loadRecord(this.scope, trx, recordId);
      if (!record) return undefined;
      const versions = await versionsWithAuthor(trx, { recordId });
      const latest = versions[0]?.version ?? 0;
      const shown = versions.find((v) => v.version === (version ?? latest));
      if (!shown) return undefined;
      const event = await trx
        .selectFrom("csc_events")
        .select(["event_type", "occurred_on"])
        .where(inCurrentPartnership())
        .where("event_id", "=", record.event_id)
        .executeTakeFirstOrThrow();
      const child = await childOf(trx, record.person_id);
      const authorisations = await authorisationsOf(trx, { recordId });
      await auditView(this.scope, trx, record.person_id, {
        page: "casework-record",
        record_id: recordId,
        version: shown.version,
      });
      return {
        record,
        child,
        event,
        label: CASEWORK_RECORD_TYPES[record.record_type],
        versions,
        version: shown,
        isCurrent: shown.version === latest,
        authorisations,
        pending: authorisations.find((a) => a.decision === null) ?? null,
        mayWrite: await mayRecordSocialCare(this.scope, trx, ctx),
        mayAuthorise: record.record_type === "assessment",
      };
    });
  }

  /** What the casework record form needs: the child and the census event the record is about. */
  recordFormContext(personId: string, episodeId: string, eventId: string) {
    const ctx = this.ctx;
    if (!ctx) return Promise.resolve(undefined);
    return this.scope.run(async (trx) => {
      if (
        !(await canOpenChild(this.scope, trx, personId)) ||
        !(await mayRecordSocialCare(this.scope, trx, ctx))
      )
        return undefined;
      const event = await trx
        .selectFrom("csc_events")
        .select(["event_id", "event_type", "occurred_on"])
        .where(inCurrentPartnership())
        .where("person_id", "=", personId)
        .where("episode_id", "=", episodeId)
        .where("event_id", "=", eventId)
        .executeTakeFirst();
      if (!event) return undefined;
      const recordType = recordTypeOf(event.event_type);
      if (!recordType) return undefined;
      const child = await childOf(trx, personId);
      return { child, event, recordType, label: CASEWORK_RECORD_TYPES[recordType] };
    });
  }

  /** Starts the narrative record of an assessment, strategy discussion or conference (its first version). */
  createRecord(personId: string, input: NewCaseworkRecord): Promise<ChangeResult<{ recordId: string }>> {
    const ctx = this.ctx;
    if (!ctx) return Promise.resolve(refused("You cannot write casework records"));
    return this.scope.run(async (trx) => {
      if (!(await canOpenChild(this.scope, trx, personId)))
        return deniedAccess("You cannot see this child's record");
      if (!(await mayRecordSocialCare(this.scope, trx, ctx)))
        return deniedAccess("Only children's social care writes these records");
      const event = await trx
        .selectFrom("csc_events")
        .select(["event_type"])
        .where(inCurrentPartnership())
        .where("person_id", "=", personId)
        .where("episode_id", "=", input.episodeId)
        .where("event_id", "=", input.eventId)
        .executeTakeFirst();
      if (!event || !(RECORD_EVENT_TYPES[input.recordType] as readonly string[]).includes(event.event_type))
        return refused("Select the event this record is about", "eventId");
      const clash = await trx
        .selectFrom("casework_records")
        .select("record_id")
        .where(inCurrentPartnership())
        .where("event_id", "=", input.eventId)
        .executeTakeFirst();
      if (clash) return refused("This event already has a record: change it instead", "narrative");
      const problem = firstProblem(checkRecordText({ ...input, changeReason: null }));
      if (problem) return problem;
      const recordId = crypto.randomUUID();
      await trx
        .insertInto("casework_records")
        .values({
          partnership_id: ctx.partnershipId,
          record_id: recordId,
          person_id: personId,
          episode_id: input.episodeId,
          record_type: input.recordType,
          event_id: input.eventId,
          created_by: ctx.userId,
        })
        .execute();
      await trx
        .insertInto("casework_record_versions")
        .values({
          partnership_id: ctx.partnershipId,
          record_id: recordId,
          version: 1,
          narrative: input.narrative.trim(),
          child_experience: input.childExperience.trim(),
          change_reason: null,
          recorded_by: ctx.userId,
        })
        .execute();
      await this.scope.audit(trx, {
        action: "create",
        recordType: "casework-record",
        recordId,
        details: {
          person_id: personId,
          record_type: [null, input.recordType],
          event_id: input.eventId,
          version: [null, 1],
        },
      });
      return done({ recordId });
    });
  }

  /** Records the next version of a casework record, with the reason; earlier versions are kept. */
  reviseRecord(
    recordId: string,
    input: { narrative: string; childExperience: string; changeReason: string },
  ): Promise<ChangeResult<{ version: number }>> {
    const ctx = this.ctx;
    if (!ctx) return Promise.resolve(refused("You cannot change casework records"));
    return this.scope.run(async (trx) => {
      const record = await loadRecord(this.scope, trx, recordId);
      if (!record) return deniedAccess("Record not found");
      if (!(await mayRecordSocialCare(this.scope, trx, ctx)))
        return deniedAccess("Only children's social care changes these records");
      const problem = firstProblem(checkRecordText(input));
      if (problem) return problem;
      const row = await trx
        .selectFrom("casework_record_versions")
        .select((eb) => eb.fn.max("version").as("version"))
        .where(inCurrentPartnership())
        .where("record_id", "=", recordId)
        .executeTakeFirst();
      const version = Number(row?.version ?? 0) + 1;
      await trx
        .insertInto("casework_record_versions")
        .values({
          partnership_id: ctx.partnershipId,
          record_id: recordId,
          version,
          narrative: input.narrative.trim(),
          child_experience: input.childExperience.trim(),
          change_reason: input.changeReason.trim(),
          recorded_by: ctx.userId,
        })
        .execute();
      await this.scope.audit(trx, {
        action: "update",
        recordType: "casework-record",
        recordId,
        reason: input.changeReason.trim(),
        details: { person_id: record.person_id, version: [version - 1, version] },
      });
      return done({ version });
    });
  }
}
