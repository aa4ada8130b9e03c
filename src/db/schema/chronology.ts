// SPDX-License-Identifier: MIT
/** The multi-agency chronology: events and their retractions. */
import type { ColumnType } from "kysely";
import type {
  DatePrecision,
  EventType,
  InformationBasis,
  NeglectType,
  Significance,
  Visibility,
} from "../../chronology/codes.ts";
import type { Role } from "../../organisation/codes.ts";
import type { CreatedAt, IsoDate } from "./columns.ts";

export type ChronologyEventTable = {
  partnership_id: string;
  event_id: string;
  person_id: string;
  occurred_on: IsoDate;
  date_precision: DatePrecision;
  event_type: EventType;
  source_agency_id: string;
  recorded_by: string | null;
  recorded_at: CreatedAt;
  what_happened: string;
  impact_on_child: string;
  action_taken: string | null;
  significance: Significance;
  neglect_types: ColumnType<NeglectType[], NeglectType[] | undefined, never>;
  information_basis: InformationBasis;
  visibility: ColumnType<Visibility, Visibility | undefined, never>;
  restricted_to_roles: ColumnType<Role[], Role[] | undefined, never>;
  supersedes_event_id: string | null;
  amendment_reason: string | null;
  /** The agency import the entry came from (migration 0019), or null for an entry typed by a person. */
  import_id: ColumnType<string | null, string | null | undefined, never>;
};

export type ChronologyRetractionTable = {
  partnership_id: string;
  event_id: string;
  retracted_at: CreatedAt;
  retracted_by: string | null;
  reason: string;
};
