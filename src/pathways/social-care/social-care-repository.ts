// SPDX-License-Identifier: MIT
/**
 * Children's social care episodes as CIN census coded events: a referral received directly opens an
 * episode, and each later event is checked against the child's history (../event-rules.ts) before it is
 * stored. Children's social care, the front door and safeguarding leads record them.
 */
import type { AccessContext } from "../../data/access-context.ts";
import { AreaRepository } from "../../data/area-repository.ts";
import {
  type ChangeResult,
  done,
  type MethodAccess,
  refused,
  type Trx,
} from "../../data/repository-scope.ts";
import type { IsoDate } from "../../kernel/calendar.ts";
import type { ReferralSource } from "../codes.ts";
import { loadEpisodesByPerson } from "../csc-event-store.ts";
import { checkNewEvent, type NewCscEvent } from "../event-rules.ts";
import { canOpenChild, today } from "../pathway-records.ts";
import { allocatedWorker, mayRecordSocialCare } from "../social-care-access.ts";
import { insertCscEvent, openReferralEpisode } from "./social-care-events.ts";

/**
 * A case is allocated only to whom the form's list offers (and the front door's decision accepts): an
 * active social care practitioner or manager, never another agency's worker, an auditor or a leaver.
 */
const NOT_A_WORKER = "Select a children's social care worker";

export class SocialCareRepository extends AreaRepository {
  static readonly methodAccess: Record<keyof SocialCareRepository, MethodAccess> = {
    openReferral: "guarded",
    recordEvent: "guarded",
  };

  /** Opens a social care episode directly (a referral received by children's social care). */
  openReferral(
    personId: string,
    input: { referralDate: IsoDate; source: ReferralSource; workerUserId: string | null },
  ): Promise<ChangeResult<{ episodeId: string }>> {
    return this.#record(personId, "Only children's social care records referrals", async (trx, ctx) => {
      if (input.referralDate > today())
        return refused("The referral date must be today or in the past", "referralDate");
      if (input.workerUserId && !(await allocatedWorker(trx, input.workerUserId)))
        return refused(NOT_A_WORKER, "workerUserId");
      return done({ episodeId: await openReferralEpisode(trx, this.scope, ctx, personId, input) });
    });
  }

  /**
   * Records one coded social care event in a child's episode, after checking it fits the history
   * (../event-rules.ts). Children's social care, the front door and safeguarding leads only.
   */
  recordEvent(personId: string, event: NewCscEvent): Promise<ChangeResult<{ eventId: string }>> {
    return this.#record(personId, "Only children's social care records these events", async (trx, ctx) => {
      const episodes = (await loadEpisodesByPerson(trx, [personId])).get(personId) ?? [];
      const check = checkNewEvent(episodes, event, today());
      if (!check.ok) return refused(check.message, check.field);
      if (event.workerUserId && !(await allocatedWorker(trx, event.workerUserId)))
        return refused(NOT_A_WORKER, "workerUserId");
      return done({ eventId: await insertCscEvent(trx, this.scope, ctx, personId, event) });
    });
  }

  /** Runs a change to a child's social care events, for those who record them about a child they may open. */
  #record<T>(
    personId: string,
    notRecorder: string,
    work: (trx: Trx, ctx: AccessContext) => Promise<ChangeResult<T>>,
  ): Promise<ChangeResult<T>> {
    const ctx = this.ctx;
    if (!ctx) return Promise.resolve(refused("You cannot record social care events"));
    return this.scope.run(async (trx) => {
      if (!(await mayRecordSocialCare(this.scope, trx, ctx))) return refused(notRecorder);
      if (!(await canOpenChild(this.scope, trx, personId)))
        return refused("You cannot see this child's record");
      return work(trx, ctx);
    });
  }
}
