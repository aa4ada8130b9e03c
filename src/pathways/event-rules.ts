// SPDX-License-Identifier: MIT
/**
 * Whether a new social care event fits the child's history: pure checks run before anything is stored,
 * so the events always fold into valid CIN census episodes. Each refusal names the form field at fault.
 */

import type { IsoDate } from "../kernel/calendar.ts";
import type { Episode } from "./episodes.ts";
import { EVENT_TYPES, type EventCheck, type NewCscEvent } from "./event-types.ts";

export type { EventCheck, NewCscEvent };

const no = (field: string, message: string): EventCheck => ({ ok: false, field, message });

/**
 * @param episodes - The child's episodes as they stand.
 * @param event - The event to add (not a referral: referrals open episodes).
 * @param today - No event may be dated after today.
 */
export const checkNewEvent = (
  episodes: readonly Episode[],
  event: NewCscEvent,
  today: IsoDate,
): EventCheck => {
  const episode = episodes.find((e) => e.episodeId === event.episodeId);
  if (!episode) return no("episodeId", "This episode does not exist for this child");
  if (event.occurredOn > today) return no("occurredOn", "The date must be today or in the past");
  if (event.occurredOn < episode.referralDate)
    return no("occurredOn", `The date must be on or after the referral (${episode.referralDate})`);
  if (episode.closureDate !== null) return no("occurredOn", "This episode is closed");
  return EVENT_TYPES[event.eventType].check(episode, event);
};
